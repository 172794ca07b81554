package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.fault.FaultProxy;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Network and server faults during a 10,000-event stream (20 batches of 500, the proxy capping the
 * bandwidth so that a fault lands mid-stream), against the real socket.io 4.8.4 server through the
 * {@link FaultProxy}: connection resets with and without connection state recovery, and server
 * restarts (SIGKILL and a new process). With recovery nothing may be lost or duplicated; without
 * it, every hole in the sequence must come after a {@link dev.quarry.realtime.TopicEvent.Gap}.
 */
class RealtimeFaultTest {
  private static final int BATCH = 500;
  private static final int BATCHES = 20;
  private static final int TOTAL = BATCH * BATCHES;
  private static final Set<Integer> FAULT_AT = Set.of(3, 7, 11, 15);
  private static final long BANDWIDTH = 200_000;
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

  private SocketIoTestServer server(boolean recovery) {
    return own(
        SocketIoTestServer.start(SocketIoTestServer.Options.builder().recovery(recovery).build()));
  }

  private RealtimeClient client(String url) {
    RealtimeClient c =
        RealtimeClient.create(
            RealtimeOptions.builder(URI.create(url))
                .reconnectBackoff(Backoff.fixed(Duration.ofMillis(100)))
                .connectTimeout(Duration.ofSeconds(2))
                .errorHandler((context, e) -> errors.add(e))
                .build());
    return own(c);
  }

  /** What one streaming run saw. */
  private record Run(StreamProbe probe, int faults) {}

  /**
   * Streams {@link #TOTAL} events to the topic; after batch {@code b} in {@link #FAULT_AT} has
   * started to arrive, runs {@code fault}. Before each faulted batch and the last one, waits until
   * the client is back and subscribed, so that every fault hits a live stream and the stream's end
   * is observable. Batches sent while the client is away are lost unless recovered.
   */
  private Run stream(
      SocketIoTestServer server, FaultProxy proxy, String executionId, Runnable fault)
      throws Exception {
    RealtimeClient client = client(proxy.url());
    Map<String, String> params = Map.of("executionId", executionId);
    String room = SocketIoTestServer.roomOf(params);
    StreamProbe probe = new StreamProbe(BATCH);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    probe.attach(client, sub);
    client.connect();
    sub.confirmed().get(10, TimeUnit.SECONDS);
    proxy.bandwidth(FaultProxy.Direction.DOWNSTREAM, BANDWIDTH);
    int faults = 0;
    for (int b = 0; b < BATCHES; b++) {
      if (FAULT_AT.contains(b) || b == BATCHES - 1) {
        int done = faults;
        try {
          await()
              .atMost(WAIT)
              .until(() -> probe.reconnects() >= done && server.state().inRoom(room).size() == 1);
        } catch (RuntimeException e) {
          System.out.println(
              "client not back: " + probe + " " + server.state() + " errors " + errors);
          throw e;
        }
      }
      server.emitSequence(room, "agent-event", StreamProbe.base(executionId, b), BATCH);
      if (FAULT_AT.contains(b)) {
        int firstOfBatch = b * BATCH;
        await().atMost(WAIT).until(() -> probe.maxSeq() >= firstOfBatch + BATCH / 5);
        fault.run();
        faults++;
      }
    }
    // The last batch was sent to a subscribed client without a fault: wait for its last event.
    await().atMost(WAIT).until(() -> probe.has(TOTAL - 1));
    return new Run(probe, faults);
  }

  @Test
  void resetsMidStream_withRecovery_loseAndDuplicateNothing() throws Exception {
    SocketIoTestServer server = server(true);
    FaultProxy proxy = own(FaultProxy.start("127.0.0.1", server.port()));
    Run run = stream(server, proxy, "resets-recovery", proxy::resetAll);
    StreamProbe p = run.probe();

    FaultTally tally = new FaultTally("Connection reset mid-stream, recovery on (realtime)");
    tally.injected(run.faults());
    tally.survived(p.recoveredReconnects());
    long lost = p.missing(TOTAL) + p.duplicates();
    if (lost > 0) {
      tally.lost(lost, p.toString());
    }
    tally.print(
        TOTAL
            + " events, "
            + run.faults()
            + " RSTs: "
            + p.received()
            + " delivered, "
            + p.missing(TOTAL)
            + " missing, "
            + p.duplicates()
            + " duplicated, "
            + p.recoveredReconnects()
            + "/"
            + p.reconnects()
            + " reconnects recovered, "
            + p.gaps()
            + " gap events");
    assertThat(p.missing(TOTAL)).as("lost events").isZero();
    assertThat(p.duplicates()).as("duplicated events").isZero();
    assertThat(p.outOfOrder()).as("events out of order").isZero();
    assertThat(p.reconnects()).isEqualTo(run.faults());
    assertThat(p.recoveredReconnects()).isEqualTo(run.faults());
    assertThat(p.gaps()).isZero();
  }

