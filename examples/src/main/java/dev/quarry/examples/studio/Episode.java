package dev.quarry.examples.studio;

/**
 * An episode of a project.
 *
 * @param id the server's id ({@code ep1}); a draft made by an optimistic update has a {@code
 *     draft-} id until the server confirms it
 * @param projectId the project it belongs to
 * @param number its position in the series, from 1
 * @param title the title
 * @param status {@code draft}, {@code writing}, {@code review} or {@code final}
 */
public record Episode(String id, String projectId, int number, String title, String status) {

  /** An optimistic placeholder for an episode the server has not confirmed yet. */
  public static Episode draft(NewEpisode in, int number) {
    return new Episode("draft-" + number, in.projectId(), number, in.title(), "saving");
  }

  /** Whether this is an optimistic placeholder. */
  public boolean isDraft() {
    return id.startsWith("draft-");
  }

  /** This episode with another title. */
  public Episode withTitle(String newTitle) {
    return new Episode(id, projectId, number, newTitle, status);
  }
}
