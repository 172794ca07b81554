package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.redis.RedisTestServer;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Scale-out failover: two real socket.io 4.8.4 nodes share {@code @socket.io/redis-adapter} over a
 * real {@code redis-server}; the client is given both as {@link RealtimeOptions#endpoints()}. Three
 * times, the node the client is on is SIGKILLed: the client must move to the other node, subscribe
 * again (the plain Redis adapter cannot recover a session, so a {@code Gap} is reported), and
 * receive events emitted through either node, including the killed one once it is back on its port.
 * Every event emitted while the client was subscribed must arrive exactly once.
 *
 * <p>Needs Debian's {@code redis-server}, which the {@code testing} module's build installs when it
 * is missing; {@code -Dquarry.skipRedis=true} skips this test.
 */
class ScaleOutFailoverTest {
  private static final int BATCH = 200;
  private static final int ROUNDS = 3;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Owned owned = new Owned();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    owned.close();
  }

  private <T extends AutoCloseable> T own(T resource) {
    return owned.add(resource);
  }

  private SocketIoTestServer node(RedisTestServer redis, String id) {
    return own(
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder().redis(redis).nodeId(id).recovery(false).build()));
  }

  /** The endpoint of the client's last Connected event. */
  private static URI connectedTo(StreamProbe probe) {
    List<ConnectionEvent> events = probe.connectionEvents();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i) instanceof ConnectionEvent.Connected c) {
        return c.endpoint();
      }
    }
    throw new AssertionError("never connected: " + events);
  }

  private static long connects(StreamProbe probe) {
    return probe.connectionEvents().stream()
        .filter(e -> e instanceof ConnectionEvent.Connected)
        .count();
  }

  @Test
  void nodeKilled_clientFailsOverResubscribesAndReceivesEventsEmittedOnEitherNode()
      throws Exception {
    Assumptions.assumeFalse(
        RedisTestServer.skipRequested(),
        "-D" + RedisTestServer.SKIP_PROPERTY + "=true: the scale-out test needs redis-server");
    RedisTestServer redis = own(RedisTestServer.start());
    SocketIoTestServer a = node(redis, "a");
    SocketIoTestServer b = node(redis, "b");
    URI uriA = URI.create(a.url());
    URI uriB = URI.create(b.url());
    RealtimeClient client =
        own(
            RealtimeClient.create(
                RealtimeOptions.builder(List.of(uriA, uriB))
                    .reconnectBackoff(Backoff.fixed(Duration.ofMillis(100)))
                    .connectTimeout(Duration.ofSeconds(2))
                    .errorHandler((context, e) -> errors.add(e))
                    .build()));
    Map<String, String> params = Map.of("executionId", "scale-out");
    String room = SocketIoTestServer.roomOf(params);
    StreamProbe probe = new StreamProbe(BATCH);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    probe.attach(client, sub);
    client.connect();
    sub.confirmed().get(10, TimeUnit.SECONDS);
    assertThat(connectedTo(probe)).isEqualTo(uriA);

    FaultTally tally = new FaultTally("Node SIGKILLed, failover to the other node (Redis adapter)");
    SocketIoTestServer current = a;
    SocketIoTestServer other = b;
    int batch = 0;
    for (int round = 0; round < ROUNDS; round++) {
      // Events emitted through both nodes reach the client on the current one.
      current.emitSequence(room, "agent-event", StreamProbe.base("scale-out", batch++), BATCH);
      other.emitSequence(room, "agent-event", StreamProbe.base("scale-out", batch++), BATCH);
      int last = batch * BATCH - 1;
      await().atMost(WAIT).until(() -> probe.has(last));

      long connectsBefore = connects(probe);
      int gapsBefore = probe.gaps();
      current.kill();
      tally.injected(1);
      SocketIoTestServer takeover = other;
      await()
          .atMost(WAIT)
          .until(
              () -> connects(probe) > connectsBefore && takeover.state().inRoom(room).size() == 1);
      assertThat(connectedTo(probe)).isEqualTo(URI.create(takeover.url()));
      assertThat(probe.gaps()).isEqualTo(gapsBefore + 1);
      tally.survived(1);

      // The killed node comes back on its port and is part of the cluster again.
      current.restart();
      other = current;
      current = takeover;
    }
    current.emitSequence(room, "agent-event", StreamProbe.base("scale-out", batch++), BATCH);
    other.emitSequence(room, "agent-event", StreamProbe.base("scale-out", batch++), BATCH);
    int total = batch * BATCH;
    await().atMost(WAIT).until(() -> probe.has(total - 1) && probe.distinct() >= total);

    long lost = probe.missing(total) + probe.duplicates();
    if (lost > 0) {
      tally.lost(lost, probe.toString());
    }
    tally.print(
        total
            + " events emitted through both nodes while subscribed, "
            + ROUNDS
            + " failovers: "
            + probe.received()
            + " received, "
            + probe.duplicates()
            + " duplicates, "
            + probe.gaps()
            + " gaps reported, ending on "
            + connectedTo(probe));
    assertThat(probe.missing(total)).as("events lost").isZero();
    assertThat(probe.duplicates()).as("events duplicated").isZero();
    assertThat(probe.gaps()).isEqualTo(ROUNDS);
    assertThat(tally.survived()).isEqualTo(ROUNDS);
    assertThat(probe.connectionEvents())
        .filteredOn(e -> e instanceof ConnectionEvent.Connected)
        .extracting(e -> ((ConnectionEvent.Connected) e).endpoint())
        .containsExactly(uriA, uriB, uriA, uriB);
  }
}
