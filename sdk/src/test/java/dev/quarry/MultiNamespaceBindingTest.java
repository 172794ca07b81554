package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade binds topics of two namespaces carried by one connection (real socket.io server). */
class MultiNamespaceBindingTest {
  record Status(String id, String status) {}

  static final Duration WAIT = Duration.ofSeconds(20);
  static SocketIoTestServer server;
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  Quarry quarry;

  @BeforeAll
  static void startServer() {
    server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder().namespaces(List.of("/ops")).build());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void close() {
    if (quarry != null) {
      quarry.close();
    }
  }

  @Test
  void topicsOfTwoNamespaces_updateTheirOwnKeys_overOneConnection() {
    server.resetCounters();
    quarry =
        Quarry.builder()
            .realtime(URI.create(server.url()), r -> r)
            .realtimeNamespace("/ops")
            .errorHandler((c, e) -> errors.add(e))
            .build();
    await().atMost(WAIT).until(() -> quarry.realtime().isConnected());
    await().atMost(WAIT).until(() -> quarry.realtime("/ops").isConnected());
    assertThat(quarry.realtime("/")).isSameAs(quarry.realtime());

    QueryKey execution = QueryKey.of("execution", "e1");
    QueryKey job = QueryKey.of("job", "j1");
    quarry
        .bind(Topic.of("execution", "id", "e1"))
        .update("status", Status.class, execution, (Status old, Status ev) -> ev);
    quarry
        .bind("/ops", Topic.of("job", "id", "j1"))
        .update("status", Status.class, job, (Status old, Status ev) -> ev);
    QueryObserver<Status> executions =
        quarry.observe(
            QueryOptions.of(
                execution, ctx -> CompletableFuture.completedFuture(new Status("e1", "queued"))),
            r -> {});
    QueryObserver<Status> jobs =
        quarry.observe(
            QueryOptions.of(
                job, ctx -> CompletableFuture.completedFuture(new Status("j1", "queued"))),
            r -> {});
    String executionRoom = SocketIoTestServer.roomOf(Map.of("id", "e1"));
    String jobRoom = SocketIoTestServer.roomOf(Map.of("id", "j1"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.state().inRoom(executionRoom).size() == 1
                    && server.state().inRoom(jobRoom).size() == 1);
    assertThat(server.state().inRoom(jobRoom).get(0).namespace()).isEqualTo("/ops");
    await().atMost(WAIT).until(() -> quarry.getQueryData(job).isPresent());

    // Same room name and event in both namespaces: each update reaches its own key only.
    server.emit(executionRoom, "status", Map.of("id", "e1", "status", "running"));
    server.emitTo("/ops", jobRoom, "status", Map.of("id", "j1", "status", "paused"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarry.getQueryData(execution).equals(Optional.of(new Status("e1", "running")))
                    && quarry.getQueryData(job).equals(Optional.of(new Status("j1", "paused"))));

    assertThat(server.state().engineHandshakes()).as("one Engine.IO connection").isEqualTo(1);
    assertThatThrownBy(() -> quarry.realtime("/nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/nope")
        .hasMessageContaining("realtimeNamespace");
    executions.close();
    jobs.close();
    assertThat(errors).isEmpty();
  }
}
