package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.socketio.ServerState;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listeners that throw or block, against the real socket.io server with a short heartbeat
 * (pingInterval 200 ms, pingTimeout 300 ms): the other listeners still get every event, the errors
 * reach the error handler, and a listener blocking far longer than pingInterval + pingTimeout does
 * not cost the connection.
 *
 * <p>Events are emitted in batches of 100: a single synchronous burst of 1,000 emits keeps a cold
 * Node event loop busy for about 400 ms, so the server's own pings come late and the client
 * (rightly) declares a ping timeout. That is the server going silent, not a listener fault.
 */
class ListenerFaultTest {
  private static final Duration PING_INTERVAL = Duration.ofMillis(200);
  private static final Duration PING_TIMEOUT = Duration.ofMillis(300);
  private static final int EVENTS = 1_000;
  private static final int BATCH = 100;

  private static SocketIoTestServer server;
  private RealtimeClient client;
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final List<ConnectionEvent> connection = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .pingInterval(PING_INTERVAL)
                .pingTimeout(PING_TIMEOUT)
                .build());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void connect() {
    client =
        RealtimeClient.create(
            RealtimeOptions.builder(URI.create(server.url()))
                .reconnectBackoff(Backoff.fixed(Duration.ofMillis(50)))
                .errorHandler((context, e) -> errors.add(e))
                .build());
    client.onConnectionEvent(connection::add);
    client.connect();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> connection.stream().anyMatch(e -> e instanceof ConnectionEvent.Connected));
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  private static void emitInBatches(String room, Map<String, String> params, int count) {
    for (int b = 0; b < count / BATCH; b++) {
      Map<String, Object> base = Map.of("executionId", params.get("executionId"), "batch", b);
      server.emitSequence(room, "agent-event", base, BATCH);
    }
  }

  private static int seqOf(JsonNode ev) {
    return ev.get("batch").asInt() * BATCH + ev.get("seq").asInt();
  }

  private static List<Integer> range(int n) {
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add(i);
    }
    return expected;
  }

  @Test
  void throwingListeners_neverStopDeliveryToTheOthers() throws Exception {
    client.onConnectionEvent(
        e -> {
          throw new IllegalStateException("connection listener fails on " + e);
        });
    Map<String, String> params = Map.of("executionId", "throwing");
    String room = SocketIoTestServer.roomOf(params);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    List<Integer> received = new CopyOnWriteArrayList<>();
    List<Integer> receivedGlobal = new CopyOnWriteArrayList<>();
    sub.on(
        "agent-event",
        JsonNode.class,
        ev -> {
          throw new IllegalStateException("topic listener fails on " + seqOf(ev));
        });
    sub.on("agent-event", JsonNode.class, ev -> received.add(seqOf(ev)));
    client.on(
        "agent-event",
        JsonNode.class,
        ev -> {
          receivedGlobal.add(seqOf(ev));
          throw new IllegalStateException("client listener fails");
        });
    sub.confirmed().get(5, TimeUnit.SECONDS);

    emitInBatches(room, params, EVENTS);

    await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= EVENTS);
    assertThat(received).isEqualTo(range(EVENTS));
    assertThat(receivedGlobal).isEqualTo(range(EVENTS));
    await().atMost(Duration.ofSeconds(5)).until(() -> errors.size() >= 2 * EVENTS);
    assertThat(errors).allMatch(e -> e instanceof IllegalStateException);

    FaultTally throwing = new FaultTally("Throwing listeners (realtime)");
    throwing.injected(2L * EVENTS);
    throwing.survived(Math.min(received.size(), receivedGlobal.size()) * 2L);
    throwing.print(
        EVENTS
            + " events x 2 throwing listeners (topic + client level) and a throwing connection"
            + " listener: the other listeners got "
            + received.size()
            + " of "
            + EVENTS
            + " once each, in order; "
            + errors.size()
            + " errors reached the error handler");
  }

  @Test
  void listenerBlockingLongerThanTheHeartbeat_doesNotCauseAPingTimeout() throws Exception {
    Map<String, String> params = Map.of("executionId", "blocking");
    String room = SocketIoTestServer.roomOf(params);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger blocked = new AtomicInteger();
    List<Integer> received = new CopyOnWriteArrayList<>();
    sub.on(
        "agent-event",
        JsonNode.class,
        ev -> {
          if (seqOf(ev) == 0) {
            blocked.incrementAndGet();
            try {
              // Holds the callback thread until the test has watched the heartbeat go on.
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    sub.on("agent-event", JsonNode.class, ev -> received.add(seqOf(ev)));
    sub.confirmed().get(5, TimeUnit.SECONDS);
    String sessionId = server.state().inRoom(room).get(0).id();
    int handshakesBefore = server.state().handshakes();

    emitInBatches(room, params, BATCH);
    await().atMost(Duration.ofSeconds(10)).until(() -> blocked.get() == 1);
    // Blocked for three times pingInterval + pingTimeout. The server side must see the same socket
    // throughout; the client's own events queue behind the blocked thread and are checked after.
    Duration blockFor = PING_INTERVAL.plus(PING_TIMEOUT).multipliedBy(3);
    try {
      await()
          .during(blockFor)
          .atMost(blockFor.plusSeconds(5))
          .until(
              () -> {
                ServerState state = server.state();
                return state.disconnects().isEmpty() && state.socket(sessionId).isPresent();
              });
    } finally {
      release.countDown();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= BATCH);
    assertThat(received).isEqualTo(range(BATCH));
    assertThat(connection)
        .extracting(e -> e.getClass().getSimpleName())
        .containsExactly("Connecting", "Connected");
    assertThat(server.state().handshakes()).isEqualTo(handshakesBefore);
    assertThat(errors).isEmpty();

    FaultTally slow = new FaultTally("Blocking listener vs heartbeat (realtime)");
    slow.injected(1);
    slow.survived(1);
    slow.print(
        "a listener blocked "
            + blockFor.toMillis()
            + " ms with pingInterval "
            + PING_INTERVAL.toMillis()
            + " ms + pingTimeout "
            + PING_TIMEOUT.toMillis()
            + " ms: no ping timeout, no reconnect, same session, the other listener got all "
            + BATCH
            + " events after it");
  }
}
