package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.RecordingListener;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an application with slf4j-simple sees in its log: the consumer's build sends slf4j-simple to
 * a file ({@code org.slf4j.simpleLogger.logFile}) at INFO, with {@code dev.quarry.realtime} at
 * DEBUG, and each test reads what its own steps appended.
 */
class QuietLogsTest {
  private static final Path LOG = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile"));

  @Test
  void aRefusedOptimisticMutationWhoseCallerHandlesItLogsNothingAtInfoOrAbove() throws Exception {
    try (TodoServer server = new TodoServer();
        Quarry quarry = Quarry.builder().baseUrl(server.baseUrl()).build()) {
      QueryOptions<List<FirstApp.Todo>> todos =
          quarry.query(FirstApp.TODOS, http -> http.get("todos", FirstApp.TODOS.type()));
      quarry.fetch(todos).get(10, TimeUnit.SECONDS);
      long before = size();

      // RenameTodo's onError handles the refusal, and so does this caller through the future.
      assertThatThrownBy(
              () -> RenameTodo.create(quarry).mutate(new FirstApp.Todo("t1", " ")).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("422");
      quarry.fetch(todos).get(10, TimeUnit.SECONDS); // the rollback has happened by now

      assertThat(server.requests).contains("PUT /api/todos/t1");
      assertThat(linesSince(before))
          .noneMatch(l -> l.contains("dev.quarry") && !l.contains(" DEBUG ") && !l.contains(" TRACE "));
    }
  }

  @Test
  void aForcedReconnectLogsItsAttemptsAtDebugUnderTheRealtimeLogger() throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start();
        RealtimeClient client =
            RealtimeClient.create(RealtimeOptions.builder(URI.create(server.url())).build())) {
      RecordingListener<ConnectionEvent> events = new RecordingListener<>();
      client.onConnectionEvent(events);
      client.connect();
      awaitConnected(events);
      long before = size();

      assertThat(server.dropTransport()).as("connections dropped by the server").isEqualTo(1);
      assertThat(awaitConnected(events).reconnect()).isTrue();

      List<String> lines = linesSince(before);
      assertThat(lines)
          .anyMatch(l -> l.contains(" DEBUG dev.quarry.realtime") && l.contains("reconnect"));
      assertThat(lines)
          .noneMatch(l -> l.contains("dev.quarry") && (l.contains(" WARN ") || l.contains(" ERROR ")));
    }
  }

  /** The next Connected event (each wait bounded: {@code next} fails after 10 s). */
  private static ConnectionEvent.Connected awaitConnected(RecordingListener<ConnectionEvent> events) {
    while (true) {
      if (events.next(Duration.ofSeconds(10)) instanceof ConnectionEvent.Connected c) {
        return c;
      }
    }
  }

  private static long size() throws IOException {
    return Files.exists(LOG) ? Files.size(LOG) : 0;
  }

  private static List<String> linesSince(long offset) throws IOException {
    byte[] all = Files.exists(LOG) ? Files.readAllBytes(LOG) : new byte[0];
    String appended =
        new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    return appended.lines().toList();
  }
}
