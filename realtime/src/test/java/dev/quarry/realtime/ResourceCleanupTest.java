package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** After close(), no thread and no socket of the client remains. */
class ResourceCleanupTest {

  /**
   * Quarry's threads and OkHttp's, except OkHttp's process-wide task runner: it is shared by every
   * OkHttp client in the JVM, may add a thread while many connections come and go, and retires idle
   * threads only after 60 s. An idle one is named exactly "OkHttp TaskRunner"; one running a task
   * of a client (a WebSocket reader, a dispatcher call) carries that task's name and is counted.
   */
  static long threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            n ->
                n.startsWith("quarry-") && !n.startsWith("quarry-testserver")
                    || n.startsWith("OkHttp") && !n.equals("OkHttp TaskRunner"))
        .count();
  }

  static long sockets() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(
              p -> {
                try {
                  return Files.readSymbolicLink(p).toString().startsWith("socket:");
                } catch (IOException e) {
                  return false;
                }
              })
          .count();
    }
  }

  @Test
  void hundredConnectCloseCycles_leaveThreadsAndSocketsWhereTheyStarted() throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start()) {
      RealtimeOptions options = RealtimeOptions.builder(URI.create(server.url())).build();
      // Warm-up (OkHttp's shared task runner thread may stay a while); while connected, the filter
      // sees the client's own threads, so the final check can fail.
      assertThat(cycle(options)).isGreaterThanOrEqualTo(3);
      await().atMost(Duration.ofSeconds(5)).until(() -> threadsOfClients() == 0);
      long threadsBefore = threads();
      long socketsBefore = sockets();
      for (int i = 0; i < 100; i++) {
        cycle(options);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(threadsOfClients()).isZero();
                assertThat(threads()).isLessThanOrEqualTo(threadsBefore);
                assertThat(sockets()).isLessThanOrEqualTo(socketsBefore);
              });
      await().atMost(Duration.ofSeconds(5)).until(() -> server.state().sockets().isEmpty());
    }
  }

  /**
   * Threads a client owns: its callback threads, its inbound stage, its scheduler and OkHttp's
   * reader/dispatcher.
   */
  static long threadsOfClients() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            n ->
                n.startsWith("quarry-realtime-callbacks")
                    || n.startsWith("quarry-realtime-control")
                    || n.startsWith("quarry-realtime-inbound")
                    || n.startsWith("quarry-scheduler")
                    || n.startsWith("OkHttp http")
                    || n.startsWith("OkHttp Dispatcher"))
        .count();
  }

  /** Connects and closes one client; returns the count of its threads while it was connected. */
  private static long cycle(RealtimeOptions options) throws InterruptedException {
    Recorder recorder = new Recorder();
    RealtimeClient client = RealtimeClient.create(options);
    client.onConnectionEvent(recorder::record);
    client.connect();
    recorder.await(ConnectionEvent.Connected.class);
    long owned = threadsOfClients();
    client.close();
    return owned;
  }
}