  @Test
  void resetsMidStream_withoutRecovery_reportEveryGap() throws Exception {
    SocketIoTestServer server = server(false);
    FaultProxy proxy = own(FaultProxy.start("127.0.0.1", server.port()));
    Run run = stream(server, proxy, "resets-no-recovery", proxy::resetAll);
    StreamProbe p = run.probe();

    List<String> unreported = p.unreportedHoles(TOTAL);
    FaultTally tally = new FaultTally("Connection reset mid-stream, recovery off (realtime)");
    tally.injected(run.faults());
    tally.survived(p.gaps());
    if (!unreported.isEmpty() || p.duplicates() > 0) {
      tally.lost(unreported.size() + p.duplicates(), unreported + " " + p);
    }
    tally.print(
        TOTAL
            + " events, "
            + run.faults()
            + " RSTs: "
            + p.received()
            + " delivered, "
            + p.missing(TOTAL)
            + " missing (each hole after a gap event), "
            + p.duplicates()
            + " duplicated, "
            + p.gaps()
            + " gap events, "
            + unreported.size()
            + " unreported holes");
    assertThat(unreported).as("holes without a gap report").isEmpty();
    assertThat(p.duplicates()).isZero();
    assertThat(p.outOfOrder()).isZero();
    assertThat(p.reconnects()).isEqualTo(run.faults());
    assertThat(p.recoveredReconnects()).isZero();
    assertThat(p.gaps()).isEqualTo(run.faults());
  }

  @Test
  void serverRestartsDuringTheStream_reportEveryGap_andResubscribe() throws Exception {
    SocketIoTestServer server = server(true);
    FaultProxy proxy = own(FaultProxy.start("127.0.0.1", server.port()));
    Run run = stream(server, proxy, "restarts", server::restart);
    StreamProbe p = run.probe();

    List<String> unreported = p.unreportedHoles(TOTAL);
    FaultTally tally = new FaultTally("Server restart (SIGKILL) mid-stream (realtime)");
    tally.injected(run.faults());
    tally.survived(p.gaps());
    if (!unreported.isEmpty() || p.duplicates() > 0) {
      tally.lost(unreported.size() + p.duplicates(), unreported + " " + p);
    }
    tally.print(
        TOTAL
            + " events, "
            + run.faults()
            + " restarts: "
            + p.received()
            + " delivered, "
            + p.missing(TOTAL)
            + " missing (each hole after a gap event), "
            + p.duplicates()
            + " duplicated, "
            + p.gaps()
            + " gap events, "
            + unreported.size()
            + " unreported holes");
    assertThat(unreported).as("holes without a gap report").isEmpty();
    assertThat(p.duplicates()).isZero();
    assertThat(p.outOfOrder()).isZero();
    assertThat(p.reconnects()).isEqualTo(run.faults());
    assertThat(p.recoveredReconnects()).as("a restarted server cannot recover sessions").isZero();
    assertThat(p.gaps()).isEqualTo(run.faults());
    assertThat(p.connectionEvents()).noneMatch(e -> e instanceof ConnectionEvent.Disconnected);
  }

  @Test
  void blackHoles_areDetectedByTheHeartbeat_andNothingIsLostUnreported() throws Exception {
    Duration interval = Duration.ofMillis(300);
    Duration timeout = Duration.ofMillis(300);
    SocketIoTestServer server =
        own(
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder()
                    .pingInterval(interval)
                    .pingTimeout(timeout)
                    .recovery(true)
                    .build()));
    FaultProxy proxy = own(FaultProxy.start("127.0.0.1", server.port()));
    RealtimeClient client = client(proxy.url());
    Map<String, String> params = Map.of("executionId", "black-hole");
    String room = SocketIoTestServer.roomOf(params);
    int batch = 100;
    StreamProbe probe = new StreamProbe(batch);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    probe.attach(client, sub);
    client.connect();
    sub.confirmed().get(10, TimeUnit.SECONDS);
    server.emitSequence(room, "agent-event", StreamProbe.base("black-hole", 0), batch);
    await().atMost(WAIT).until(() -> probe.has(batch - 1));

