package dev.quarry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The coalescing rule of binding-driven invalidations, in virtual time. */
class RefetchCoalescerTest {
  static final Duration LATENCY = Duration.ofMillis(50);
  static final Duration SECOND = Duration.ofSeconds(1);

  final VirtualTime time = new VirtualTime();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  final QueryClient queries =
      QueryClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .errorHandler((c, e) -> errors.add(e))
          .build();
  final RefetchCoalescer coalescer =
      new RefetchCoalescer(queries, time, time, (c, e) -> errors.add(e));
  final QueryKey key = QueryKey.of("execution", "e1");

  /** A server whose state is a version number; each answer takes {@link #LATENCY}. */
  int version;

  final List<CompletableFuture<Integer>> requests = new ArrayList<>();

  QueryOptions<Integer> options(QueryKey k) {
    return QueryOptions.of(
        k,
        ctx -> {
          int v = version; // the state when the request reached the server
          CompletableFuture<Integer> answer = new CompletableFuture<>();
          requests.add(answer);
          time.schedule(LATENCY, () -> answer.complete(v));
          return answer;
        });
  }

  final List<Integer> shown = new ArrayList<>();

  QueryObserver<Integer> observe(QueryKey k) {
    QueryObserver<Integer> o =
        queries.observe(
            options(k),
            r ->
                r.data()
                    .ifPresent(
                        v -> {
                          if (shown.isEmpty() || shown.get(shown.size() - 1) != v) {
                            shown.add(v);
                          }
                        }));
    time.advance(LATENCY); // the first fetch lands
    requests.clear();
    return o;
  }

  void event(Duration window) {
    version++;
    coalescer.invalidate(QueryKey.of("execution"), window);
  }

  @AfterEach
  void close() {
    coalescer.close();
    queries.close();
    assertThat(errors).isEmpty();
  }

  @Test
  void anEventWhileIdle_refetchesAtOnce() {
    observe(key);
    event(SECOND);
    assertThat(requests).hasSize(1);
    time.advance(LATENCY);
    assertThat(shown).containsExactly(0, 1);
  }

  @Test
  void eventsWhileARefetchIsInFlight_cancelNothing_andLeadToExactlyOneRefetchAfterItSettles() {
    observe(key);
    event(Duration.ZERO);
    event(Duration.ZERO);
    event(Duration.ZERO);
    assertThat(requests).hasSize(1);

    time.advance(LATENCY);

    assertThat(requests.get(0)).isCompleted().isNotCancelled();
    assertThat(requests).as("one refetch after the first settled").hasSize(2);
    time.advance(LATENCY);
    assertThat(requests).hasSize(2);
    assertThat(shown).containsExactly(0, 1, 3);
    assertThat(coalescer.trackedKeys()).isZero();
  }

  @Test
  void anEventInsideTheWindow_waitsUntilTheWindowCloses_thenOneRefetchCoversEveryEvent() {
    observe(key);
    event(SECOND); // refetch at t=0, settles at 50 ms
    time.advance(Duration.ofMillis(100));
    event(SECOND);
    event(SECOND);
    time.advance(Duration.ofMillis(899));
    assertThat(requests).as("window open until t=1 s").hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(requests).hasSize(2);
    time.advance(LATENCY);
    assertThat(shown).containsExactly(0, 1, 3);
  }

  @Test
  void aFetchStartedByAnotherCaller_isJoined_andFollowedByOneRefetch() {
    QueryObserver<Integer> o = observe(key);
    o.refetch(); // started before the event
    version++;
    coalescer.invalidate(key, Duration.ZERO);
    assertThat(requests).as("joined, not restarted").hasSize(1);
    assertThat(requests.get(0)).isNotCancelled();
    time.advance(LATENCY);
    time.advance(LATENCY);
    assertThat(requests).as("the joined fetch, then one that starts after the event").hasSize(2);
    assertThat(shown).containsExactly(0, 1);
  }

  @Test
  void inactiveQueries_areMarkedInvalidated_butNotRefetched() {
    queries.fetchQuery(options(key));
    time.advance(LATENCY);
    requests.clear();
    event(SECOND);
    assertThat(requests).isEmpty();
    assertThat(queries.getQueryState(key).orElseThrow().isInvalidated()).isTrue();
    assertThat(coalescer.trackedKeys()).isZero();
  }

  @Test
  void eachQueryUnderThePrefix_isCoalescedOnItsOwn() {
    QueryKey other = QueryKey.of("execution", "e2");
    observe(key);
    observe(other);
    event(SECOND);
    assertThat(requests).hasSize(2);
    event(SECOND);
    time.advance(SECOND);
    assertThat(requests).hasSize(4);
  }

  @Test
  void aStormOf1000EventsAt100PerSecond_costsOneRequestPerInterval_andEndsOnTheLastState() {
    observe(key);
    int events = 1_000;
    List<Integer> shownDuringStorm = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      event(SECOND);
      time.advance(Duration.ofMillis(10));
    }
    shownDuringStorm.addAll(shown);
    time.advance(Duration.ofSeconds(2));

    // 10 s of events, one request per second (the last one after the last event).
    assertThat(requests).hasSizeBetween(10, 11);
    assertThat(requests).allSatisfy(r -> assertThat(r).isCompleted().isNotCancelled());
    assertThat(shownDuringStorm).as("new data during the storm").hasSizeGreaterThan(5);
    assertThat(shown.get(shown.size() - 1)).isEqualTo(events);
    assertThat(coalescer.trackedKeys()).isZero();
    System.out.println(
        "RELIABILITY | realtime invalidation storm, virtual time | injected="
            + events
            + " | survived="
            + events
            + " | lost="
            + (events - shown.get(shown.size() - 1))
            + " | 1,000 events at 100/s, 50 ms answers, minRefetchInterval 1 s: "
            + requests.size()
            + " requests, "
            + shownDuringStorm.size()
            + " states shown during the storm, last state "
            + shown.get(shown.size() - 1));
  }

  @Test
  void close_cancelsThePendingRefetch() {
    observe(key);
    event(SECOND);
    event(SECOND); // dirty: one more after the window
    coalescer.close();
    time.advance(Duration.ofSeconds(5));
    assertThat(requests).hasSize(1);
    event(SECOND);
    assertThat(requests).as("closed: nothing new").hasSize(1);
  }
}
