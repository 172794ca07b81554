package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryObserver;
import dev.quarry.core.QueryKey;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A remote peer floods a bound query with invalidating events: the real socket.io server emits
 * 1,000 events at 100 per second, the query fetches from mockwebserver3 (30 ms per answer). The
 * binding coalesces them: at most one refetch per {@link TopicBinding#minRefetchInterval(Duration)}
 * per query, none cancelled, and the observer ends on the last server state.
 */
class InvalidationStormTest {
  record State(int version) {}

  static final Duration WAIT = Duration.ofSeconds(30);
  static final int EVENTS = 1_000;
  static final long PERIOD_MILLIS = 10; // 100 events per second

  final AtomicInteger serverVersion = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  final List<Long> requestTimes = new CopyOnWriteArrayList<>();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  SocketIoTestServer sio;
  MockWebServer http;
  Quarry quarry;
  ScheduledExecutorService pacer;

  @BeforeEach
  void start() throws Exception {
    sio = SocketIoTestServer.start();
    http = new MockWebServer();
    http.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.incrementAndGet();
            requestTimes.add(System.nanoTime());
            return new MockResponse.Builder()
                .code(200)
                .addHeader("Content-Type", "application/json")
                .body("{\"version\":" + serverVersion.get() + "}")
                .headersDelay(30, TimeUnit.MILLISECONDS)
                .build();
          }
        });
    http.start();
    quarry =
        Quarry.builder()
            .baseUrl(http.url("/api/").toString())
            .realtime(URI.create(sio.url()), r -> r)
            .errorHandler((c, e) -> errors.add(e))
            .build();
    await().atMost(WAIT).until(() -> quarry.realtime().state() == ConnectionState.CONNECTED);
    pacer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "storm-pacer");
              t.setDaemon(true);
              return t;
            });
  }

  @AfterEach
  void stop() {
    pacer.shutdownNow();
    quarry.close();
    http.close();
    sio.close();
  }

  @Test
  void thousandEventsAt100PerSecond_onOneBoundQuery_makeAHandfulOfRequests_andEndOnTheLastState()
      throws Exception {
    QueryKey key = QueryKey.of("storm", "s1");
    quarry.bind(Topic.of("storm", "stormId", "s1")).invalidate("changed", key);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    AtomicLong burstOver = new AtomicLong(Long.MAX_VALUE);
    AtomicInteger seenDuringBurst = new AtomicInteger();
    QueryObserver<State> observer =
        quarry.observe(
            quarry.query(key, h -> h.get("state", State.class)),
            r ->
                r.data()
                    .ifPresent(
                        s -> {
                          if (seen.isEmpty() || seen.get(seen.size() - 1) != s.version()) {
                            seen.add(s.version());
                            if (System.nanoTime() < burstOver.get() && s.version() > 0) {
                              seenDuringBurst.incrementAndGet();
                            }
                          }
                        }));
    String room = SocketIoTestServer.roomOf(Map.of("stormId", "s1"));
    await().atMost(WAIT).until(() -> sio.state().inRoom(room).size() == 1);
    await().atMost(WAIT).until(() -> seen.contains(0));
    await().atMost(WAIT).until(() -> quarry.queries().isFetching(QueryFilters.all()) == 0);
    requests.set(0);
    requestTimes.clear();

    CountDownLatch emitted = new CountDownLatch(1);
    AtomicInteger sent = new AtomicInteger();
    long started = System.nanoTime();
    pacer.scheduleAtFixedRate(
        () -> {
          int v = sent.incrementAndGet();
          if (v > EVENTS) {
            emitted.countDown();
            throw new IllegalStateException("done"); // ends the fixed-rate task
          }
          serverVersion.set(v);
          sio.emit(room, "changed", Map.of("stormId", "s1", "version", v));
        },
        0,
        PERIOD_MILLIS,
        TimeUnit.MILLISECONDS);
    assertThat(emitted.await(60, TimeUnit.SECONDS)).as("the burst was emitted").isTrue();
    burstOver.set(System.nanoTime());
    Duration burst = Duration.ofNanos(burstOver.get() - started);

    await().atMost(WAIT).until(() -> !seen.isEmpty() && seen.get(seen.size() - 1) == EVENTS);
    await().atMost(WAIT).until(() -> quarry.queries().isFetching(QueryFilters.all()) == 0);
    int made = requests.get();
    long interval = TopicBinding.DEFAULT_MIN_REFETCH_INTERVAL.toMillis();
    // Refetches start at least an interval apart, from the first event until an interval after
    // the last one has arrived (the trailing refetch): at most one per interval over that span.
    int bound = (int) ((burst.toMillis() + interval) / interval) + 2;
    long closest = Long.MAX_VALUE;
    for (int i = 1; i < requestTimes.size(); i++) {
      closest = Math.min(closest, requestTimes.get(i) - requestTimes.get(i - 1));
    }
    Duration closestGap = Duration.ofNanos(closest);

    System.out.println(
        "RELIABILITY | realtime invalidation storm | injected="
            + EVENTS
            + " | survived="
            + seen.get(seen.size() - 1)
            + " | lost="
            + (EVENTS - seen.get(seen.size() - 1))
            + " | "
            + EVENTS
            + " events in "
            + burst.toMillis()
            + " ms on one bound query: "
            + made
            + " HTTP requests (bound "
            + bound
            + ", closest two "
            + closestGap.toMillis()
            + " ms apart), "
            + seenDuringBurst.get()
            + " new states shown during the burst, last state "
            + seen.get(seen.size() - 1));
    assertThat(made).as("requests for %d events in %s", EVENTS, burst).isLessThanOrEqualTo(bound);
    // Refetches start an interval apart; their arrival at the server lags by a varying delay
    // (tens of milliseconds, more on a busy machine), hence the margin.
    assertThat(closestGap)
        .as("requests at least minRefetchInterval apart")
        .isGreaterThan(Duration.ofMillis(interval / 2));
    assertThat(seenDuringBurst.get())
        .as("new data shown during the burst")
        .isGreaterThanOrEqualTo(3);
    assertThat(seen.get(seen.size() - 1)).isEqualTo(EVENTS);
    assertThat(errors).isEmpty();
    observer.close();
  }
}
