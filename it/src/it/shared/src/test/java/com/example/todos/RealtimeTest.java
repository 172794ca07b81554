package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.RecordingListener;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The realtime client against the real socket.io server that ships in the quarry-testing jar
 * (installed with npm ci into target/quarry-cache by SocketIoTestServer itself).
 */
class RealtimeTest {
  @Test
  void aTopicGetsTheEventsOfItsRoom() throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start();
        RealtimeClient client =
            RealtimeClient.create(RealtimeOptions.builder(URI.create(server.url())).build())) {
      RecordingListener<ConnectionEvent> connection = new RecordingListener<>();
      client.onConnectionEvent(connection);
      client.connect();
      Map<String, String> params = Map.of("listId", "l1");
      TopicSubscription topic = client.subscribe(Topic.of("todos", params));
      RecordingListener<JsonNode> events = new RecordingListener<>();
      topic.on("todo-created", JsonNode.class, events::accept);
      topic.confirmed().get(10, TimeUnit.SECONDS);

      server.emit(
          SocketIoTestServer.roomOf(params),
          "todo-created",
          Map.of("listId", "l1", "id", "t2", "title", "Write docs"));

      assertThat(events.next(Duration.ofSeconds(10)).get("title").asText()).isEqualTo("Write docs");
      assertThat(connection.drain()).anyMatch(e -> e instanceof ConnectionEvent.Connected);
      Path cache = Path.of(System.getProperty("quarry.socketio.cache.dir"), "socketio-server");
      try (Stream<Path> installs = Files.list(cache)) {
        assertThat(installs)
            .anyMatch(dir -> Files.isDirectory(dir.resolve("node_modules").resolve("socket.io")));
      }
    }
  }
}
