package dev.quarry.examples.state;

/**
 * The layout: whether the sidebar is open, which view is shown and which project is selected.
 *
 * @param sidebarOpen whether the sidebar is open
 * @param view the current view, e.g. {@code "episodes"} or {@code "execution"}
 * @param projectId the selected project, or {@code ""} for none
 */
public record Layout(boolean sidebarOpen, String view, String projectId) {
  /** The layout at start-up: sidebar open, project list, nothing selected. */
  public static final Layout INITIAL = new Layout(true, "projects", "");

  /** This layout showing {@code newView}. */
  public Layout withView(String newView) {
    return new Layout(sidebarOpen, newView, projectId);
  }

  /** This layout with {@code id} selected and its episodes shown. */
  public Layout withProject(String id) {
    return new Layout(sidebarOpen, "episodes", id);
  }

  /** This layout with the sidebar toggled. */
  public Layout toggleSidebar() {
    return new Layout(!sidebarOpen, view, projectId);
  }
}
