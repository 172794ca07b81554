package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transport's reader thread only answers pings and queues frames; the connection's inbound
 * stage decodes and routes them, in order, behind a bounded queue. Timers run in virtual time; the
 * reader and the stage are real threads, so the waits here are real and bounded.
 */
class InboundStageTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The queue alone: the reader never decodes a frame itself. */
  private static final Inbound.Limits QUEUE_ONLY =
      new Inbound.Limits(Inbound.Limits.DEFAULT.frames(), Inbound.Limits.DEFAULT.units(), false);

  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final List<Integer> received = new CopyOnWriteArrayList<>();
  private final List<String> receivedOn = new CopyOnWriteArrayList<>();
  private volatile Duration decodingTakes = Duration.ZERO;
  private final CountDownLatch release = new CountDownLatch(1);
  private @Nullable RealRealtimeConnection connection;
  private @Nullable Thread blocker;

  private RealtimeOptions options() {
    return options(VirtualTime.direct(), RealtimeOptions.DEFAULT_MAX_QUEUED_EVENTS);
  }

  private RealtimeOptions options(Executor callbacks, int maxQueuedEvents) {
    return RealtimeOptions.builder(SERVER)
        .time(time, time)
        .callbackExecutor(callbacks)
        .maxQueuedEvents(maxQueuedEvents, 1 << 20)
        .random(new SplittableRandom(0))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofSeconds(1))
                .max(Duration.ofSeconds(1))
                .jitter(Backoff.Jitter.NONE)
                .build())
        .errorHandler((context, e) -> errors.add(e))
        .build();
  }

  /**
   * A connected client of namespace "/" listening to {@code n(int)}, its frames decoded on {@code
   * inbound} (null: the connection's own thread), at most {@code limits} of them waiting.
   */
  private FakeTransports.FakeTransport connected(
      @Nullable Executor inbound, Inbound.Limits limits) {
    return connected(options(), inbound, limits);
  }

  private FakeTransports.FakeTransport connected(
      RealtimeOptions options, @Nullable Executor inbound, Inbound.Limits limits) {
    RealRealtimeConnection c = new RealRealtimeConnection(options, transports, inbound, limits);
    connection = c;
    RealtimeClient client = c.namespace("/");
    client.onConnectionEvent(events::add);
    client.on(
        "n",
        Integer.class,
        n -> {
          receivedOn.add(Thread.currentThread().getName());
          // what decoding and routing "cost": the listener runs on the decoding thread here
          // (direct callback executor), so the reader's inline time includes it
          Duration d = decodingTakes;
          if (!d.isZero()) {
            time.advance(d);
          }
          received.add(n);
        });
    client.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    await().atMost(WAIT).until(client::isConnected);
    return t;
  }

  /** Holds the connection's lock on a thread of its own until {@link #release} counts down. */
  private void holdTheLock() throws InterruptedException {
    RealRealtimeConnection c = connection;
    CountDownLatch held = new CountDownLatch(1);
    Thread th =
        new Thread(
            () -> {
              synchronized (c.lock()) {
                held.countDown();
                try {
                  release.await(3 * WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            "test-lock-holder");
    th.setDaemon(true);
    th.start();
    blocker = th;
    assertThat(held.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  /** Feeds {@code frames} to the transport on a reader thread of its own, as OkHttp would. */
  private static Thread reader(FakeTransports.FakeTransport t, List<String> frames) {
    Thread th =
        new Thread(
            () -> {
              for (String f : frames) {
                t.receive(f);
              }
            },
            "test-reader");
    th.setDaemon(true);
    th.start();
    return th;
  }

  private static List<String> events(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("42[\"n\"," + i + "]");
    }
    return out;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  private static long pongs(FakeTransports.FakeTransport t) {
    return t.texts().stream().filter("3"::equals).count();
  }

  @AfterEach
  void close() throws InterruptedException {
    release.countDown();
    Thread b = blocker;
    if (b != null) {
      b.join(WAIT.toMillis());
    }
    RealRealtimeConnection c = connection;
    if (c != null) {
      c.close();
    }
  }

  @Test
  void aPingBehindThousandsOfEvents_isAnsweredAtOnce_whileTheStageCannotDecodeThem()
      throws Exception {
    FakeTransports.FakeTransport t = connected(null, QUEUE_ONLY);
    Conn conn = connection.currentConn();
    // The stage is stuck: it cannot take the connection's lock to route what it decodes.
    holdTheLock();
    List<String> frames = events(0, 2_000);
    frames.add("2");
    Thread reader = reader(t, frames);

    // The reader gets through all of it while the stage is stuck: no frame waits for decoding.
    reader.join(WAIT.toMillis());
    assertThat(reader.isAlive()).as("reader still busy").isFalse();
    assertThat(pongs(t)).as("pongs sent").isEqualTo(1);
    assertThat(received).as("events delivered before the stage could route them").isEmpty();
    // 2,001 frames were offered; the stage may or may not have taken the first yet (it is stuck
    // routing it once it has): either way nothing else left the queue.
    assertThat(conn.queuedFrames())
        .as("frames waiting for the stage (the first may be being routed)")
        .isBetween(2_000, 2_001);

    release.countDown();
    await().atMost(WAIT).until(() -> received.size() == 2_000);
    assertThat(received).isEqualTo(range(0, 2_000));
    assertThat(errors).isEmpty();
  }

  @Test
  void aFullQueue_makesTheReaderWait_afterAnsweringItsPings_andDropsNothing() throws Exception {
    FakeTransports.FakeTransport t = connected(null, new Inbound.Limits(8, 1 << 20, false));
    Conn conn = connection.currentConn();
    holdTheLock();
    List<String> frames = events(0, 5);
    frames.add("2");
    frames.addAll(events(5, 20));
    Thread reader = reader(t, frames);

    // One frame is taken by the stage (stuck routing it), eight wait; the reader waits to add the
    // tenth, having answered the ping it read.
    // (The stage may take its frame after the reader first waits: the reader is woken only once
    // the queue is half empty, so it goes on waiting with seven frames queued.)
    await()
        .atMost(WAIT)
        .until(
            () ->
                reader.getState() == Thread.State.WAITING
                    && conn.queuedFrames() >= 7
                    && conn.queuedFrames() <= 8);
    assertThat(pongs(t)).isEqualTo(1);
    assertThat(received).isEmpty();

    release.countDown();
    reader.join(WAIT.toMillis());
    assertThat(reader.isAlive()).as("reader still waiting").isFalse();
    await().atMost(WAIT).until(() -> received.size() == 20);
    assertThat(received).isEqualTo(range(0, 20));
    assertThat(errors).isEmpty();
    assertThat(events)
        .noneMatch(e -> e instanceof ConnectionEvent.Reconnecting)
        .noneMatch(e -> e instanceof ConnectionEvent.Disconnected);
  }

  @Test
  void
      aMalformedFrame_isReportedByTheStage_andResetsTheConnectionWithParseError_afterTheEventsBeforeIt()
          throws Exception {
    FakeTransports.FakeTransport t = connected(null, QUEUE_ONLY);
    List<String> frames = events(0, 3);
    frames.add("42[\"n\",oops]");
    frames.addAll(events(3, 6));
    reader(t, frames).join(WAIT.toMillis());

    await()
        .atMost(WAIT)
        .until(() -> events.stream().anyMatch(e -> e instanceof ConnectionEvent.Reconnecting));
    assertThat(errors)
        .singleElement()
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e).hasMessageContaining("malformed JSON in frame '42[\"n\",oops]'"));
    assertThat(events)
        .filteredOn(ConnectionEvent.Reconnecting.class::isInstance)
        .map(e -> ((ConnectionEvent.Reconnecting) e).reason())
        .containsExactly(DisconnectReason.PARSE_ERROR);
    assertThat(t.cancelled).as("transport dropped").isTrue();
    assertThat(received).as("the events before the bad frame, none after").isEqualTo(range(0, 3));
  }

  @Test
  void aReaderWaitingOnAFullQueue_isReleasedByClose_andTheQueuedFramesAreDiscarded()
      throws Exception {
    // A stage that never runs: its drain tasks are kept, not executed.
    ConcurrentLinkedQueue<Runnable> never = new ConcurrentLinkedQueue<>();
    Executor held =
        task -> {
          never.add(task);
        };
    RealRealtimeConnection c =
        new RealRealtimeConnection(
            options(), transports, held, new Inbound.Limits(2, 1 << 20, false));
    connection = c;
    c.namespace("/").connect();
    FakeTransports.FakeTransport t = transports.last();
    Thread reader =
        reader(
            t,
            List.of(
                "0{\"sid\":\"e1\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}",
                "2",
                "40{\"sid\":\"s1\"}",
                "42[\"n\",1]"));

    await().atMost(WAIT).until(() -> reader.getState() == Thread.State.WAITING);
    assertThat(pongs(t)).isEqualTo(1);
    assertThat(c.currentConn().queuedFrames()).isEqualTo(2);
    assertThat(c.isOpen()).as("open packet decoded").isFalse();
    assertThat(never).as("drain tasks handed to the stage").hasSize(1);

    c.close();
    reader.join(WAIT.toMillis());
    assertThat(reader.isAlive()).as("reader still waiting after close").isFalse();
    assertThat(c.currentConn()).isNull();
  }

  // ---------------------------------------------------------------- a lone frame on a quiet
  // connection

  @Test
  void aLoneFrameOnAQuietConnection_isDecodedByTheReaderItself_withoutAHopToTheStage()
      throws Exception {
    FakeTransports.FakeTransport t = connected(null, Inbound.Limits.DEFAULT);
    Conn conn = connection.currentConn();
    long before = conn.framesDecodedByReader();

    reader(t, List.of("42[\"n\",1]")).join(WAIT.toMillis());

    assertThat(received).containsExactly(1);
    assertThat(receivedOn).containsExactly("test-reader");
    assertThat(conn.framesDecodedByReader() - before).isEqualTo(1);
    assertThat(conn.queuedFrames()).isZero();
  }

  @Test
  void theReaderDecodesOnlyItsShareOfTime_thenFramesGoToTheStage_untilItHasEarnedMore()
      throws Exception {
    FakeTransports.FakeTransport t = connected(null, Inbound.Limits.DEFAULT);
    Conn conn = connection.currentConn();
    String reader = Thread.currentThread().getName();

    // One frame whose decoding and routing take 10 ms: four times that is owed (the reader earns
    // a quarter of the time that passes), more than the 2 ms it may hold.
    decodingTakes = Duration.ofMillis(10);
    t.receive("42[\"n\",1]");
    decodingTakes = Duration.ZERO;
    assertThat(receivedOn).containsExactly(reader);

    // In debt: the next frames go to the stage, in order.
    t.receive("42[\"n\",2]");
    t.receive("42[\"n\",3]");
    await().atMost(WAIT).until(() -> received.size() == 3);
    assertThat(receivedOn.subList(1, 3)).allMatch(n -> n.startsWith("quarry-realtime-inbound"));

    // After 100 ms (of the connection's clock) it has earned its 2 ms again.
    time.advance(Duration.ofMillis(100));
    await().atMost(WAIT).until(() -> conn.queuedFrames() == 0);
    t.receive("42[\"n\",4]");
    assertThat(receivedOn.get(3)).isEqualTo(reader);
    assertThat(received).containsExactly(1, 2, 3, 4);
    assertThat(errors).isEmpty();
  }

  @Test
  void aFrameIsNeverDecodedByTheReader_whileOthersWaitForTheStage_soTheOrderIsKept()
      throws Exception {
    FakeTransports.FakeTransport t = connected(null, Inbound.Limits.DEFAULT);
    Conn conn = connection.currentConn();
    // Put the reader in debt so that frame 2 goes to the stage, then hold the stage there.
    decodingTakes = Duration.ofMillis(10);
    t.receive("42[\"n\",1]");
    decodingTakes = Duration.ZERO;
    holdTheLock();
    List<String> frames = events(2, 50);
    Thread first = reader(t, frames);
    first.join(WAIT.toMillis());
    assertThat(first.isAlive()).as("reader still busy").isFalse();

    // The reader has earned its credit back, but the stage is busy and frames wait: the next
    // frame must queue behind them (inline, it would overtake them, or wait for the lock).
    time.advance(Duration.ofMillis(100));
    Thread second = reader(t, events(50, 60));
    second.join(WAIT.toMillis());
    assertThat(second.isAlive()).as("reader waiting for the lock the stage needs").isFalse();
    assertThat(conn.queuedFrames()).isBetween(57, 58);
    assertThat(received).containsExactly(1);

    release.countDown();
    await().atMost(WAIT).until(() -> received.size() == 59);
    assertThat(received).isEqualTo(range(1, 60));
    assertThat(errors).isEmpty();
  }

  // ---------------------------------------------------------------- a full event lane

  /** Runs the listener tasks handed to the callback executor so far; true if it ran any. */
  private static boolean runPending(ConcurrentLinkedQueue<Runnable> pending) {
    boolean ran = false;
    Runnable r;
    while ((r = pending.poll()) != null) {
      r.run();
      ran = true;
    }
    return ran;
  }

  @Test
  void aFullEventLane_holdsTheConnectionBack_whileTheListenersTakeEvents_andDropsNothing()
      throws Exception {
    ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    FakeTransports.FakeTransport t =
        connected(options(pending::add, 2), null, Inbound.Limits.DEFAULT);
    runPending(pending); // the connection events
    Conn conn = connection.currentConn();

    Thread reader = reader(t, events(0, 10));
    reader.join(WAIT.toMillis());
    assertThat(reader.isAlive()).as("reader waiting").isFalse();
    // Two events wait for their listeners, the stage holds the third (waiting for room), seven
    // wait in the inbound queue: nothing dropped, no reconnect.
    await().atMost(WAIT).until(() -> conn.queuedFrames() == 7);
    assertThat(received).isEmpty();

    // The listeners take events one burst at a time: the connection follows at their pace.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              runPending(pending);
              return received.size() == 10;
            });
    assertThat(received).isEqualTo(range(0, 10));
    assertThat(errors).isEmpty();
    assertThat(events)
        .noneMatch(e -> e instanceof ConnectionEvent.Reconnecting)
        .noneMatch(e -> e instanceof ConnectionEvent.Disconnected);
    assertThat(connection.currentConn()).isSameAs(conn);
  }

  @Test
  void aStuckListener_isDroppedAndRecoveredAfterTheStallTimeout_notBefore() throws Exception {
    ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    FakeTransports.FakeTransport t =
        connected(options(pending::add, 2), null, Inbound.Limits.DEFAULT);
    runPending(pending);
    Conn conn = connection.currentConn();
    reader(t, events(0, 5)).join(WAIT.toMillis());
    await().atMost(WAIT).until(() -> conn.queuedFrames() == 2);

    // The listeners take nothing: just under the stall timeout (2 s) the connection is held
    // (and its heartbeat kept: the reader answers the server's pings meanwhile).
    time.advance(RealtimeOptions.DEFAULT_DELIVERY_STALL_TIMEOUT.minusMillis(100));
    t.receive("2");
    assertThat(pongs(t)).isEqualTo(1);
    assertThat(conn.queuedFrames()).isEqualTo(3);
    assertThat(t.cancelled).isFalse();

    // At the timeout, drop and recover: the held event overflows, the connection is closed.
    time.advance(Duration.ofMillis(100));
    await().atMost(WAIT).until(() -> t.cancelled);
    // (the report is handed to the callback executor once the stage has released the lock)
    await()
        .atMost(WAIT)
        .until(
            () -> {
              runPending(pending);
              return !errors.isEmpty();
            });
    assertThat(errors)
        .singleElement()
        .isInstanceOfSatisfying(
            DeliveryOverflowException.class, e -> assertThat(e.dropped()).isEqualTo(1));
    assertThat(events)
        .filteredOn(ConnectionEvent.Reconnecting.class::isInstance)
        .map(e -> ((ConnectionEvent.Reconnecting) e).reason())
        .containsExactly(DisconnectReason.DELIVERY_OVERFLOW);
    assertThat(received).as("the two queued before the overflow").isEqualTo(range(0, 2));
  }
}
