package dev.quarry.examples.desktop;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryObserver;
import dev.quarry.core.Registration;
import dev.quarry.devtools.swing.DevtoolsOptions;
import dev.quarry.devtools.swing.QuarryDevtools;
import dev.quarry.examples.StudioClient;
import dev.quarry.examples.state.Layout;
import dev.quarry.examples.studio.Page;
import dev.quarry.examples.studio.Project;
import dev.quarry.store.Store;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Font;
import javax.swing.BorderFactory;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JToggleButton;
import javax.swing.ListSelectionModel;
import javax.swing.SwingUtilities;
import org.jspecify.annotations.Nullable;

/**
 * The desktop studio's content: a project sidebar, the selected project's episodes with optimistic
 * creates, an agent execution panel, an offline banner, a notification center with an unread count,
 * and {@link QuarryDevtools} in a dock that collapses. A {@code JFrame} wraps it ({@link
 * DesktopStudio}); tests paint it without a display.
 *
 * <p>Thread: construct and use it on the event dispatch thread, on a {@link Quarry} whose callback
 * executor is {@code SwingUtilities::invokeLater} (every observer here touches components). It
 * registers the store {@code layout} on that {@code Quarry}, so one window per {@code Quarry}.
 * Nullness: no null arguments. Lifecycle: {@link #close()} stops its observers, feeds and realtime
 * subscriptions (the {@code Quarry} stays open: its owner closes it); removing the panel from its
 * window stops the devtools' listening, as for any {@link QuarryDevtools}.
 */
public final class StudioWindow extends JPanel implements AutoCloseable {
  private static final long serialVersionUID = 1L;

  private final transient Store<Layout> layout;
  private final transient QueryObserver<Page<Project>> projectsObserver;
  private final transient Registration onlineListener;
  private final transient NotificationCenter notifications;
  private final transient EpisodesPanel episodes;
  private final transient AgentPanel agent;
  private final Toast toast = new Toast();
  private final JLabel offline = new JLabel();
  private final DefaultListModel<Project> projects = new DefaultListModel<>();
  private final JList<Project> projectList = new JList<>(projects);
  private final JToggleButton devtoolsToggle = new JToggleButton("Devtools", true);
  private final QuarryDevtools devtools;
  private final JSplitPane dock;

  /** The studio on {@code quarry}, its devtools with the default options. EDT. */
  public StudioWindow(Quarry quarry) {
    this(quarry, DevtoolsOptions.defaults());
  }

