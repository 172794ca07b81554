package dev.quarry.examples.desktop;

import static dev.quarry.examples.desktop.Screens.find;
import static dev.quarry.examples.desktop.Screens.onEdt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.Quarry;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.Episode;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JProgressBar;
import javax.swing.JTable;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.JToggleButton;
import javax.swing.ListCellRenderer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desktop studio's window against the embedded studio backend (real HTTP and socket.io on
 * loopback), painted headlessly: each state is asserted through the component tree and written to
 * {@code target/screenshots/} as PNG. Waits are bounded and only for the real server.
 */
class StudioWindowTest {
  static final Path SCREENS = Path.of("target", "screenshots");
  static final Duration WAIT = Duration.ofSeconds(20);
  static final int WIDTH = 1100;
  static final int HEIGHT = 720;

  @TempDir Path dir;
  StudioBackend backend;
  Quarry quarry;
  StudioWindow window;

  @BeforeEach
  void open() {
    backend = StudioBackend.builder().agentStep(Duration.ofMillis(40)).start();
    quarry =
        Quarry.builder()
            .baseUrl(backend.baseUrl().toString())
            .realtime(backend.socketUrl(), r -> r)
            .callbackExecutor(javax.swing.SwingUtilities::invokeLater)
            .persistence(dir)
            .build();
    window =
        onEdt(
            () -> {
              DesktopStudio.installLookAndFeel();
              StudioWindow w = new StudioWindow(quarry);
              w.addNotify(); // displayable, as inside a shown frame: the devtools listen
              return w;
            });
    awaitEdt(() -> episodeTexts().size() == 3);
  }

  @AfterEach
  void close() {
    onEdt(
        () -> {
          window.removeNotify();
          window.close();
        });
    quarry.close();
    backend.close();
  }

  private static void awaitEdt(Callable<Boolean> condition) {
    await().atMost(WAIT).until(() -> onEdt(condition));
  }

