package dev.quarry.devtools.swing;

import static dev.quarry.devtools.swing.Screens.find;
import static dev.quarry.devtools.swing.Screens.onEdt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.Quarry;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.VirtualTime;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The realtime tab and the header while the connection is down and retrying. */
class DevtoolsRealtimeTest {
  final VirtualTime time = new VirtualTime();
  final int closedPort = closedPort();
  final Quarry quarry =
      Quarry.builder()
          .time(time, time)
          .callbackExecutor(VirtualTime.direct())
          .realtime(URI.create("http://127.0.0.1:" + closedPort), r -> r)
          .build();
  final QuarryDevtools panel =
      onEdt(() -> QuarryDevtools.create(quarry, DevtoolsOptions.builder().scheduler(time).build()));

  @AfterEach
  void close() {
    onEdt(panel::removeNotify);
    quarry.close();
  }

  @Test
  void reconnecting_showsTheStateTheEndpointAndTheTopicWaitingToBeSubscribed() {
    onEdt(panel::addNotify);
    quarry.realtime().subscribe(Topic.of("execution", "executionId", "e1"));
    // a real refused connection: the client fails on OkHttp's thread, then waits in virtual time
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> quarry.realtime().state() == ConnectionState.RECONNECTING);
    onEdt(panel::refreshNow);
    onEdt(() -> panel.showTab(2));
    onEdt(
        () ->
            Screens.paint(
                panel, 900, 420, Path.of("target", "screenshots", "devtools-reconnecting.png")));

    onEdt(
        () -> {
          assertThat(find(panel, "realtime.state", JLabel.class).getText())
              .isEqualTo("Connection: reconnecting");
          assertThat(find(panel, "realtime.endpoint", JLabel.class).getText())
              .as("the endpoint is known after the first successful connect")
              .isEqualTo("Endpoint: not connected yet");
          assertThat(find(panel, "realtime.recovery", JLabel.class).getText())
              .isEqualTo("Last reconnect: none");
          JTable topics = find(panel, "realtime.topics.table", JTable.class);
          assertThat(topics.getRowCount()).isEqualTo(1);
          assertThat(topics.getValueAt(0, 0)).isEqualTo("execution");
          assertThat(topics.getValueAt(0, 1)).isEqualTo("{\"executionId\":\"e1\"}");
          assertThat(topics.getValueAt(0, 2))
              .as("not confirmed by a server yet")
              .isEqualTo("pending");
          assertThat(find(panel, "devtools.connection", JLabel.class).getText())
              .isEqualTo("Realtime: reconnecting");
        });
  }

  @Test
  void openWindow_showsTheFrame_onARealDisplay() {
    // Xvfb (or any X server) is not installed on the build machine, and a JFrame cannot be
    // created on a headless JVM: this runs only where a display is available.
    Assumptions.assumeFalse(
        GraphicsEnvironment.isHeadless(),
        "needs a display (no X server or Xvfb here; the build runs with java.awt.headless=true)");
    JFrame frame = onEdt(() -> QuarryDevtools.openWindow(quarry));
    try {
      assertThat(onEdt(frame::isShowing)).isTrue();
      QuarryDevtools shown = find(frame.getContentPane(), "devtools", QuarryDevtools.class);
      assertThat(onEdt(shown::isListening)).isTrue();
    } finally {
      onEdt(frame::dispose);
    }
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