  /** The studio on {@code quarry}, its devtools with {@code devtoolsOptions}. EDT. */
  public StudioWindow(Quarry quarry, DevtoolsOptions devtoolsOptions) {
    super(new BorderLayout());
    setName("studio");
    StudioClient studio = new StudioClient(quarry);
    this.layout = quarry.store("layout", Layout.INITIAL, Layout.class);
    this.notifications = new NotificationCenter(quarry);
    this.episodes = new EpisodesPanel(quarry, studio, toast);
    this.agent = new AgentPanel(quarry, studio, this::selectedProject, toast);
    this.devtools = QuarryDevtools.create(quarry, devtoolsOptions);

    offline.setName("studio.offline");
    offline.setText("You are offline. Changes are kept and sent when the connection is back.");
    offline.setOpaque(true);
    offline.setBackground(new Color(0xFF, 0xE0, 0x82));
    offline.setBorder(BorderFactory.createEmptyBorder(6, 12, 6, 12));
    offline.setVisible(!quarry.connectivity().isOnline());
    // on the callback executor, the event dispatch thread in this app; invokeLater keeps it there
    // for a connectivity shared with other code
    onlineListener =
        quarry
            .connectivity()
            .onOnlineChange(on -> SwingUtilities.invokeLater(() -> setOffline(!on)));

    JLabel title = new JLabel("Quarry Studio");
    title.setFont(title.getFont().deriveFont(Font.BOLD, title.getFont().getSize2D() + 4f));
    devtoolsToggle.setName("studio.devtoolsToggle");
    JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 6, 0));
    buttons.add(notifications.button());
    buttons.add(devtoolsToggle);
    JPanel toolbar = new JPanel(new BorderLayout());
    toolbar.setBorder(BorderFactory.createEmptyBorder(6, 10, 6, 10));
    toolbar.add(title, BorderLayout.WEST);
    toolbar.add(buttons, BorderLayout.EAST);
    JPanel north = new JPanel(new BorderLayout());
    north.add(offline, BorderLayout.NORTH);
    north.add(toolbar, BorderLayout.SOUTH);

    projectList.setName("studio.projects");
    projectList.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
    projectList.setCellRenderer(new ProjectRenderer());
    projectList.addListSelectionListener(
        e -> {
          Project p = projectList.getSelectedValue();
          if (!e.getValueIsAdjusting() && p != null) {
            layout.update(l -> l.withProject(p.id()));
            episodes.showProject(p.id());
          }
        });
    JPanel sidebar = new JPanel(new BorderLayout());
    JLabel heading = new JLabel("Projects");
    heading.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
    sidebar.add(heading, BorderLayout.NORTH);
    sidebar.add(new JScrollPane(projectList), BorderLayout.CENTER);
    sidebar.setPreferredSize(new Dimension(200, 300));
    projectsObserver =
        quarry.observe(
            studio.projects(),
            r ->
                r.data()
                    .ifPresent(
                        page -> {
                          Project selected = projectList.getSelectedValue();
                          projects.clear();
                          page.docs().forEach(projects::addElement);
                          int index = selected == null ? 0 : projects.indexOf(selected);
                          if (!projects.isEmpty()) {
                            projectList.setSelectedIndex(Math.max(0, index));
                          }
                        }));

    episodes.setPreferredSize(new Dimension(380, 300));
    JSplitPane work = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, episodes, agent);
    work.setResizeWeight(0.5);
    JSplitPane main = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, sidebar, work);
    JPanel top = new JPanel(new BorderLayout());
    top.add(main, BorderLayout.CENTER);
    top.add(notifications.panel(), BorderLayout.EAST);
    top.setPreferredSize(new Dimension(1100, 360));
    devtools.setPreferredSize(new Dimension(1100, 330));
    dock = new JSplitPane(JSplitPane.VERTICAL_SPLIT, top, devtools);
    dock.setName("studio.dock");
    dock.setResizeWeight(0.55);
    dock.setOneTouchExpandable(true);
    devtoolsToggle.addActionListener(e -> setDevtoolsOpen(devtoolsToggle.isSelected()));

    add(north, BorderLayout.NORTH);
    add(dock, BorderLayout.CENTER);
    add(toast, BorderLayout.SOUTH);
  }

  /**
   * Opens or collapses the devtools dock. A collapsed dock takes the devtools out of the window, so
   * they stop listening. EDT.
   */
  public void setDevtoolsOpen(boolean open) {
    devtoolsToggle.setSelected(open);
    if (open && dock.getBottomComponent() == null) {
      dock.setBottomComponent(devtools);
    } else if (!open && dock.getBottomComponent() != null) {
      dock.setBottomComponent(null);
    }
    dock.revalidate();
  }

  /** The devtools in the dock (also while collapsed). EDT. */
  public QuarryDevtools devtools() {
    return devtools;
  }

  private void setOffline(boolean isOffline) {
    offline.setVisible(isOffline);
    revalidate();
  }

  private @Nullable String selectedProject() {
    Project p = projectList.getSelectedValue();
    return p == null ? null : p.id();
  }

  /** Stops this window's observers, feeds and subscriptions; the {@code Quarry} stays open. EDT. */
  @Override
  public void close() {
    toast.stop();
    projectsObserver.close();
    onlineListener.close();
    episodes.close();
    agent.close();
    notifications.close();
  }

  private static final class ProjectRenderer extends DefaultListCellRenderer {
    private static final long serialVersionUID = 1L;

    @Override
    public Component getListCellRendererComponent(
        JList<?> list, Object value, int index, boolean selected, boolean focused) {
      Project p = (Project) value;
      JLabel label =
          (JLabel) super.getListCellRendererComponent(list, p.title(), index, selected, focused);
      label.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
      return label;
    }
  }
}
