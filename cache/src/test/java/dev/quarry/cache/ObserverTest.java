package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.QueryKey;
import dev.quarry.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ObserverTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("episodes", "p1");
  private final RecordingListener<QueryResult<String>> results = new RecordingListener<>();

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void observe_deliversLoadingThenSuccess_inOrder_andNothingElse() {
    Calls<String> calls = f.calls();
    f.client.observe(QueryOptions.of(key, calls), results);

    QueryResult<String> loading = results.next();
    assertThat(loading.isLoading()).isTrue();
    assertThat(loading.data()).isEmpty();
    results.assertExhausted();

    calls.last().complete("v");
    QueryResult<String> done = results.next();
    assertThat(done.isSuccess()).isTrue();
    assertThat(done.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(done.data()).contains("v");
    assertThat(done.isFetchedAfterMount()).isTrue();
    assertThat(done.isStale()).isTrue();
    results.assertExhausted();
  }

  @Test
  void observe_freshCachedData_isDeliveredWithoutFetching() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).staleTime(Duration.ofMinutes(1)).build();
    f.client.fetchQuery(options).join();

    f.client.observe(options, results);

    QueryResult<String> r = results.next();
    assertThat(r.data()).contains("v0");
    assertThat(r.isStale()).isFalse();
    assertThat(r.isFetchedAfterMount()).isFalse();
    assertThat(calls.count()).isEqualTo(1);
    results.assertExhausted();
  }

  @Test
  void listeners_areNotifiedOnlyWhenTheResultChanged() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    f.client.observe(QueryOptions.of(key, calls), results);
    assertThat(results.drain()).extracting(QueryResult::fetchStatus).contains(FetchStatus.IDLE);

    // Already stale: invalidation changes the query state but not this observer's result.
    f.client
        .invalidateQueries(QueryFilters.exact(key).refetchType(QueryFilters.RefetchType.NONE))
        .join();
    assertThat(f.client.getQueryState(key).orElseThrow().isInvalidated()).isTrue();
    results.assertExhausted();
  }

  @Test
  void staleTimer_flipsIsStale_atTimeUntilStalePlusOneMillisecond() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    f.client.observe(
        QueryOptions.builder(key, calls).staleTime(Duration.ofMillis(1000)).build(), results);
    List<QueryResult<String>> first = results.drain();
    assertThat(first.get(first.size() - 1).isStale()).isFalse();

    f.time.advance(Duration.ofMillis(1000));
    results.assertExhausted();
    f.time.advance(Duration.ofMillis(1));
    QueryResult<String> stale = results.next();
    assertThat(stale.isStale()).isTrue();
    assertThat(stale.data()).contains("v");
    assertThat(calls.count()).isEqualTo(1);
    results.assertExhausted();
  }

  @Test
  void select_transformsTheData_andRunsOncePerDataInstance() {
    AtomicInteger selects = new AtomicInteger();
    Calls<List<Integer>> calls =
        f.<List<Integer>>calls().answering(i -> Calls.ok(List.of(1, 2, 3)));
    RecordingListener<QueryResult<Integer>> sizes = new RecordingListener<>();
    QueryObserver<Integer> o =
        f.client.observe(
            QueryOptions.of(key, calls),
            list -> {
              selects.incrementAndGet();
              return list.size();
            },
            sizes);
    assertThat(o.currentResult().data()).contains(3);
    int before = selects.get();
    f.client
        .invalidateQueries(QueryFilters.exact(key).refetchType(QueryFilters.RefetchType.NONE))
        .join();
    f.time.advance(Duration.ofMinutes(1));
    assertThat(selects.get()).isEqualTo(before);
    assertThat(sizes.drain()).last().extracting(r -> r.data().orElseThrow()).isEqualTo(3);
  }

  @Test
  void select_throwing_givesAnErrorResult_thatKeepsTheLastSelectedData() {
    RecordingListener<QueryResult<Integer>> r = new RecordingListener<>();
    f.client.setQueryData(key, "ok");
    QueryObserver<Integer> o =
        f.client.observe(
            QueryOptions.<String>builder(key, ctx -> Calls.ok("ok"))
                .staleTime(StaleTime.never())
                .build(),
            s -> {
              if (s.equals("bad")) {
                throw new IllegalStateException("cannot select");
              }
              return s.length();
            },
            r);
    assertThat(o.currentResult().data()).contains(2);
    f.client.setQueryData(key, "bad");
    QueryResult<Integer> err = o.currentResult();
    assertThat(err.status()).isEqualTo(QueryStatus.ERROR);
    assertThat(err.error().orElseThrow()).hasMessage("cannot select");
    assertThat(err.data()).contains(2);
  }

  @Test
  void placeholderData_isShownWhilePending_andNeverWrittenToTheCache() {
    Calls<String> calls = f.calls();
    QueryObserver<String> o =
        f.client.observe(
            QueryOptions.builder(key, calls).placeholderData("placeholder").build(), results);
    QueryResult<String> r = results.next();
    assertThat(r.data()).contains("placeholder");
    assertThat(r.isPlaceholderData()).isTrue();
    assertThat(r.status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(f.client.getQueryData(key)).isEmpty();

    calls.last().complete("real");
    assertThat(o.currentResult().data()).contains("real");
    assertThat(o.currentResult().isPlaceholderData()).isFalse();
  }

  @Test
  void disabledObserver_doesNotFetch_isNeverStale_butRefetchStillFetches() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    QueryObserver<String> o =
        f.client.observe(QueryOptions.builder(key, calls).enabled(false).build(), results);
    assertThat(calls.count()).isZero();
    QueryResult<String> r = results.next();
    assertThat(r.isPending()).isTrue();
    assertThat(r.isStale()).isFalse();
    assertThat(r.isEnabled()).isFalse();

    assertThat(o.refetch().join().data()).contains("v");
    assertThat(calls.count()).isEqualTo(1);
  }

  @Test
  void refetchInterval_refetchesThatLongAfterEachStateChange() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    f.client.observe(
        QueryOptions.builder(key, calls).refetchInterval(Duration.ofSeconds(10)).build(), results);
    f.time.advance(Duration.ofSeconds(25));
    assertThat(calls.at)
        .containsExactly(Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(20));
  }

  @Test
  void refetchInterval_pausesWhileUnfocused_unlessInBackground() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    f.connectivity.setFocused(false);
    f.client.observe(
        QueryOptions.builder(key, calls).refetchInterval(Duration.ofSeconds(10)).build(), results);
    f.time.advance(Duration.ofSeconds(35));
    assertThat(calls.count()).isEqualTo(1);

    QueryKey other = QueryKey.of("background");
    Calls<String> bg = f.<String>calls().answering(i -> Calls.ok("b" + i));
    f.client.observe(
        QueryOptions.builder(other, bg)
            .refetchInterval(Duration.ofSeconds(10))
            .refetchIntervalInBackground(true)
            .build(),
        r -> {});
    f.time.advance(Duration.ofSeconds(25));
    assertThat(bg.count()).isEqualTo(3);
  }

  @Test
  void refetchOnMount_ifStaleSkipsFreshData_alwaysRefetches_neverDoesNot() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> fresh =
        QueryOptions.builder(key, calls).staleTime(Duration.ofMinutes(1)).build();
    f.client.fetchQuery(fresh).join();

    f.client.observe(fresh, r -> {}).close();
    assertThat(calls.count()).isEqualTo(1);
    f.client.observe(fresh.newBuilder().refetchOnMount(RefetchMode.ALWAYS).build(), r -> {});
    assertThat(calls.count()).isEqualTo(2);
    f.time.advance(Duration.ofMinutes(2));
    f.client.observe(fresh.newBuilder().refetchOnMount(RefetchMode.NEVER).build(), r -> {});
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void reconnect_refetchesStaleActiveQueries_afterTheReconnectBarriersSettle() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    f.client.observe(QueryOptions.of(key, calls), results);
    CompletableFuture<Void> barrier = new CompletableFuture<>();
    AtomicInteger barrierRuns = new AtomicInteger();
    f.client.addReconnectBarrier(
        () -> {
          barrierRuns.incrementAndGet();
          return barrier;
        });

    f.connectivity.setOnline(false);
    f.connectivity.setOnline(true);
    assertThat(barrierRuns.get()).isEqualTo(1);
    assertThat(calls.count()).as("waits for the barrier").isEqualTo(1);

    barrier.complete(null);
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void reconnect_withRefetchOnReconnectNever_doesNotRefetch_focusWithAlwaysDoes() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    f.client.observe(
        QueryOptions.builder(key, calls)
            .staleTime(Duration.ofMinutes(1))
            .refetchOnReconnect(RefetchMode.NEVER)
            .refetchOnWindowFocus(RefetchMode.ALWAYS)
            .build(),
        results);
    f.connectivity.setOnline(false);
    f.connectivity.setOnline(true);
    assertThat(calls.count()).isEqualTo(1);
    f.connectivity.setFocused(false);
    f.connectivity.setFocused(true);
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void focus_refetchesOnlyStaleQueriesByDefault() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    f.client.observe(
        QueryOptions.builder(key, calls).staleTime(Duration.ofMinutes(1)).build(), results);
    f.connectivity.setFocused(false);
    f.connectivity.setFocused(true);
    assertThat(calls.count()).isEqualTo(1);
    f.time.advance(Duration.ofMinutes(1));
    f.connectivity.setFocused(false);
    f.connectivity.setFocused(true);
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void throwingListener_isReportedToTheErrorHandler_andOtherListenersStillReceive() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    QueryOptions<String> options = QueryOptions.of(key, calls);
    f.client.observe(
        options,
        r -> {
          throw new IllegalStateException("listener broke");
        });
    f.client.observe(options, results);
    assertThat(results.drain()).isNotEmpty();
    assertThat(f.errors).extracting(Throwable::getMessage).contains("listener broke");
  }

  @Test
  void closedObserver_receivesNothingMore_andCloseIsIdempotent() {
    Calls<String> calls = f.calls();
    QueryObserver<String> o = f.client.observe(QueryOptions.of(key, calls), results);
    results.drain();
    o.close();
    o.close();
    calls.last().complete("v");
    results.assertExhausted();
    assertThat(f.client.getQueryData(key)).contains("v");
  }

  @Test
  void retryOnObservedQuery_defaultsTo3Retries() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.failing("nope"));
    QueryObserver<String> o = f.client.observe(QueryOptions.of(key, calls), results);
    f.time.advance(Duration.ofMinutes(1));
    assertThat(calls.count()).isEqualTo(4);
    assertThat(o.currentResult().failureCount()).isEqualTo(4);
    assertThat(o.currentResult().isLoadingError()).isTrue();
    assertThat(o.currentResult().error()).map(Throwable::getMessage).isEqualTo(Optional.of("nope"));
  }
}
