package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Backoff;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the real Node socket.io 4.8.4 server, with recovery on. */
class RealServerTest {
  static SocketIoTestServer server;
  RealtimeClient client;
  final Recorder recorder = new Recorder();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = SocketIoTestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  RealtimeOptions.Builder options() {
    return RealtimeOptions.builder(URI.create(server.url()))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofMillis(100))
                .max(Duration.ofMillis(500))
                .jitter(Backoff.Jitter.FULL)
                .build())
        .errorHandler((c, e) -> errors.add(e));
  }

  ConnectionEvent.Connected connect(RealtimeOptions.Builder b) throws InterruptedException {
    client = RealtimeClient.create(b.build());
    client.onConnectionEvent(recorder::record);
    client.connect();
    return recorder.await(ConnectionEvent.Connected.class);
  }

  @Test
  void subscribe_serverShowsMembership_tenThousandEventsOnceInOrder_unsubscribeStops()
      throws Exception {
    connect(options());
    Map<String, String> params = Map.of("executionId", "e1");
    String room = SocketIoTestServer.roomOf(params);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    List<Integer> seqs = new CopyOnWriteArrayList<>();
    sub.on("agent-event", JsonNode.class, ev -> seqs.add(ev.get("seq").asInt()));
    assertThat(sub.confirmed().get(5, TimeUnit.SECONDS).get("room").asText()).isEqualTo(room);
    assertThat(server.state().inRoom(room)).hasSize(1);

    server.emitSequence(room, "agent-event", params, 10_000);
    await().atMost(Duration.ofSeconds(30)).until(() -> seqs.size() >= 10_000);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      expected.add(i);
    }
    assertThat(seqs).isEqualTo(expected);

    sub.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.state().inRoom(room).isEmpty());
    server.emit(room, "agent-event", Map.of("executionId", "e1", "seq", -1));
    CompletableFuture<ArrayNode> barrier = client.emitWithAck("echo", Duration.ofSeconds(5), "b");
    barrier.get(5, TimeUnit.SECONDS);
    assertThat(seqs).hasSize(10_000);
    assertThat(errors).isEmpty();
  }

  @Test
  void transportDropped_withRecovery_sameSessionRecoveredAndMissedEventsOnceInOrder()
      throws Exception {
    ConnectionEvent.Connected first =
        connect(
            options()
                .reconnectBackoff(
                    Backoff.builder()
                        .initial(Duration.ofMillis(300))
                        .max(Duration.ofMillis(300))
                        .jitter(Backoff.Jitter.NONE)
                        .build()));
    Map<String, String> params = Map.of("executionId", "rec");
    String room = SocketIoTestServer.roomOf(params);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    List<Integer> seqs = new CopyOnWriteArrayList<>();
    List<TopicEvent> gaps = new CopyOnWriteArrayList<>();
    sub.on("agent-event", JsonNode.class, ev -> seqs.add(ev.get("seq").asInt()));
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Gap) gaps.add(e);
        });
    sub.confirmed().get(5, TimeUnit.SECONDS);
    server.emitSequence(room, "agent-event", params, 5);
    await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 5);

    server.dropTransport(first.sessionId());
    recorder.await(ConnectionEvent.Reconnecting.class);
    // Emitted while the client is away (it waits 300 ms): replayed before the CONNECT reply.
    for (int i = 5; i < 105; i++) {
      server.emit(room, "agent-event", Map.of("executionId", "rec", "seq", i));
    }
    ConnectionEvent.Connected again = recorder.await(ConnectionEvent.Connected.class);
    assertThat(again.recovered()).isTrue();
    assertThat(again.sessionId()).isEqualTo(first.sessionId());
    await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() >= 105);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 105; i++) {
      expected.add(i);
    }
    assertThat(seqs).isEqualTo(expected);
    assertThat(gaps).isEmpty();
    assertThat(server.state().socket(first.sessionId()).orElseThrow().recovered()).isTrue();
  }

  @Test
  void ack_roundTrip_returnsTheArguments() throws Exception {
    connect(options());
    ArrayNode ack =
        client
            .emitWithAck("echo", Duration.ofSeconds(5), Map.of("a", 1), "two")
            .get(5, TimeUnit.SECONDS);
    assertThat(ack.get(0).get("a").asInt()).isEqualTo(1);
    assertThat(ack.get(1).asText()).isEqualTo("two");
    assertThat(
            client
                .emitWithAck("echo", String.class, Duration.ofSeconds(5), "typed")
                .get(5, TimeUnit.SECONDS))
        .isEqualTo("typed");
  }

  @Test
  void ack_timeout_failsWithTypedException() {
    connect0();
    CompletableFuture<ArrayNode> f = client.emitWithAck("never-acked", Duration.ofMillis(300), 1);
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(AckTimeoutException.class)
        .hasMessageContaining("never-acked");
  }

  private void connect0() {
    try {
      connect(options());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void ack_pendingWhenTransportDrops_failsWithDisconnected() throws Exception {
    ConnectionEvent.Connected c = connect(options());
    CompletableFuture<ArrayNode> f = client.emitWithAck("never-acked", Duration.ofSeconds(30), 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.state().received().toString().contains("never-acked"));
    server.dropTransport(c.sessionId());
    assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(DisconnectedException.class);
  }

  private static int receivedCount(String event) {
    int n = 0;
    for (JsonNode r : server.state().received()) {
      if (r.path("event").asText().equals(event)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void subscribe_serverNeverAcks_isSentAgainAfterEachTimeout_andFailsOnlyOnClose()
      throws Exception {
    connect(
        options()
            .subscriptionEvents("subscribe-never-acked", "unsubscribe")
            .ackTimeout(Duration.ofMillis(200)));
    TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", "na"));
    await().atMost(Duration.ofSeconds(10)).until(() -> receivedCount("subscribe-never-acked") >= 3);
    assertThat(sub.confirmed()).isNotDone();
    client.close();
    assertThatThrownBy(() -> sub.confirmed().get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(DisconnectedException.class);
  }

  @Test
  void subscribe_serverAnswersOkFalse_failsWithTheServersError() throws Exception {
    // The server's ping-me handler acks {ok:false, error} when the payload has no event name.
    connect(options().subscriptionEvents("ping-me", "unsubscribe"));
    TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", "refused"));
    assertThatThrownBy(() -> sub.confirmed().get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            TopicRefusedException.class,
            e -> assertThat(e.serverError()).isEqualTo("expected {event, args}"));
    assertThat(receivedCount("ping-me")).isEqualTo(1);
  }

  @Test
  void binary_roundTrip_returnsEqualBytes() throws Exception {
    connect(options());
    byte[] bytes = new byte[70_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    ArrayNode ack =
        client.emitWithAck("echo", Duration.ofSeconds(5), "bin", bytes).get(5, TimeUnit.SECONDS);
    assertThat(ack.get(1).binaryValue()).isEqualTo(bytes);
    assertThat(
            client
                .emitWithAck("echo", byte[].class, Duration.ofSeconds(5), bytes)
                .get(5, TimeUnit.SECONDS))
        .isEqualTo(bytes);
  }

  @Test
  void binary_serverEmitsBytes_listenerGetsEqualBytes() throws Exception {
    connect(options());
    Map<String, String> params = Map.of("executionId", "bin");
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    sub.confirmed().get(5, TimeUnit.SECONDS);
    CompletableFuture<byte[]> got = new CompletableFuture<>();
    client.on("blob", byte[].class, got::complete);
    server.emitBinary(SocketIoTestServer.roomOf(params), "blob", new byte[] {1, 2, 3, -1});
    assertThat(got.get(5, TimeUnit.SECONDS)).containsExactly(1, 2, 3, -1);
  }

  @Test
  void serverAsksForAck_onRequestAnswerIsRecordedByServer() throws Exception {
    connect(options());
    client.onRequest("question", JsonNode.class, q -> Map.of("answer", q.get("n").asInt() + 1));
    client
        .emitWithAck(
            "ping-me",
            Duration.ofSeconds(5),
            Map.of("event", "question", "args", List.of(Map.of("n", 41))))
        .get(5, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.state().acks().toString().contains("\"answer\":42"));
  }

  @Test
  void emit_largerThanMaxPayload_isRefusedLocallyAndConnectionStays() throws Exception {
    connect(options());
    assertThatThrownBy(() -> client.emit("big", "x".repeat(1_100_000)))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("1000000");
    assertThat(
            client
                .emitWithAck("echo", Duration.ofSeconds(5), "still")
                .get(5, TimeUnit.SECONDS)
                .get(0)
                .asText())
        .isEqualTo("still");
  }

  @Test
  void throwingListener_othersStillReceiveAndErrorIsReported() throws Exception {
    connect(options());
    Map<String, String> params = Map.of("executionId", "throw");
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    sub.confirmed().get(5, TimeUnit.SECONDS);
    List<Integer> got = new CopyOnWriteArrayList<>();
    sub.on(
        "agent-event",
        JsonNode.class,
        e -> {
          throw new IllegalStateException("boom");
        });
    sub.on("agent-event", JsonNode.class, e -> got.add(e.get("seq").asInt()));
    server.emitSequence(SocketIoTestServer.roomOf(params), "agent-event", params, 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
    assertThat(errors).hasSize(3).allMatch(e -> e.getMessage().equals("boom"));
  }
}
