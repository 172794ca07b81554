package dev.quarry.examples.desktop;

import com.formdev.flatlaf.FlatLightLaf;
import dev.quarry.Quarry;
import dev.quarry.core.Backoff;
import dev.quarry.examples.backend.StudioBackend;
import java.awt.BorderLayout;
import java.awt.GraphicsEnvironment;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import javax.swing.UnsupportedLookAndFeelException;
import javax.swing.WindowConstants;

/**
 * The desktop studio: starts the embedded studio backend (150 ms latency, an agent step every 250
 * ms), builds a {@link Quarry} on it whose observers run on the event dispatch thread, and opens a
 * window with {@link StudioWindow} (FlatLaf's light look). Closing the window closes the window's
 * views, the {@code Quarry} (its outbox directory is temporary) and the backend.
 *
 * <pre>
 * mvn -q -pl examples -am package -Dmaven.test.skip=true -Dquarry.skipNpm=true -Pdesktop
 * </pre>
 *
 * <p>On a JVM without a display it says so and exits with status 2.
 */
public final class DesktopStudio {
  private DesktopStudio() {}

  /** Opens the studio window. */
  public static void main(String[] args) throws IOException {
    if (GraphicsEnvironment.isHeadless()) {
      System.out.println("The desktop studio needs a display; this JVM is headless.");
      System.exit(2);
    }
    StudioBackend backend =
        StudioBackend.builder()
            .latency(Duration.ofMillis(150))
            .agentStep(Duration.ofMillis(250))
            .start();
    Path outbox = Files.createTempDirectory("quarry-desktop-");
    Quarry quarry =
        Quarry.builder()
            .baseUrl(backend.baseUrl().toString())
            .realtime(
                backend.socketUrl(), r -> r.reconnectBackoff(Backoff.fixed(Duration.ofSeconds(1))))
            .queryDefaults(
                d -> d.staleTime(Duration.ofMinutes(5)).gcTime(Duration.ofMinutes(30)).retry(3))
            .callbackExecutor(SwingUtilities::invokeLater)
            .persistence(outbox)
            .build();
    System.out.println(
        "Quarry desktop studio on the embedded backend: REST "
            + backend.baseUrl()
            + ", socket.io "
            + backend.socketUrl());
    SwingUtilities.invokeLater(() -> open(quarry, backend));
  }

  private static void open(Quarry quarry, StudioBackend backend) {
    installLookAndFeel();
    StudioWindow content = new StudioWindow(quarry);
    JFrame frame = new JFrame("Quarry Studio: Harbor Lights");
    frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
    frame.addWindowListener(
        new WindowAdapter() {
          @Override
          public void windowClosed(WindowEvent e) {
            content.close();
            quarry.close();
            backend.close();
          }
        });
    frame.add(content, BorderLayout.CENTER);
    frame.pack();
    frame.setLocationByPlatform(true);
    frame.setVisible(true);
  }

  /** FlatLaf's light look, or the system's if FlatLaf cannot be set up. EDT. */
  static void installLookAndFeel() {
    if (FlatLightLaf.setup()) {
      return;
    }
    try {
      UIManager.setLookAndFeel(UIManager.getSystemLookAndFeelClassName());
    } catch (ReflectiveOperationException | UnsupportedLookAndFeelException e) {
      // the default look and feel stays
    }
  }
}
