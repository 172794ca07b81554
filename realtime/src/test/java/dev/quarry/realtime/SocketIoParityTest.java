package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import dev.quarry.core.Backoff;
import dev.quarry.core.Registration;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * socket.io-client's Socket API as this client offers it (acks that know whether they were asked
 * for, catch-all listeners, volatile and at-least-once emits, session getters, recovery off),
 * against the real Node socket.io 4.8.4 server with recovery on.
 */
class SocketIoParityTest {
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
            Backoff.builder().initial(Duration.ofMillis(100)).max(Duration.ofMillis(100)).build())
        .errorHandler((c, e) -> errors.add(e));
  }

  ConnectionEvent.Connected connect(RealtimeOptions.Builder b) throws InterruptedException {
    client = RealtimeClient.create(b.build());
    client.onConnectionEvent(recorder::record);
    client.connect();
    return recorder.await(ConnectionEvent.Connected.class);
  }

  // ---------------------------------------------------------------- acks and arguments

  @Test
  void onArgs_serverAsksForAck_ackIsRequested_andTheAnswerReachesTheServersCallback()
      throws Exception {
    String sid = connect(options()).sessionId();
    List<List<JsonNode>> got = new CopyOnWriteArrayList<>();
    List<Boolean> requested = new CopyOnWriteArrayList<>();
    client.onArgs(
        "question",
        (args, ack) -> {
          got.add(args);
          requested.add(ack.requested());
          ack.send(Map.of("count", args.size()));
          ack.send("a second answer is not sent");
        });

    client
        .emitWithAck("ping-me", Map.of("event", "question", "args", List.of(1, "two", true)))
        .get(5, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(5)).until(() -> acksFor(sid, "question").size() == 1);
    assertThat(acksFor(sid, "question").get(0).toString()).isEqualTo("[{\"count\":3}]");
    assertThat(requested).containsExactly(true);
    assertThat(got.get(0)).hasSize(3);
    assertThat(got.get(0).get(1).asText()).isEqualTo("two");
    assertThat(errors).isEmpty();
  }

  @Test
  void onArgs_serverEmitsWithoutAck_ackIsNotRequested_andBinaryArrivesAsBytes() throws Exception {
    String sid = connect(options()).sessionId();
    List<List<JsonNode>> got = new CopyOnWriteArrayList<>();
    List<Boolean> requested = new CopyOnWriteArrayList<>();
    client.onArgs(
        "plain",
        (args, ack) -> {
          got.add(args);
          requested.add(ack.requested());
          ack.send("nobody asked");
        });

    server.emit(sid, "plain", Map.of("a", 1), "b");
    server.emitBinary(sid, "plain", new byte[] {7, 8, 9});

    await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
    assertThat(requested).containsExactly(false, false);
    assertThat(got.get(0)).hasSize(2);
    assertThat(got.get(1)).singleElement().isInstanceOf(BinaryNode.class);
    assertThat(got.get(1).get(0).binaryValue()).containsExactly(7, 8, 9);
    assertThat(acksFor(sid, "plain")).isEmpty();
  }

  @Test
  void typedEmitWithAck_withoutTimeout_decodesTheAck_andTimesOutWithATimeoutExceptionCause()
      throws Exception {
    connect(options().ackTimeout(Duration.ofMillis(300)));

    Map<String, Object> echoed =
        client
            .emitWithAck("echo", new TypeReference<Map<String, Object>>() {}, Map.of("k", 1))
            .get(5, TimeUnit.SECONDS);
    CompletableFuture<String> never = client.emitWithAck("never-acked", String.class, "x");

    assertThat(echoed).isEqualTo(Map.of("k", 1));
    assertThat(never)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(AckTimeoutException.class)
        .havingCause()
        .isInstanceOf(TimeoutException.class);
  }

  // ---------------------------------------------------------------- catch-all listeners

  @Test
  void onAny_seesEveryIncomingEvent_onAnyOutgoing_everyWrittenOne_closingStopsThem()
      throws Exception {
    String sid = connect(options()).sessionId();
    List<String> in = new CopyOnWriteArrayList<>();
    List<String> out = new CopyOnWriteArrayList<>();
    Registration any = client.onAny((event, args) -> in.add(event + args));
    Registration anyOut = client.onAnyOutgoing((event, args) -> out.add(event + args));

    server.emit(sid, "first", 1);
    client.emit("echo", "hello");
    await().atMost(Duration.ofSeconds(5)).until(() -> in.size() == 2);
    assertThat(in).containsExactly("first[1]", "echo[\"hello\"]");
    assertThat(out).containsExactly("echo[\"hello\"]");

    any.close();
    anyOut.close();
    any.close();
    server.emit(sid, "second", 2);
    client.emitWithAck("echo", Duration.ofSeconds(5), "barrier").get(5, TimeUnit.SECONDS);
    assertThat(in).hasSize(2);
    assertThat(out).hasSize(1);
  }

  // ---------------------------------------------------------------- volatile emits

  @Test
  void emitVolatile_whileDisconnected_isDropped_notBuffered_andSentWhenConnected()
      throws Exception {
    client = RealtimeClient.create(options().build());
    client.onConnectionEvent(recorder::record);
    String dropped = "volatile-" + UUID.randomUUID();
    String sent = "volatile-" + UUID.randomUUID();

    assertThat(client.emitVolatile(dropped, 1)).isFalse();
    client.connect();
    recorder.await(ConnectionEvent.Connected.class);
    assertThat(client.emitVolatile(sent, 2)).isTrue();
    client.emitWithAck("echo", Duration.ofSeconds(5), "barrier").get(5, TimeUnit.SECONDS);

    assertThat(received(dropped)).isEmpty();
    assertThat(received(sent)).hasSize(1);
  }

  // ---------------------------------------------------------------- at-least-once emits

  @Test
  void retries_ackTimeout_sendsAgainUntilAcked_oneAtATimeInOrder() throws Exception {
    connect(options().retries(3).ackTimeout(Duration.ofMillis(300)));
    String a = "a-" + UUID.randomUUID();
    String b = "b-" + UUID.randomUUID();

    CompletableFuture<JsonNode> first =
        client.emitWithAck("flaky", JsonNode.class, Map.of("id", a, "failTimes", 2));
    client.emit("flaky", Map.of("id", b, "failTimes", 0));

    assertThat(first.get(10, TimeUnit.SECONDS).get("tries").asInt()).isEqualTo(3);
    await().atMost(Duration.ofSeconds(5)).until(() -> flakyIds(a, b).size() == 4);
    assertThat(flakyIds(a, b)).containsExactly(a, a, a, b);
    assertThat(errors).isEmpty();
  }

  @Test
  void retries_exhausted_failsWithTheAckTimeout_afterOnePlusRetriesSends() throws Exception {
    connect(options().retries(2).ackTimeout(Duration.ofMillis(200)));
    String id = "never-" + UUID.randomUUID();

    CompletableFuture<?> given = client.emitWithAck("flaky", Map.of("id", id, "failTimes", 1_000));

    assertThat(given)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(AckTimeoutException.class);
    assertThat(flakyIds(id)).hasSize(3);
  }

  // ---------------------------------------------------------------- getters, reasons, recovery

  @Test
  void transportDropped_defaultRecovery_sameIdRecovered_reasonTransportClose() throws Exception {
    ConnectionEvent.Connected first = connect(options());
    assertThat(client.id()).isEqualTo(first.sessionId());
    assertThat(client.recovered()).isFalse();
    // The server offers recovery from the offset of the last event received.
    List<String> seen = new CopyOnWriteArrayList<>();
    client.onAny((event, args) -> seen.add(event));
    server.emit(first.sessionId(), "tick", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("tick"));

    server.dropTransport(first.sessionId());

    ConnectionEvent.Reconnecting r = recorder.await(ConnectionEvent.Reconnecting.class);
    assertThat(r.reason()).isEqualTo(DisconnectReason.TRANSPORT_CLOSE);
    ConnectionEvent.Connected again = recorder.await(ConnectionEvent.Connected.class);
    assertThat(again.recovered()).isTrue();
    assertThat(client.recovered()).isTrue();
    assertThat(client.id()).isEqualTo(first.sessionId());
    assertThat(client.isConnected()).isTrue();
  }

  @Test
  void recoveryOff_transportDropped_newSession_andEveryTopicReportsAGap() throws Exception {
    ConnectionEvent.Connected first = connect(options().recovery(false));
    Map<String, String> params = Map.of("executionId", "no-recovery");
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    List<TopicEvent> gaps = new CopyOnWriteArrayList<>();
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Gap) {
            gaps.add(e);
          }
        });
    sub.confirmed().get(5, TimeUnit.SECONDS);
    // An event carrying a recovery offset: with recovery on, the next CONNECT would send it.
    server.emit(SocketIoTestServer.roomOf(params), "news", Map.of("executionId", "no-recovery"));
    client.emitWithAck("echo", Duration.ofSeconds(5), "x").get(5, TimeUnit.SECONDS);

    server.dropTransport(first.sessionId());

    ConnectionEvent.Connected again = recorder.await(ConnectionEvent.Connected.class);
    assertThat(again.recovered()).isFalse();
    assertThat(again.sessionId()).isNotEqualTo(first.sessionId());
    assertThat(client.recovered()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> gaps.size() == 1);
    assertThat(server.state().socket(again.sessionId()).orElseThrow().recovered()).isFalse();
  }

  // ---------------------------------------------------------------- helpers

  private static List<JsonNode> acksFor(String sid, String event) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : server.state().acks()) {
      if (a.path("sid").asText().equals(sid) && a.path("event").asText().equals(event)) {
        out.add(a.path("args"));
      }
    }
    return out;
  }

  /** The ids of the flaky events the server received, in order, of those with these ids. */
  private static List<String> flakyIds(String... ids) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : received("flaky")) {
      String id = r.path("args").path(0).path("id").asText();
      if (List.of(ids).contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  private static List<JsonNode> received(String event) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : server.state().received()) {
      if (r.path("event").asText().equals(event)) {
        out.add(r);
      }
    }
    return out;
  }
}
