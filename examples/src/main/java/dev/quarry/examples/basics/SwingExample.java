package dev.quarry.examples.basics;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Page;
import java.awt.BorderLayout;
import java.awt.GraphicsEnvironment;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JScrollPane;
import javax.swing.SwingUtilities;
import javax.swing.WindowConstants;

/**
 * A Swing window on Quarry: {@code callbackExecutor(SwingUtilities::invokeLater)} makes every
 * observer run on the event dispatch thread, so it may touch components directly. Closing the
 * window closes the client and the backend.
 *
 * <p>Run it yourself ({@code -Dexec.mainClass=dev.quarry.examples.basics.SwingExample}); the build
 * only compiles it, and it refuses to start on a headless JVM.
 */
public final class SwingExample {
  private SwingExample() {}

  /** Opens the window. */
  public static void main(String[] args) {
    if (GraphicsEnvironment.isHeadless()) {
      System.out.println("SwingExample needs a display; this JVM is headless.");
      return;
    }
    StudioBackend backend = StudioBackend.start();
    Quarry quarry =
        Quarry.builder()
            .baseUrl(backend.baseUrl().toString())
            .callbackExecutor(SwingUtilities::invokeLater)
            .build();
    SwingUtilities.invokeLater(() -> show(quarry, backend));
  }

  @SuppressWarnings("FutureReturnValueIgnored")
  private static void invalidate(Quarry quarry) {
    quarry.invalidate(QueryKey.of("projects", "p1"));
  }

  private static void show(Quarry quarry, StudioBackend backend) {
    DefaultListModel<String> rows = new DefaultListModel<>();
    JLabel status = new JLabel("loading...");
    QueryOptions<Page<Episode>> episodes =
        quarry.query(
            QueryKey.of("projects", "p1", "episodes"),
            http -> http.get("projects/p1/episodes", QueryExample.EPISODES));
    // Runs on the event dispatch thread: components can be updated directly.
    QueryObserver<Page<Episode>> observer =
        quarry.observe(
            episodes,
            r -> {
              status.setText(r.isFetching() ? "refreshing..." : r.status().toString());
              r.data()
                  .ifPresent(
                      page -> {
                        rows.clear();
                        page.docs().forEach(e -> rows.addElement(e.number() + ". " + e.title()));
                      });
            });
    JButton refresh = new JButton("Refresh");
    // the observer shows the refetch; a failure is reported to the error handler
    refresh.addActionListener(e -> invalidate(quarry));

    JFrame frame = new JFrame("Harbor Lights: episodes");
    frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
    frame.addWindowListener(
        new WindowAdapter() {
          @Override
          public void windowClosed(WindowEvent e) {
            observer.close();
            quarry.close();
            backend.close();
          }
        });
    frame.add(new JScrollPane(new JList<>(rows)), BorderLayout.CENTER);
    frame.add(status, BorderLayout.NORTH);
    frame.add(refresh, BorderLayout.SOUTH);
    frame.setSize(360, 240);
    frame.setLocationByPlatform(true);
    frame.setVisible(true);
  }
}