  /** The episodes as the list's renderer draws them. */
  private List<String> episodeTexts() {
    @SuppressWarnings("unchecked")
    JList<Episode> list = find(window, "studio.episodes", JList.class);
    ListCellRenderer<? super Episode> renderer = list.getCellRenderer();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < list.getModel().getSize(); i++) {
      JLabel label =
          (JLabel)
              renderer.getListCellRendererComponent(
                  list, list.getModel().getElementAt(i), i, false, false);
      texts.add(label.getText());
    }
    return texts;
  }

  private void paint(String file) {
    onEdt(() -> Screens.paint(window, WIDTH, HEIGHT, SCREENS.resolve(file)));
  }

  private void createEpisode(String title) {
    onEdt(
        () -> {
          find(window, "studio.newEpisode", JTextField.class).setText(title);
          find(window, "studio.create", JButton.class).doClick();
        });
  }

  @Test
  void opens_withTheProjectsTheFirstProjectsEpisodesAndTheDevtoolsDocked() {
    assertThat(onEdt(this::episodeTexts))
        .containsExactly(
            "1. The Keeper   [final]", "2. Fog Horn   [review]", "3. Low Tide   [writing]");
    @SuppressWarnings("unchecked")
    JList<Object> projects = onEdt(() -> find(window, "studio.projects", JList.class));
    assertThat(onEdt(() -> projects.getModel().getSize())).isPositive();
    assertThat(onEdt(() -> projects.getSelectedIndex())).isZero();
    assertThat(onEdt(() -> find(window, "studio.offline", JLabel.class).isVisible())).isFalse();
    awaitEdt(
        () ->
            find(window, "queries.table", JTable.class).getRowCount() >= 2
                && find(window, "devtools.connection", JLabel.class)
                    .getText()
                    .equals("Realtime: connected"));
    paint("studio-open.png");
  }

  @Test
  void optimisticCreate_showsTheDraftSavingAtOnce_thenTheServersEpisode() {
    backend.faults().latency(Duration.ofSeconds(4)); // the create is slow to answer
    createEpisode("Pilot 2");

    awaitEdt(
        () ->
            episodeTexts().contains("4. Pilot 2   [saving...]")
                && "pending"
                    .equals(find(window, "mutations.table", JTable.class).getValueAt(0, 2)));
    paint("studio-saving.png");

    backend.faults().latency(Duration.ZERO);
    awaitEdt(() -> episodeTexts().contains("4. Pilot 2   [draft]"));
    assertThat(onEdt(this::episodeTexts)).noneMatch(t -> t.contains("saving"));
  }

  @Test
  void refusedCreate_isRolledBack_andAToastSaysWhy() {
    backend.faults().refuseCreates("(?i)untitled", 422, "an episode needs a real title");
    createEpisode("Untitled");

    awaitEdt(() -> find(window, "studio.toast", JLabel.class).isVisible());
    String toast = onEdt(() -> find(window, "studio.toast", JLabel.class).getText());
    assertThat(toast)
        .isEqualTo(
            "Could not create \"Untitled\": an episode needs a real title (HTTP 422)"
                + " (the draft was rolled back)");
    awaitEdt(() -> episodeTexts().size() == 3);
    assertThat(onEdt(this::episodeTexts)).noneMatch(t -> t.contains("Untitled"));
    paint("studio-refused.png");
  }

  @Test
  void offline_showsTheBanner_untilBackOnline() {
    quarry.connectivity().setOnline(false);
    awaitEdt(() -> find(window, "studio.offline", JLabel.class).isVisible());
    assertThat(onEdt(() -> find(window, "studio.offline", JLabel.class).getText()))
        .startsWith("You are offline.");
    awaitEdt(
        () ->
            find(window, "devtools.online", JButton.class).getText().equals("Offline · go online"));
    paint("studio-offline.png");

    quarry.connectivity().setOnline(true);
    awaitEdt(() -> !find(window, "studio.offline", JLabel.class).isVisible());
  }

  @Test
  void agentExecution_fillsTheProgressBarAndTheDraft_andNotifiesWhenDone() {
    onEdt(() -> find(window, "studio.runAgent", JButton.class).doClick());

    awaitEdt(() -> find(window, "studio.progress", JProgressBar.class).getValue() == 100);
    awaitEdt(
        () ->
            find(window, "studio.draft", JTextArea.class)
                .getText()
                .contains("draft ready for review"));
    assertThat(onEdt(() -> find(window, "studio.draft", JTextArea.class).getText()))
        .startsWith("act one: the storm warning\n");
    awaitEdt(
        () ->
            find(window, "studio.notifications", JToggleButton.class)
                .getText()
                .equals("Notifications (1)"));
    paint("desktop-studio.png");

    onEdt(() -> find(window, "studio.notifications", JToggleButton.class).doClick());
    awaitEdt(
        () ->
            find(window, "studio.notifications", JToggleButton.class)
                .getText()
                .equals("Notifications"));
    @SuppressWarnings("unchecked")
    JList<String> items = onEdt(() -> find(window, "studio.notifications.list", JList.class));
    assertThat(onEdt(() -> items.getModel().getElementAt(0))).startsWith("success: Execution ");
  }

  @Test
  void collapsingTheDevtoolsDock_stopsTheDevtools_andOpeningItStartsThemAgain() {
    assertThat(onEdt(() -> window.devtools().isListening())).isTrue();
    onEdt(() -> window.setDevtoolsOpen(false));
    assertThat(onEdt(() -> window.devtools().isListening())).isFalse();
    onEdt(() -> window.setDevtoolsOpen(true));
    assertThat(onEdt(() -> window.devtools().isListening())).isTrue();
  }

  @Test
  void desktopStudio_opensAFrame_onARealDisplay() {
    // Xvfb (or any X server) is not installed on the build machine and a JFrame cannot be created
    // on a headless JVM: this runs only where a display is available.
    Assumptions.assumeFalse(
        GraphicsEnvironment.isHeadless(),
        "needs a display (no X server or Xvfb here; the build runs with java.awt.headless=true)");
    JFrame frame =
        onEdt(
            () -> {
              JFrame f = new JFrame("studio");
              f.add(window); // one StudioWindow per Quarry (it registers the layout store)
              f.pack();
              f.setVisible(true);
              return f;
            });
    try {
      assertThat(onEdt(frame::isShowing)).isTrue();
    } finally {
      onEdt(frame::dispose);
    }
  }
}