    int cycles = 3;
    List<Long> detectMillis = new ArrayList<>();
    for (int c = 0; c < cycles; c++) {
      int cycle = c;
      long t0 = System.nanoTime();
      proxy.blackHole(true);
      await()
          .atMost(interval.plus(timeout).plusSeconds(5))
          .until(() -> pingTimeouts(probe) > cycle);
      detectMillis.add((System.nanoTime() - t0) / 1_000_000);
      // Emitted while the client is cut off: recovered, or reported as a gap.
      server.emitSequence(room, "agent-event", StreamProbe.base("black-hole", 1 + 2 * c), batch);
      proxy.blackHole(false);
      await()
          .atMost(WAIT)
          .until(() -> probe.reconnects() > cycle && server.state().inRoom(room).size() == 1);
      server.emitSequence(room, "agent-event", StreamProbe.base("black-hole", 2 + 2 * c), batch);
      int last = (3 + 2 * c) * batch - 1;
      await().atMost(WAIT).until(() -> probe.has(last));
    }
    int total = (1 + 2 * cycles) * batch;
    List<String> unreported = probe.unreportedHoles(total);
    FaultTally tally = new FaultTally("Black hole (dead-but-open connection) (realtime)");
    tally.injected(cycles);
    tally.survived(Math.min(cycles, pingTimeouts(probe)));
    if (!unreported.isEmpty() || probe.duplicates() > 0) {
      tally.lost(unreported.size() + probe.duplicates(), unreported + " " + probe);
    }
    tally.print(
        cycles
            + " black holes with pingInterval "
            + interval.toMillis()
            + " + pingTimeout "
            + timeout.toMillis()
            + " ms: detected after "
            + detectMillis
            + " ms; "
            + total
            + " events, "
            + probe.missing(total)
            + " missing (reported by "
            + probe.gaps()
            + " gap events), "
            + probe.duplicates()
            + " duplicated, "
            + probe.recoveredReconnects()
            + "/"
            + probe.reconnects()
            + " reconnects recovered");
    for (long ms : detectMillis) {
      // Generous: the point is that the heartbeat, not a TCP timeout of minutes, notices.
      assertThat(ms).isLessThan(interval.plus(timeout).plusSeconds(3).toMillis());
    }
    assertThat(unreported).isEmpty();
    assertThat(probe.duplicates()).isZero();
    assertThat(probe.outOfOrder()).isZero();
    assertThat(probe.missing(total)).isLessThanOrEqualTo(probe.gaps() * batch);
  }

  @Test
  void latencyAndLowBandwidth_deliverEveryEventOnceInOrder_withoutReconnecting() throws Exception {
    SocketIoTestServer server = server(true);
    FaultProxy proxy = own(FaultProxy.start("127.0.0.1", server.port()));
    proxy.latency(FaultProxy.Direction.UPSTREAM, Duration.ofMillis(150));
    proxy.latency(FaultProxy.Direction.DOWNSTREAM, Duration.ofMillis(150));
    proxy.bandwidth(FaultProxy.Direction.DOWNSTREAM, 100_000);
    RealtimeClient client = client(proxy.url());
    Map<String, String> params = Map.of("executionId", "slow-network");
    String room = SocketIoTestServer.roomOf(params);
    int batch = 1_000;
    int batches = 5;
    StreamProbe probe = new StreamProbe(batch);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    probe.attach(client, sub);
    client.connect();
    sub.confirmed().get(10, TimeUnit.SECONDS);
    for (int b = 0; b < batches; b++) {
      server.emitSequence(room, "agent-event", StreamProbe.base("slow-network", b), batch);
    }
    int total = batch * batches;
    await().atMost(WAIT).until(() -> probe.has(total - 1));
    long t0 = System.nanoTime();
    JsonNode echo =
        client.emitWithAck("echo", Duration.ofSeconds(10), "ping").get(10, TimeUnit.SECONDS);
    long ackMillis = (System.nanoTime() - t0) / 1_000_000;

    FaultTally tally = new FaultTally("Latency 150 ms each way + 100 kB/s downstream (realtime)");
    tally.injected(total);
    tally.survived(probe.distinct());
    long lost = probe.missing(total) + probe.duplicates();
    if (lost > 0) {
      tally.lost(lost, probe.toString());
    }
    tally.print(
        total
            + " events: "
            + probe.distinct()
            + " delivered once, in order; "
            + probe.reconnects()
            + " reconnects; ack round trip "
            + ackMillis
            + " ms");
    assertThat(echo.get(0).asText()).isEqualTo("ping");
    assertThat(ackMillis).as("the ack crossed the proxy both ways").isGreaterThanOrEqualTo(290);
    assertThat(probe.missing(total)).isZero();
    assertThat(probe.duplicates()).isZero();
    assertThat(probe.outOfOrder()).isZero();
    assertThat(probe.reconnects()).isZero();
  }

  private static int pingTimeouts(StreamProbe probe) {
    return (int)
        probe.connectionEvents().stream()
            .filter(
                e ->
                    e instanceof ConnectionEvent.Reconnecting r
                        && r.reason() == DisconnectReason.PING_TIMEOUT)
            .count();
  }
}
