package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** staleTime and enabled as functions of the query, and the skipToken. */
class DynamicOptionsTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("episodes", "p1");
  private final RecordingListener<QueryResult<String>> results = new RecordingListener<>();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void staleTimeFunction_isEvaluatedEachTime_withTheQuery() {
    AtomicReference<Duration> staleTime = new AtomicReference<>(Duration.ofMinutes(10));
    List<QueryKey> seen = new CopyOnWriteArrayList<>();
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls)
            .staleTime(
                q -> {
                  seen.add(q.key());
                  return staleTime.get();
                })
            .build();
    f.client.fetchQuery(options).join();
    assertThat(f.client.fetchQuery(options).join()).as("fresh for 10 minutes").isEqualTo("v0");
    QueryObserver<String> o = f.client.observe(options, results);
    assertThat(o.currentResult().isStale()).isFalse();
    assertThat(calls.count()).isEqualTo(1);

    staleTime.set(Duration.ZERO); // same options: the function decides again

    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v1");
    assertThat(calls.count()).isEqualTo(2);
    assertThat(o.currentResult().isStale()).isTrue();
    assertThat(seen).isNotEmpty().allMatch(key::equals);
    assertThat(f.errors).isEmpty();
  }

  @Test
  void staleTimeFunction_thatThrows_isReported_andCountsAsStale() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls)
            .staleTime(
                q -> {
                  throw new IllegalStateException("no staleTime today");
                })
            .build();
    f.client.fetchQuery(options).join();
    f.client.fetchQuery(options).join();

    assertThat(calls.count()).isEqualTo(2);
    assertThat(f.errors).extracting(Throwable::getMessage).contains("no staleTime today");
  }

  @Test
  void enabledPredicate_decidesFromTheQuery_eachTimeATriggerFires() {
    AtomicBoolean gate = new AtomicBoolean(false);
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o =
        f.client.observe(
            QueryOptions.builder(key, calls)
                .enabled(q -> q.key().equals(key) && gate.get())
                .build(),
            results);
    assertThat(calls.count()).isZero();
    assertThat(o.currentResult().isEnabled()).isFalse();
    assertThat(o.currentResult().isStale()).as("a disabled observer is never stale").isFalse();
    f.connectivity.setFocused(false);
    f.connectivity.setFocused(true);
    assertThat(calls.count()).isZero();

    gate.set(true);
    f.connectivity.setFocused(false);
    f.connectivity.setFocused(true);

    assertThat(calls.count()).isEqualTo(1);
    assertThat(o.currentResult().isEnabled()).isTrue();
    assertThat(o.currentResult().data()).contains("v0");
    assertThat(f.errors).isEmpty();
  }

  @Test
  void enabledBoolean_setAfterAPredicate_replacesIt() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).enabled(q -> false).enabled(true).build();
    assertThat(options.enabledWhen()).isEmpty();
    f.client.observe(options, results);
    assertThat(calls.count()).isEqualTo(1);
  }

  @Test
  void skipToken_disablesTheObserver_andRefetchQueriesSkipsIt() {
    QueryObserver<String> o =
        f.client.observe(QueryOptions.of(key, QueryFunction.<String>skipToken()), results);

    QueryResult<String> r = results.next();
    assertThat(r.isPending()).isTrue();
    assertThat(r.isEnabled()).isFalse();
    assertThat(r.isStale()).isFalse();
    assertThat(r.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    f.client.refetchQueries(QueryFilters.all()).join();
    f.client.invalidateQueries(QueryFilters.all()).join();
    assertThat(o.currentResult().fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(o.currentResult().failureCount()).isZero();
    assertThat(f.client.findAll(QueryFilters.exact(key)).get(0).isActive()).isFalse();
  }

  @Test
  void skipToken_untilSetOptionsGivesAFunction_thenItFetches() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o =
        f.client.observe(QueryOptions.of(key, QueryFunction.<String>skipToken()), results);

    o.setOptions(QueryOptions.of(key, calls));

    assertThat(calls.count()).isEqualTo(1);
    assertThat(o.currentResult().data()).contains("v0");
    assertThat(o.currentResult().isEnabled()).isTrue();
  }

  @Test
  void fetchQuery_withTheSkipToken_failsWithAnErrorNamingTheKey() {
    var future = f.client.fetchQuery(QueryOptions.of(key, QueryFunction.<String>skipToken()));

    assertThat(future).isCompletedExceptionally();
    Throwable cause = org.assertj.core.api.Assertions.catchThrowable(future::join);
    assertThat(cause).isInstanceOf(CompletionException.class);
    assertThat(cause.getCause())
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("skipToken")
        .hasMessageContaining("episodes");
    assertThat(QueryFunction.isSkipToken(QueryFunction.skipToken())).isTrue();
    assertThat(QueryFunction.isSkipToken(ctx -> Calls.ok("x"))).isFalse();
  }

  private void focusAgain() {
    f.connectivity.setFocused(false);
    f.connectivity.setFocused(true);
  }

  @Test
  void enabledPredicate_inClientDefaults_decidesForEveryObserver() {
    AtomicBoolean gate = new AtomicBoolean(false);
    try (Fixture g = new Fixture(QueryDefaults.builder().enabled(q -> gate.get()).build())) {
      Calls<String> calls = g.<String>calls().answering(i -> Calls.ok("v" + i));
      QueryObserver<String> o = g.client.observe(QueryOptions.of(key, calls), results);
      assertThat(calls.count()).isZero();
      assertThat(o.currentResult().isEnabled()).isFalse();

      gate.set(true);
      g.connectivity.setFocused(false);
      g.connectivity.setFocused(true);

      assertThat(calls.count()).isEqualTo(1);
      assertThat(o.currentResult().isEnabled()).isTrue();
      assertThat(g.errors).isEmpty();
    }
  }

  @Test
  void enabledPredicate_inPerKeyDefaults_appliesUnderThePrefix_andTheOptionsWin() {
    AtomicBoolean gate = new AtomicBoolean(false);
    f.client.setQueryDefaults(
        QueryKey.of("episodes"), QueryDefaults.builder().enabled(q -> gate.get()).build());
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> gated = f.client.observe(QueryOptions.of(key, calls), results);
    QueryObserver<String> forced =
        f.client.observe(
            QueryOptions.builder(QueryKey.of("episodes", "p2"), calls).enabled(true).build(),
            r -> {});
    assertThat(gated.currentResult().isEnabled()).isFalse();
    assertThat(forced.currentResult().isEnabled()).as("options' plain value wins").isTrue();
    assertThat(calls.count()).isEqualTo(1);

    gate.set(true);
    focusAgain();

    assertThat(gated.currentResult().data()).isPresent();
  }

  @Test
  void enabledPredicate_inOptions_winsOverAPlainFalseInTheDefaults() {
    try (Fixture g = new Fixture(QueryDefaults.builder().enabled(false).build())) {
      Calls<String> calls = g.<String>calls().answering(i -> Calls.ok("v" + i));
      g.client.observe(QueryOptions.builder(key, calls).enabled(q -> true).build(), results);
      assertThat(calls.count()).isEqualTo(1);
    }
  }

  @Test
  void enabledPredicate_onAnInfiniteQuery_gatesItsFirstLoad() {
    AtomicBoolean gate = new AtomicBoolean(false);
    List<Integer> fetched = new CopyOnWriteArrayList<>();
    InfiniteQueryObserver<String, Integer> o =
        f.client.observeInfinite(
            InfiniteQueryOptions.<String, Integer>builder(
                    key,
                    (ctx, page) -> {
                      fetched.add(page);
                      return Calls.ok("page" + page);
                    },
                    1,
                    (last, pages, param, params) -> java.util.Optional.of(param + 1))
                .enabled(q -> gate.get())
                .build(),
            r -> {});
    assertThat(fetched).isEmpty();
    assertThat(o.currentResult().isEnabled()).isFalse();

    gate.set(true);
    focusAgain();

    assertThat(fetched).containsExactly(1);
    assertThat(o.currentResult().isEnabled()).isTrue();
    assertThat(f.errors).isEmpty();
  }
}
