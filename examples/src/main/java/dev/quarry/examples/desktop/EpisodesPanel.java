package dev.quarry.examples.desktop;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryObserver;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.examples.StudioClient;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.Page;
import dev.quarry.optimistic.MutationObserver;
import java.awt.BorderLayout;
import java.awt.Component;
import java.awt.FlowLayout;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.swing.BorderFactory;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.SwingUtilities;
import org.jspecify.annotations.Nullable;

/**
 * A project's episodes with optimistic creates: a new episode shows at once with a "saving..."
 * badge; if the server refuses it, the draft disappears (the optimistic layer is rolled back) and a
 * toast says why. EDT only; {@link #close()} stops observing.
 */
final class EpisodesPanel extends JPanel implements AutoCloseable {
  private static final long serialVersionUID = 1L;

  /** The badge a draft carries until the server confirms it. */
  static final String SAVING = "saving...";

  private final transient Quarry quarry;
  private final transient StudioClient studio;
  private final transient Toast toast;
  private final transient MutationObserver<NewEpisode, Episode, Void> create;
  private final DefaultListModel<Episode> episodes = new DefaultListModel<>();
  private final JLabel status = new JLabel("Select a project");
  private final JTextField title = new JTextField(20);
  private final JButton add = new JButton("Create episode");
  private transient @Nullable QueryObserver<Page<Episode>> observer;
  private @Nullable String projectId;

  EpisodesPanel(Quarry quarry, StudioClient studio, Toast toast) {
    super(new BorderLayout());
    this.quarry = quarry;
    this.studio = studio;
    this.toast = toast;
    this.create = quarry.mutation(studio.createEpisode());
    setName("studio.episodesPanel");
    JList<Episode> list = new JList<>(episodes);
    list.setName("studio.episodes");
    list.setCellRenderer(new EpisodeRenderer());
    status.setName("studio.episodes.status");
    title.setName("studio.newEpisode");
    add.setName("studio.create");
    add.addActionListener(e -> create());
    title.addActionListener(e -> create());
    JPanel head = new JPanel(new BorderLayout());
    head.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
    JLabel heading = new JLabel("Episodes");
    heading.setFont(heading.getFont().deriveFont(heading.getFont().getSize2D() + 3f));
    head.add(heading, BorderLayout.WEST);
    head.add(status, BorderLayout.EAST);
    JPanel form = new JPanel(new FlowLayout(FlowLayout.LEFT, 6, 4));
    form.add(title);
    form.add(add);
    add(head, BorderLayout.NORTH);
    add(new JScrollPane(list), BorderLayout.CENTER);
    add(form, BorderLayout.SOUTH);
  }

  /** Shows the episodes of {@code id}, cached or loading. */
  void showProject(String id) {
    if (id.equals(projectId)) {
      return;
    }
    projectId = id;
    if (observer != null) {
      observer.close();
    }
    episodes.clear();
    status.setText("loading...");
    // the facade runs observers on the event dispatch thread (callbackExecutor in DesktopStudio)
    observer =
        quarry.observe(
            studio.episodes(id),
            r -> {
              if (!id.equals(projectId)) {
                return; // a late result of the project shown before
              }
              status.setText(
                  r.isFetching()
                      ? (r.data().isPresent() ? "refreshing..." : "loading...")
                      : r.error().map(e -> "error: " + e.getMessage()).orElse(""));
              r.data()
                  .ifPresent(
                      page -> {
                        episodes.clear();
                        page.docs().forEach(episodes::addElement);
                      });
            });
  }

  // the future's outcome is handled in whenComplete; the stage it returns has nothing more
  @SuppressWarnings("FutureReturnValueIgnored")
  private void create() {
    String id = projectId;
    String text = title.getText().trim();
    if (id == null) {
      toast.show("Select a project first");
      return;
    }
    title.setText("");
    create
        .mutate(new NewEpisode(id, text))
        .whenComplete(
            (episode, error) -> {
              if (error != null) {
                SwingUtilities.invokeLater(
                    () ->
                        toast.show(
                            "Could not create \""
                                + text
                                + "\": "
                                + reason(error)
                                + " (the draft was rolled back)"));
              }
            });
  }

  /** What the server said, without the exception wrappers. */
  private String reason(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HttpStatusException h) {
      try {
        String said = quarry.objectMapper().readTree(h.bodyExcerpt()).path("error").asText("");
        return said.isEmpty() ? "HTTP " + h.status() : said + " (HTTP " + h.status() + ")";
      } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
        return "HTTP " + h.status();
      }
    }
    return String.valueOf(e.getMessage());
  }

  @Override
  public void close() {
    if (observer != null) {
      observer.close();
    }
  }

  /** {@code 3. Low Tide [writing]}, or {@code 4. Pilot [saving...]} for a draft. */
  private static final class EpisodeRenderer extends DefaultListCellRenderer {
    private static final long serialVersionUID = 1L;

    @Override
    public Component getListCellRendererComponent(
        JList<?> list, Object value, int index, boolean selected, boolean focused) {
      Episode e = (Episode) value;
      String badge = e.isDraft() ? SAVING : e.status();
      JLabel label =
          (JLabel)
              super.getListCellRendererComponent(
                  list,
                  e.number() + ". " + e.title() + "   [" + badge + "]",
                  index,
                  selected,
                  focused);
      label.setBorder(BorderFactory.createEmptyBorder(4, 8, 4, 8));
      if (e.isDraft() && !selected) {
        label.setForeground(new java.awt.Color(0x8C, 0x49, 0xEB));
      }
      return label;
    }
  }
}
