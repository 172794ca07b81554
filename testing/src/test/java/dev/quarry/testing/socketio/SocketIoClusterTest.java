package dev.quarry.testing.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.redis.RedisTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two socket.io test servers sharing one real Redis through socket.io's Redis adapter. */
class SocketIoClusterTest {
  private static RedisTestServer redis;
  private static SocketIoTestServer a;
  private static SocketIoTestServer b;
  private static OkHttpClient http;
  private final List<RawSocketIoClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    assumeFalse(
        RedisTestServer.skipRequested(),
        "-Dquarry.skipRedis=true: the cluster tests need redis-server");
    redis = RedisTestServer.start();
    SocketIoTestServer.Options options =
        SocketIoTestServer.Options.builder().recovery(false).redis(redis).build();
    CompletableFuture<SocketIoTestServer> startingB =
        CompletableFuture.supplyAsync(
            () -> SocketIoTestServer.start(options.newBuilder().nodeId("b").build()));
    a = SocketIoTestServer.start(options.newBuilder().nodeId("a").build());
    b = startingB.join();
    http = new OkHttpClient();
  }

  @AfterAll
  static void stopCluster() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    if (http != null) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RawSocketIoClient::close);
  }

  /** A client connected to {@code server} and subscribed to {@code params}; returns it. */
  private RawSocketIoClient subscribed(SocketIoTestServer server, Map<String, ?> params) {
    RawSocketIoClient c = RawSocketIoClient.open(http, server.port());
    clients.add(c);
    c.handshake("");
    c.send("420[\"subscribe\"," + RawSocketIoClient.JSON.valueToTree(params) + "]");
    assertThat(c.nextText()).startsWith("430[{\"ok\":true");
    return c;
  }

  private static JsonNode event(RawSocketIoClient c, String name) {
    String frame = c.nextText();
    assertThat(frame).startsWith("42[\"" + name + "\",");
    return c.json(frame.substring(2));
  }

  @Test
  void emitThroughB_reachesTheRoomOnA_andEmitThroughA_reachesTheRoomOnB() {
    Map<String, String> topic = Map.of("executionId", "cross");
    String room = SocketIoTestServer.roomOf(topic);
    RawSocketIoClient onA = subscribed(a, topic);
    RawSocketIoClient onB = subscribed(b, topic);

    b.emit(room, "agent-event", Map.of("from", "b"));
    a.emit(room, "agent-event", Map.of("from", "a"));

    for (RawSocketIoClient c : List.of(onA, onB)) {
      assertThat(event(c, "agent-event").get(1).path("from").asText()).isEqualTo("b");
      assertThat(event(c, "agent-event").get(1).path("from").asText()).isEqualTo("a");
    }
  }

  @Test
  void emitToARoom_reachesOnlyItsMembers_onEveryNode() {
    Map<String, String> topic = Map.of("executionId", "members");
    RawSocketIoClient member = subscribed(a, topic);
    RawSocketIoClient other = subscribed(a, Map.of("executionId", "someone-else"));

    b.emit(SocketIoTestServer.roomOf(topic), "agent-event", Map.of("n", 1));

    assertThat(event(member, "agent-event").get(1).path("n").asInt()).isEqualTo(1);
    assertThat(other.poll(Duration.ofMillis(300))).as("no event for another room").isNull();
  }

  @Test
  void emitSequence_arrivesInOrderOnTheOtherNode() {
    Map<String, String> topic = Map.of("executionId", "sequence");
    RawSocketIoClient onA = subscribed(a, topic);

    b.emitSequence(SocketIoTestServer.roomOf(topic), "agent-event", Map.of("k", "v"), 200);

    for (int i = 0; i < 200; i++) {
      assertThat(event(onA, "agent-event").get(1).path("seq").asInt()).isEqualTo(i);
    }
  }

  @Test
  void state_listsOnlyThisNodesSockets() {
    RawSocketIoClient onA = RawSocketIoClient.open(http, a.port());
    clients.add(onA);
    String sid = onA.handshake("").path("sid").asText();

    assertThat(a.state().socket(sid)).isPresent();
    assertThat(b.state().socket(sid)).isEmpty();
  }

  @Test
  void killedNode_isDownUntilRestarted_onItsOldPort_andThenEmitsToTheCluster() {
    int port = a.port();
    long pid = a.pid();
    Map<String, String> topic = Map.of("executionId", "failover");
    RawSocketIoClient onA = subscribed(a, topic);
    RawSocketIoClient onB = subscribed(b, topic);

    a.kill();

    assertThat(a.isKilled()).isTrue();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    assertThat(onA.awaitClosed()).isNotNull();
    assertThatThrownBy(() -> a.emit("r", "e"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("killed");
    RawSocketIoClient refused = RawSocketIoClient.open(http, port);
    clients.add(refused);
    assertThat(refused.awaitClosed().failure()).as("connect to a killed node").isNotNull();

    a.restart();

    assertThat(a.isKilled()).isFalse();
    assertThat(a.port()).isEqualTo(port);
    assertThat(a.pid()).isNotEqualTo(pid);
    a.emit(SocketIoTestServer.roomOf(topic), "agent-event", Map.of("from", "a"));
    assertThat(event(onB, "agent-event").get(1).path("from").asText()).isEqualTo("a");
    assertThat(subscribed(a, topic)).as("a serves clients again").isNotNull();
  }

  @Test
  void start_withUnreachableRedis_failsWithTheRedisError() {
    int closedPort;
    try (RedisTestServer gone = RedisTestServer.start()) {
      closedPort = gone.port();
    }
    URI unreachable = URI.create("redis://127.0.0.1:" + closedPort);
    SocketIoTestServer.Options options =
        SocketIoTestServer.Options.builder().redis(unreachable).build();

    assertThatThrownBy(() -> SocketIoTestServer.start(options))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 2")
        .hasMessageContaining("cannot connect to Redis at " + unreachable)
        .hasMessageContaining("ECONNREFUSED");
  }

  @Test
  void options_redisAndNodeId_areCheckedAtBuild() {
    SocketIoTestServer.Options.Builder builder = SocketIoTestServer.Options.builder();
    assertThatThrownBy(() -> builder.redis(URI.create("http://127.0.0.1:6379")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis")
        .hasMessageContaining("http://127.0.0.1:6379");
    assertThatThrownBy(() -> builder.noRedis().nodeId(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeId");

    SocketIoTestServer.Options options = builder.nodeId("n1").redis(redis).build();
    assertThat(options.redis()).contains(redis.uri());
    assertThat(options.nodeId()).contains("n1");
    assertThat(options.newBuilder().noRedis().build().redis()).isEmpty();
  }
}
