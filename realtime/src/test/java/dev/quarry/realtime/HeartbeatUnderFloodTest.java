package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Against the real Node socket.io server with a short heartbeat (ping every 200 ms, 800 ms to
 * answer; the client gives up after 1 s without a ping): a flood of events does not delay the
 * pongs, so neither side drops the connection. (With 400 ms to answer, an idle connection was seen
 * to time out on a machine with a load of 13 on 2 cores, before any event was sent.)
 */
class HeartbeatUnderFloodTest {
  /**
   * The flood is emitted in batches: the test server emits a batch in one synchronous loop, during
   * which Node cannot run its ping timer, so one huge batch would starve the heartbeat on the
   * server's side, whatever the client does. Batches are sent while the client is at most {@link
   * #IN_FLIGHT} of them behind.
   */
  private static final int BATCH = 500;

  private static final int BATCHES = 60;
  private static final int IN_FLIGHT = 6;
  private static final int EVENTS = BATCH * BATCHES;

  @Test
  void aFloodOfEvents_withAShortHeartbeat_keepsTheConnection_andDeliversEveryEventInOrder()
      throws Exception {
    try (SocketIoTestServer server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .pingInterval(Duration.ofMillis(200))
                .pingTimeout(Duration.ofMillis(800))
                .build())) {
      List<ConnectionEvent> lost = new CopyOnWriteArrayList<>();
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      try (RealtimeClient client =
          RealtimeClient.create(
              RealtimeOptions.builder(URI.create(server.url()))
                  .maxReconnectAttempts(0)
                  .errorHandler((c, e) -> errors.add(e))
                  .build())) {
        client.onConnectionEvent(
            e -> {
              if (e instanceof ConnectionEvent.Disconnected
                  || e instanceof ConnectionEvent.Reconnecting) {
                lost.add(e);
              }
            });
        client.connect();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.isConnected() || !lost.isEmpty());
        assertThat(lost).as("connection lost before the flood").isEmpty();

        Map<String, String> params = Map.of("executionId", "flood");
        String room = SocketIoTestServer.roomOf(params);
        TopicSubscription sub = client.subscribe(Topic.of("execution", params));
        // Each batch numbers its events from 0. Ints, not boxed in a list per event: the listener
        // must not be what falls behind.
        int[] seqs = new int[EVENTS];
        AtomicInteger count = new AtomicInteger();
        sub.on(
            "agent-event",
            JsonNode.class,
            ev -> {
              int k = count.get();
              if (k < EVENTS) {
                seqs[k] = ev.get("seq").asInt();
              }
              count.incrementAndGet();
            });
        sub.confirmed().get(5, TimeUnit.SECONDS);

        for (int b = 0; b < BATCHES && lost.isEmpty(); b++) {
          // At most IN_FLIGHT batches ahead of the client: thousands of events wait in front of
          // each ping, without the server's own loop being kept busy for the whole flood.
          int before = (b - IN_FLIGHT) * BATCH;
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(5))
              .until(() -> count.get() >= before || !lost.isEmpty());
          server.emitSequence(room, "agent-event", params, BATCH);
        }
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> count.get() >= EVENTS || !lost.isEmpty());

        assertThat(lost).as("connection lost during the flood").isEmpty();
        assertThat(count.get()).isEqualTo(EVENTS);
        List<Integer> outOfOrder = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
          if (seqs[i] != i % BATCH) {
            outOfOrder.add(i);
          }
        }
        assertThat(outOfOrder).as("positions out of order").isEmpty();
        assertThat(client.isConnected()).isTrue();
        assertThat(errors).isEmpty();
      }
    }
  }
}
