package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.QueryKey;
import dev.quarry.testing.RecordingListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkOperationsTest {
  private final Fixture f = new Fixture();
  private final QueryKey todos1 = QueryKey.of("todos", 1);
  private final QueryKey todos2 = QueryKey.of("todos", 2);
  private final QueryKey users = QueryKey.of("users");

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void invalidateQueries_withPrefix_marksEveryMatchInvalidated_andRefetchesOnlyActiveOnes() {
    Calls<String> c1 = f.<String>calls().answering(i -> Calls.ok("t1-" + i));
    Calls<String> c2 = f.<String>calls().answering(i -> Calls.ok("t2-" + i));
    Calls<String> cu = f.<String>calls().answering(i -> Calls.ok("u-" + i));
    f.client.observe(QueryOptions.of(todos1, c1), r -> {});
    f.client.fetchQuery(QueryOptions.of(todos2, c2)).join();
    f.client.observe(QueryOptions.of(users, cu), r -> {});

    f.client.invalidateQueries(QueryFilters.prefix(QueryKey.of("todos"))).join();

    assertThat(c1.count()).as("active: refetched").isEqualTo(2);
    assertThat(c2.count()).as("inactive: not refetched").isEqualTo(1);
    assertThat(cu.count()).as("not matched").isEqualTo(1);
    assertThat(f.client.getQueryState(todos2).orElseThrow().isInvalidated()).isTrue();
    assertThat(f.client.getQueryState(todos1).orElseThrow().isInvalidated())
        .as("refetched, so valid again")
        .isFalse();
    assertThat(f.client.getQueryState(users).orElseThrow().isInvalidated()).isFalse();
    assertThat(f.client.getQueryData(todos1)).contains("t1-1");
  }

  @Test
  void invalidateQueries_refetchTypeAll_refetchesInactiveToo() {
    Calls<String> c2 = f.<String>calls().answering(i -> Calls.ok("t2-" + i));
    f.client.fetchQuery(QueryOptions.of(todos2, c2)).join();
    f.client
        .invalidateQueries(
            QueryFilters.prefix(QueryKey.of("todos")).refetchType(QueryFilters.RefetchType.ALL))
        .join();
    assertThat(c2.count()).isEqualTo(2);
  }

  @Test
  void refetchQueries_whileAFetchWithDataRuns_restartsIt_andEarlierCallersGetTheNewResult() {
    Calls<String> calls = f.calls();
    QueryOptions<String> options = QueryOptions.of(todos1, calls);
    f.client.setQueryData(todos1, "v0");
    CompletableFuture<String> first = f.client.fetchQuery(options);
    assertThat(calls.count()).isEqualTo(1);

    f.client.refetchQueries(QueryFilters.exact(todos1));

    assertThat(calls.count()).isEqualTo(2);
    assertThat(calls.futures.get(0)).isCancelled();
    calls.last().complete("v2");
    assertThat(first.join()).isEqualTo("v2");
    assertThat(f.client.getQueryData(todos1)).contains("v2");
  }

  @Test
  void refetchQueries_withoutCancelRefetch_joinsTheRunningFetch_andSettlesWithIt() {
    Calls<String> calls = f.calls();
    f.client.setQueryData(todos1, "v0");
    CompletableFuture<String> first = f.client.fetchQuery(QueryOptions.of(todos1, calls));

    CompletableFuture<Void> joined = f.client.refetchQueries(QueryFilters.exact(todos1), false);

    assertThat(calls.count()).as("no second request").isEqualTo(1);
    assertThat(calls.futures.get(0)).isNotCancelled();
    assertThat(joined).isNotDone();
    calls.last().complete("v1");
    assertThat(joined).isCompleted();
    assertThat(first.join()).isEqualTo("v1");

    f.client.refetchQueries(QueryFilters.exact(todos1), false);
    assertThat(calls.count()).as("idle: a new fetch").isEqualTo(2);
  }

  @Test
  void refetch_duringTheInitialFetch_joinsInsteadOfRestarting() {
    Calls<String> calls = f.calls();
    QueryObserver<String> o = f.client.observe(QueryOptions.of(todos1, calls), r -> {});
    CompletableFuture<QueryResult<String>> again = o.refetch();
    assertThat(calls.count()).isEqualTo(1);
    calls.last().complete("v");
    assertThat(again.join().data()).contains("v");
  }

  @Test
  void fetchQuery_whileFetching_joinsEvenWithData() {
    Calls<String> calls = f.calls();
    f.client.setQueryData(todos1, "v0");
    CompletableFuture<String> a = f.client.fetchQuery(QueryOptions.of(todos1, calls));
    CompletableFuture<String> b = f.client.fetchQuery(QueryOptions.of(todos1, calls));
    assertThat(calls.count()).isEqualTo(1);
    calls.last().complete("v1");
    assertThat(a.join()).isEqualTo("v1");
    assertThat(b.join()).isEqualTo("v1");
  }

  @Test
  void resetQueries_returnsToTheInitialState_andRefetchesActiveQueries() {
    Calls<String> active = f.<String>calls().answering(i -> Calls.ok("a" + i));
    Calls<String> inactive = f.<String>calls().answering(i -> Calls.ok("i" + i));
    f.client.observe(QueryOptions.of(todos1, active), r -> {});
    f.client.fetchQuery(QueryOptions.of(todos2, inactive)).join();

    f.client.resetQueries(QueryFilters.prefix(QueryKey.of("todos"))).join();

    assertThat(active.count()).isEqualTo(2);
    assertThat(f.client.getQueryData(todos1)).contains("a1");
    assertThat(inactive.count()).isEqualTo(1);
    QueryState<String> s = f.client.<String>getQueryState(todos2).orElseThrow();
    assertThat(s.data()).isEmpty();
    assertThat(s.status()).isEqualTo(QueryStatus.PENDING);
    assertThat(s.dataUpdateCount()).isZero();
  }

  @Test
  void resetQueries_restoresTheInitialDataOfTheQuerysOwnOptions_withOrWithoutAnObserver() {
    Calls<String> calls = f.calls();
    QueryOptions<String> withInitial =
        QueryOptions.builder(todos1, calls)
            .initialData("initial")
            .staleTime(StaleTime.never())
            .build();
    f.client.fetchQuery(withInitial).join();
    f.client.setQueryData(todos1, "changed");

    f.client.resetQueries(QueryFilters.exact(todos1)).join();

    assertThat(f.client.getQueryData(todos1)).contains("initial");
    assertThat(calls.count()).as("inactive: no refetch").isZero();

    QueryObserver<String> o = f.client.observe(withInitial, r -> {});
    f.client.setQueryData(todos1, "changed again");
    CompletableFuture<Void> reset = f.client.resetQueries(QueryFilters.exact(todos1));
    assertThat(f.client.getQueryData(todos1)).contains("initial");
    assertThat(calls.count()).as("active: refetched after the reset").isEqualTo(1);
    calls.last().complete("fetched");
    reset.join();
    assertThat(f.client.getQueryData(todos1)).contains("fetched");
    o.close();
  }

  @Test
  void resetQueries_whilePendingWithoutData_failsThePendingFetchWithCancelledException() {
    Calls<String> calls = f.calls();
    CompletableFuture<String> pending = f.client.fetchQuery(QueryOptions.of(todos1, calls));
    f.client.resetQueries(QueryFilters.exact(todos1));
    assertThatThrownBy(pending::join).hasCauseInstanceOf(CancelledException.class);
  }

  @Test
  void removeQueries_removesMatches_andCancelsTheirFetchSilently() {
    Calls<String> calls = f.calls();
    f.client.fetchQuery(QueryOptions.of(todos1, calls));
    f.client.setQueryData(users, "u");
    f.client.removeQueries(QueryFilters.prefix(QueryKey.of("todos")));
    assertThat(f.client.getQueryState(todos1)).isEmpty();
    assertThat(calls.last()).isCancelled();
    assertThat(f.client.getQueryData(users)).contains("u");
    f.client.clear();
    assertThat(f.client.snapshot()).isEmpty();
  }

  @Test
  void isFetching_countsFetchingQueries_butNotPausedOnes() {
    f.client.fetchQuery(QueryOptions.of(todos1, f.calls()));
    f.client.fetchQuery(QueryOptions.of(todos2, f.calls()));
    assertThat(f.client.isFetching(QueryFilters.all())).isEqualTo(2);
    assertThat(f.client.isFetching(QueryFilters.exact(todos2))).isEqualTo(1);
    f.connectivity.setOnline(false);
    f.client.fetchQuery(QueryOptions.of(users, f.calls()));
    assertThat(f.client.getQueryState(users).orElseThrow().fetchStatus())
        .isEqualTo(FetchStatus.PAUSED);
    assertThat(f.client.isFetching(QueryFilters.all())).isEqualTo(2);
  }

  @Test
  void getQueriesData_andSetQueriesData_workOnExistingMatchesOnly() {
    f.client.setQueryData(todos1, 1);
    f.client.setQueryData(todos2, 2);
    f.client.setQueryData(users, 10);
    Map<QueryKey, Integer> updated =
        f.client.setQueriesData(
            QueryFilters.prefix(QueryKey.of("todos")),
            (Optional<Integer> v) -> v.map(x -> x * 100));
    assertThat(updated).containsExactly(Map.entry(todos1, 100), Map.entry(todos2, 200));
    Map<QueryKey, Integer> all = f.client.getQueriesData(QueryFilters.all());
    assertThat(all)
        .containsExactly(Map.entry(todos1, 100), Map.entry(todos2, 200), Map.entry(users, 10));
    f.client.setQueriesData(
        QueryFilters.exact(QueryKey.of("missing")), (Optional<Integer> v) -> Optional.of(1));
    assertThat(f.client.getQueryState(QueryKey.of("missing"))).isEmpty();
  }

  @Test
  void filters_byTypeAndStaleness_useTheQueryViewOfStaleness() {
    f.client.setQueryData(todos1, "fresh-without-observers");
    f.client.observe(
        QueryOptions.<String>builder(todos2, ctx -> Calls.ok("v"))
            .staleTime(Duration.ofMinutes(1))
            .build(),
        r -> {});
    assertThat(f.client.getQueriesData(QueryFilters.all().stale(true))).isEmpty();
    f.time.advance(Duration.ofMinutes(1));
    assertThat(f.client.getQueriesData(QueryFilters.all().stale(true))).containsOnlyKeys(todos2);
    assertThat(f.client.getQueriesData(QueryFilters.all().type(QueryFilters.Type.INACTIVE)))
        .containsOnlyKeys(todos1);
    assertThat(f.client.getQueriesData(QueryFilters.all().predicate(s -> s.observerCount() > 0)))
        .containsOnlyKeys(todos2);
  }

  @Test
  void cacheEvents_forAnObservedFetch_arriveInOrder() {
    RecordingListener<QueryCacheEvent> events = new RecordingListener<>();
    f.client.subscribe(events);
    Calls<String> calls = f.calls();
    QueryObserver<String> o = f.client.observe(QueryOptions.of(todos1, calls), r -> {});
    calls.last().complete("v");
    f.client.setQueryData(todos1, "manual");
    o.close();
    f.time.advance(Duration.ofMinutes(5));

    assertThat(events.next()).isEqualTo(new QueryCacheEvent.Added(todos1));
    assertThat(events.next()).isEqualTo(new QueryCacheEvent.ObserverAdded(todos1));
    assertThat(events.next()).isEqualTo(new QueryCacheEvent.ObserverResultsUpdated(todos1));
    assertThat(events.next())
        .isInstanceOfSatisfying(
            QueryCacheEvent.Updated.class,
            u -> assertThat(u.action()).isEqualTo(QueryAction.FETCH));
    assertThat(events.next()).isEqualTo(new QueryCacheEvent.ObserverResultsUpdated(todos1));
    assertThat(events.next())
        .isInstanceOfSatisfying(
            QueryCacheEvent.Updated.class,
            u -> {
              assertThat(u.action()).isEqualTo(QueryAction.SUCCESS);
              assertThat(u.state().data()).isEqualTo(Optional.of("v"));
            });
    assertThat(events.next()).isEqualTo(new QueryCacheEvent.ObserverResultsUpdated(todos1));
    assertThat(events.next())
        .isInstanceOfSatisfying(
            QueryCacheEvent.Updated.class,
            u -> assertThat(u.action()).isEqualTo(QueryAction.SET_DATA));
    assertThat(events.next()).isEqualTo(new QueryCacheEvent.ObserverRemoved(todos1));
    assertThat(events.next()).isEqualTo(new QueryCacheEvent.Removed(todos1));
    events.assertExhausted();
  }

  @Test
  void snapshot_describesEveryQuery_withObserversAndGcDueTime() {
    f.client.setQueryData(todos1, "a");
    f.client.observe(QueryOptions.<String>of(todos2, ctx -> Calls.ok("b")), r -> {});
    List<QuerySnapshot> snap = f.client.snapshot();
    assertThat(snap).extracting(QuerySnapshot::key).containsExactly(todos1, todos2);
    QuerySnapshot a = snap.get(0);
    assertThat(a.observerCount()).isZero();
    assertThat(a.isActive()).isFalse();
    assertThat(a.gcDueAt())
        .contains(Instant.ofEpochMilli(f.time.currentTimeMillis()).plus(Duration.ofMinutes(5)));
    QuerySnapshot b = snap.get(1);
    assertThat(b.observerCount()).isEqualTo(1);
    assertThat(b.isActive()).isTrue();
    assertThat(b.gcDueAt()).isEmpty();
    assertThat(b.status()).isEqualTo(QueryStatus.SUCCESS);
  }

  @Test
  void maximumSize_evictsUnobservedQueries_neverObservedOnes() {
    QueryClient small =
        QueryClient.builder()
            .clock(f.time)
            .scheduler(f.time)
            .callbackExecutor(Runnable::run)
            .maximumSize(2)
            .build();
    try {
      small.observe(QueryOptions.<String>of(users, ctx -> Calls.ok("u")), r -> {});
      for (int i = 0; i < 10; i++) {
        small.setQueryData(QueryKey.of("item", i), i);
      }
      assertThat(small.snapshot().size()).isLessThanOrEqualTo(3);
      assertThat(small.getQueryData(users)).contains("u");
    } finally {
      small.close();
    }
  }
}
