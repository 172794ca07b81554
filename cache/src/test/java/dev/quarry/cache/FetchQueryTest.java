package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.QueryKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FetchQueryTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("todos", 1);

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void staleness_isInclusive_dataIsStaleAtExactlyDataUpdatedAtPlusStaleTime() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).staleTime(Duration.ofMillis(1000)).build();

    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v0");
    f.time.advance(Duration.ofMillis(999));
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v0");
    assertThat(calls.count()).isEqualTo(1);

    f.time.advance(Duration.ofMillis(1));
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v1");
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void staleTimeStatic_neverRefetches_evenWhenInvalidated() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).staleTime(StaleTime.staticTime()).build();
    f.client.fetchQuery(options).join();
    f.client.invalidateQueries(QueryFilters.exact(key)).join();
    f.time.advance(Duration.ofMinutes(4));
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("v0");
    assertThat(calls.count()).isEqualTo(1);
  }

  @Test
  void fetchQuery_100ConcurrentCallsOnOneStaleKey_callTheFunctionExactlyOnce() throws Exception {
    f.client.setQueryData(key, "old");
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> answer = new CompletableFuture<>();
    List<Integer> calls = new CopyOnWriteArrayList<>();
    QueryOptions<String> options =
        QueryOptions.of(
            key,
            ctx -> {
              calls.add(1);
              return answer;
            });
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<CompletableFuture<String>>> submitted = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        submitted.add(
            pool.submit(
                () -> {
                  release.await();
                  return f.client.fetchQuery(options);
                }));
      }
      release.countDown();
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (Future<CompletableFuture<String>> s : submitted) {
        results.add(s.get(10, TimeUnit.SECONDS));
      }
      answer.complete("new");
      for (CompletableFuture<String> r : results) {
        assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("new");
      }
      assertThat(calls).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void retry2_alwaysFailing_makes3Calls_withDelays1000Then2000_andEndsWithFailureCount3() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.failing("boom " + i));
    CompletableFuture<String> result =
        f.client.fetchQuery(QueryOptions.builder(key, calls).retry(2).build());

    assertThat(calls.count()).isEqualTo(1);
    f.time.advance(Duration.ofMillis(999));
    assertThat(calls.count()).isEqualTo(1);
    f.time.advance(Duration.ofMillis(1));
    assertThat(calls.count()).isEqualTo(2);
    f.time.advance(Duration.ofMillis(1999));
    assertThat(calls.count()).isEqualTo(2);
    f.time.advance(Duration.ofMillis(1));
    assertThat(calls.count()).isEqualTo(3);
    f.time.advance(Duration.ofMinutes(1));

    assertThat(calls.at)
        .containsExactly(Duration.ZERO, Duration.ofMillis(1000), Duration.ofMillis(3000));
    assertThat(result).isCompletedExceptionally();
    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.fetchFailureCount()).isEqualTo(3);
    assertThat(s.status()).isEqualTo(QueryStatus.ERROR);
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(s.error().orElseThrow()).hasMessage("boom 2");
    assertThat(s.isInvalidated()).isTrue();
  }

  @Test
  void fetchQuery_retriesOnlyWhenConfigured_defaultIsNoRetry() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.failing("boom"));
    CompletableFuture<String> result = f.client.fetchQuery(QueryOptions.of(key, calls));
    f.time.advance(Duration.ofMinutes(5));
    assertThat(calls.count()).isEqualTo(1);
    assertThatThrownBy(result::join).hasRootCauseMessage("boom");
  }

  @Test
  void retries_pauseWhileOffline_withFetchStatusPaused_andContinueOnReconnect() {
    Calls<String> calls =
        f.<String>calls().answering(i -> i == 0 ? Calls.failing("offline") : Calls.ok("back"));
    CompletableFuture<String> result =
        f.client.fetchQuery(QueryOptions.builder(key, calls).retry(3).build());
    assertThat(calls.count()).isEqualTo(1);

    f.connectivity.setOnline(false);
    f.time.advance(Duration.ofMillis(1000));
    QueryState<String> paused = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(paused.fetchStatus()).isEqualTo(FetchStatus.PAUSED);
    assertThat(paused.fetchFailureCount()).isEqualTo(1);
    f.time.advance(Duration.ofMinutes(10));
    assertThat(calls.count()).isEqualTo(1);
    assertThat(result).isNotDone();

    f.connectivity.setOnline(true);

    assertThat(calls.count()).isEqualTo(2);
    assertThat(result.join()).isEqualTo("back");
    QueryState<String> done = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(done.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(done.status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(done.fetchFailureCount()).isZero();
  }

  @Test
  void fetchWhileOffline_startsPaused_andRunsOnReconnect() {
    f.connectivity.setOnline(false);
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    CompletableFuture<String> result = f.client.fetchQuery(QueryOptions.of(key, calls));
    assertThat(calls.count()).isZero();
    assertThat(f.client.getQueryState(key).orElseThrow().fetchStatus())
        .isEqualTo(FetchStatus.PAUSED);
    f.connectivity.setOnline(true);
    assertThat(result.join()).isEqualTo("v");
  }

  @Test
  void networkModeAlways_fetchesWhileOffline() {
    f.connectivity.setOnline(false);
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    String v =
        f.client
            .fetchQuery(QueryOptions.builder(key, calls).networkMode(NetworkMode.ALWAYS).build())
            .join();
    assertThat(v).isEqualTo("v");
  }

  @Test
  void cancelQueries_duringRefetch_restoresPreviousDataAndIdle_andCancelsTheFunctionsFuture() {
    Calls<String> calls = f.calls();
    QueryOptions<String> options = QueryOptions.of(key, calls);
    CompletableFuture<String> first = f.client.fetchQuery(options);
    calls.last().complete("v1");
    assertThat(first.join()).isEqualTo("v1");

    CompletableFuture<String> refetch = f.client.fetchQuery(options);
    assertThat(f.client.getQueryState(key).orElseThrow().fetchStatus())
        .isEqualTo(FetchStatus.FETCHING);

    f.client.cancelQueries(QueryFilters.exact(key)).join();

    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.data()).contains("v1");
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(s.status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(s.dataUpdateCount()).isEqualTo(1);
    assertThat(calls.last()).isCancelled();
    assertThat(calls.contexts.get(1).signal().isCancelled()).isTrue();
    assertThat(refetch.join()).isEqualTo("v1");
  }

  @Test
  void
      ensureQueryDataWithRevalidateIfStale_returnsTheCachedDataAtOnce_andRefetchesInTheBackground() {
    Calls<String> calls = f.calls();
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).staleTime(Duration.ofSeconds(10)).build();
    CompletableFuture<String> first = f.client.ensureQueryData(options, true);
    assertThat(calls.count()).isEqualTo(1);
    calls.last().complete("v1");
    assertThat(first.join()).isEqualTo("v1");

    assertThat(f.client.ensureQueryData(options, true)).isCompletedWithValue("v1");
    assertThat(calls.count()).as("fresh: no refetch").isEqualTo(1);

    f.time.advance(Duration.ofSeconds(11));
    assertThat(f.client.ensureQueryData(options, false)).isCompletedWithValue("v1");
    assertThat(calls.count()).as("stale, but revalidateIfStale is false").isEqualTo(1);

    assertThat(f.client.ensureQueryData(options, true)).isCompletedWithValue("v1");
    assertThat(calls.count()).as("stale: a background refetch").isEqualTo(2);
    calls.last().complete("v2");
    assertThat(f.client.getQueryData(key)).contains("v2");
  }

  @Test
  void cancelQueriesWithoutRevert_putsTheQueryInErrorWithCancelledException_keepingItsData() {
    Calls<String> calls = f.calls();
    QueryOptions<String> options = QueryOptions.of(key, calls);
    CompletableFuture<String> first = f.client.fetchQuery(options);
    calls.last().complete("v1");
    assertThat(first.join()).isEqualTo("v1");
    CompletableFuture<String> refetch = f.client.fetchQuery(options);

    f.client.cancelQueries(QueryFilters.exact(key), false).join();

    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.status()).isEqualTo(QueryStatus.ERROR);
    assertThat(s.error()).containsInstanceOf(CancelledException.class);
    assertThat(s.data()).contains("v1");
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(calls.last()).isCancelled();
    assertThatThrownBy(refetch::join).hasCauseInstanceOf(CancelledException.class);
    assertThat(((CancelledException) s.error().orElseThrow()).revert()).isFalse();

    // and it can be fetched again
    CompletableFuture<String> again = f.client.fetchQuery(options);
    calls.last().complete("v2");
    assertThat(again.join()).isEqualTo("v2");
    assertThat(f.client.<String>getQueryState(key).orElseThrow().status())
        .isEqualTo(QueryStatus.SUCCESS);
  }

  @Test
  void cancelQueries_duringInitialFetch_failsTheFetchWithCancelledException() {
    Calls<String> calls = f.calls();
    CompletableFuture<String> result = f.client.fetchQuery(QueryOptions.of(key, calls));
    f.client.cancelQueries(QueryFilters.all()).join();
    assertThatThrownBy(result::join).hasCauseInstanceOf(CancelledException.class);
    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.status()).isEqualTo(QueryStatus.PENDING);
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
  }

  @Test
  void setQueryData_duringFetch_isOverwrittenByTheFetchResultWhenItLands() {
    Calls<String> calls = f.calls();
    CompletableFuture<String> result = f.client.fetchQuery(QueryOptions.of(key, calls));
    f.client.setQueryData(key, "manual");
    QueryState<String> during = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(during.data()).contains("manual");
    assertThat(during.fetchStatus()).isEqualTo(FetchStatus.FETCHING);

    calls.last().complete("server");

    assertThat(result.join()).isEqualTo("server");
    assertThat(f.client.getQueryData(key)).contains("server");
    assertThat(f.client.getQueryState(key).orElseThrow().dataUpdateCount()).isEqualTo(2);
  }

  @Test
  void setQueryData_updaterReturningEmpty_isANoOpThatCreatesNothing() {
    Optional<String> r = f.client.setQueryData(key, (Optional<String> old) -> Optional.empty());
    assertThat(r).isEmpty();
    assertThat(f.client.getQueryState(key)).isEmpty();
  }

  @Test
  void setQueryData_equalValue_keepsTheOldInstance() {
    String first = new String("same");
    f.client.setQueryData(key, first);
    Optional<String> stored = f.client.setQueryData(key, new String("same"));
    assertThat(stored.orElseThrow()).isSameAs(first);
  }

  @Test
  void fetch_resultEqualToCachedData_keepsTheOldInstance() {
    Calls<List<Integer>> calls =
        f.<List<Integer>>calls().answering(i -> Calls.ok(new ArrayList<>(List.of(1, 2))));
    QueryOptions<List<Integer>> options = QueryOptions.of(key, calls);
    List<Integer> first = f.client.fetchQuery(options).join();
    List<Integer> second = f.client.fetchQuery(options).join();
    assertThat(calls.count()).isEqualTo(2);
    assertThat(second).isSameAs(first);
  }

  @Test
  void queryFunctionCompletingWithNull_failsWithoutRetry() {
    Calls<String> calls = f.<String>calls().answering(i -> CompletableFuture.completedFuture(null));
    CompletableFuture<String> r =
        f.client.fetchQuery(QueryOptions.builder(key, calls).retry(3).build());
    f.time.advance(Duration.ofMinutes(1));
    assertThat(calls.count()).isEqualTo(1);
    assertThatThrownBy(r::join).hasMessageContaining("null").hasMessageContaining("todos");
  }

  // ---------------------------------------------------------------- gc

  @Test
  void gc_unobservedQuery_isRemovedExactlyGcTimeAfterItsLastObserverLeft() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls).gcTime(Duration.ofMinutes(5)).build();
    QueryObserver<String> a = f.client.observe(options, r -> {});
    QueryObserver<String> b = f.client.observe(options, r -> {});
    f.time.advance(Duration.ofHours(1));
    assertThat(f.client.getQueryState(key)).isPresent();

    a.close();
    f.time.advance(Duration.ofMinutes(10));
    assertThat(f.client.getQueryState(key)).as("still observed by b").isPresent();

    b.close();
    f.time.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(f.client.getQueryState(key)).isPresent();
    f.time.advance(Duration.ofMillis(1));
    assertThat(f.client.getQueryState(key)).isEmpty();
  }

  @Test
  void gc_queryCreatedBySetQueryData_isCollectedGcTimeAfterCreation() {
    f.client.setQueryData(key, "v");
    f.time.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(f.client.getQueryData(key)).contains("v");
    f.time.advance(Duration.ofMillis(1));
    assertThat(f.client.getQueryData(key)).isEmpty();
  }

  @Test
  void gc_fetchingQuery_isNotCollected_andIsRemovedGcTimeAfterTheFetchEnds() {
    Calls<String> calls = f.calls();
    f.client.prefetchQuery(QueryOptions.builder(key, calls).gcTime(Duration.ofMinutes(1)).build());
    f.time.advance(Duration.ofMinutes(3));
    assertThat(f.client.getQueryState(key).orElseThrow().fetchStatus())
        .isEqualTo(FetchStatus.FETCHING);

    calls.last().complete("v");
    f.time.advance(Duration.ofMinutes(1).minusMillis(1));
    assertThat(f.client.getQueryData(key)).contains("v");
    f.time.advance(Duration.ofMillis(1));
    assertThat(f.client.getQueryState(key)).isEmpty();
  }

  @Test
  void gc_theLongestGcTimeSeenWins() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    for (long ms : new long[] {100, 200, 10}) {
      f.client
          .fetchQuery(QueryOptions.builder(key, calls).gcTime(Duration.ofMillis(ms)).build())
          .join();
    }
    assertThat(calls.count()).isEqualTo(3);
    f.time.advance(Duration.ofMillis(199));
    assertThat(f.client.getQueryState(key)).isPresent();
    f.time.advance(Duration.ofMillis(1));
    assertThat(f.client.getQueryState(key)).isEmpty();
  }

  @Test
  void gc_lastObserverLeavesMidFetchWithoutReadingTheSignal_fetchFinishesAndIsCached() {
    Calls<String> calls = f.calls();
    QueryObserver<String> o =
        f.client.observe(
            QueryOptions.builder(key, calls).gcTime(Duration.ofMinutes(1)).build(), r -> {});
    o.close();
    assertThat(calls.last()).isNotCancelled();
    calls.last().complete("v");
    assertThat(f.client.getQueryData(key)).contains("v");
    f.time.advance(Duration.ofMinutes(1));
    assertThat(f.client.getQueryState(key)).isEmpty();
  }

  @Test
  void lastObserverLeavesMidFetch_afterTheSignalWasRead_cancelsAndReverts() {
    CompletableFuture<String> pending = new CompletableFuture<>();
    QueryObserver<String> o =
        f.client.observe(
            QueryOptions.of(
                key,
                ctx -> {
                  ctx.signal();
                  return pending;
                }),
            r -> {});
    o.close();
    assertThat(pending).isCancelled();
    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(s.status()).isEqualTo(QueryStatus.PENDING);
  }

  // ---------------------------------------------------------------- defaults and options

  @Test
  void perKeyDefaults_applyToKeysUnderThePrefix_laterRegistrationsWin() {
    f.client.setQueryDefaults(
        QueryKey.of("todos"), QueryDefaults.builder().staleTime(Duration.ofMinutes(1)).build());
    f.client.setQueryDefaults(
        QueryKey.of("todos", 1), QueryDefaults.builder().staleTime(Duration.ofMinutes(2)).build());
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));

    f.client.fetchQuery(QueryOptions.of(key, calls)).join();
    f.time.advance(Duration.ofSeconds(90));
    f.client.fetchQuery(QueryOptions.of(key, calls)).join();
    assertThat(calls.count()).as("fresh for 2 min under [todos,1]").isEqualTo(1);

    QueryKey other = QueryKey.of("todos", 2);
    f.client.fetchQuery(QueryOptions.of(other, calls)).join();
    f.time.advance(Duration.ofSeconds(61));
    f.client.fetchQuery(QueryOptions.of(other, calls)).join();
    assertThat(calls.count()).as("stale after 1 min under [todos]").isEqualTo(3);

    assertThat(f.client.getQueryDefaults(key).staleTime())
        .contains(StaleTime.of(Duration.ofMinutes(2)));
    assertThat(f.client.getQueryDefaults(QueryKey.of("users")).staleTime()).isEmpty();
  }

  @Test
  void clientDefaults_applyUnderPerKeyDefaultsAndExplicitOptions() {
    try (Fixture g =
        new Fixture(QueryDefaults.builder().staleTime(Duration.ofMinutes(10)).build())) {
      Calls<String> calls = g.<String>calls().answering(i -> Calls.ok("v" + i));
      g.client.fetchQuery(QueryOptions.of(key, calls)).join();
      g.time.advance(Duration.ofMinutes(4));
      g.client.fetchQuery(QueryOptions.of(key, calls)).join();
      assertThat(calls.count()).isEqualTo(1);
      g.client
          .fetchQuery(QueryOptions.builder(key, calls).staleTime(Duration.ofMinutes(1)).build())
          .join();
      assertThat(calls.count()).isEqualTo(2);
    }
  }

  @Test
  void badOptions_failWithIllegalArgumentExceptionNamingTheOption() {
    QueryFunction<String> fn = ctx -> Calls.ok("v");
    assertThatThrownBy(() -> QueryOptions.builder(key, fn).gcTime(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gcTime")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> QueryOptions.builder(key, fn).staleTime(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("staleTime");
    assertThatThrownBy(() -> QueryOptions.builder(key, fn).retry(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retry");
    assertThatThrownBy(() -> QueryOptions.builder(key, fn).refetchInterval(Duration.ofSeconds(-2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refetchInterval");
    assertThatThrownBy(() -> QueryOptions.builder(key, fn).initialDataUpdatedAt(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initialDataUpdatedAt");
    assertThatThrownBy(() -> QueryClient.builder().maximumSize(-3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maximumSize");
    assertThatThrownBy(
            () ->
                InfiniteQueryOptions.<String, Integer>builder(
                        key, (ctx, p) -> Calls.ok("p"), 0, (a, b, c, d) -> Optional.empty())
                    .maxPages(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPages");
  }

  @Test
  void initialData_isCachedWithSuccessStatus_andNoUpdateCount() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("fetched"));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls)
            .initialData("initial")
            .staleTime(Duration.ofMinutes(1))
            .build();
    assertThat(f.client.ensureQueryData(options).join()).isEqualTo("initial");
    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(s.dataUpdateCount()).isZero();
    assertThat(f.client.fetchQuery(options).join()).isEqualTo("initial");
    assertThat(calls.count()).isZero();
  }

  @Test
  void initialDataUpdatedAtZero_isStaleAtOnce() throws ExecutionException, InterruptedException {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("fetched"));
    QueryOptions<String> options =
        QueryOptions.builder(key, calls)
            .initialData("initial")
            .initialDataUpdatedAt(0)
            .staleTime(Duration.ofMinutes(1))
            .build();
    assertThat(f.client.fetchQuery(options).get()).isEqualTo("fetched");
  }

  @Test
  void initialData_reachesAnExistingQueryWithoutData_withoutCountingAnUpdate() {
    Calls<String> calls = f.calls();
    f.client.fetchQuery(QueryOptions.of(key, calls));
    QueryObserver<String> o =
        f.client.observe(QueryOptions.builder(key, calls).initialData("initial").build(), r -> {});
    QueryState<String> s = f.client.<String>getQueryState(key).orElseThrow();
    assertThat(s.data()).contains("initial");
    assertThat(s.dataUpdateCount()).isZero();
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.FETCHING);
    assertThat(o.currentResult().isFetchedAfterMount()).isFalse();
    calls.last().complete("fetched");
    assertThat(o.currentResult().data()).contains("fetched");
  }

  @Test
  void retryDelay_replacesThePolicysDelays_andLayersLikeOtherSettings() {
    f.client.setQueryDefaults(
        QueryKey.of("todos"), QueryDefaults.builder().retryDelay(Duration.ofMillis(300)).build());
    Calls<String> calls = f.<String>calls().answering(i -> Calls.failing("x"));
    f.client.fetchQuery(QueryOptions.builder(key, calls).retry(2).build());
    f.time.advance(Duration.ofSeconds(5));
    assertThat(calls.at)
        .containsExactly(Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(600));
    assertThatThrownBy(() -> QueryOptions.builder(key, calls).retryDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryDelay");
  }
}
