package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.testing.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An observer's life as TanStack's {@code QueryObserver} lives it: created without listeners,
 * subscribed and unsubscribed, given new options while subscribed.
 */
class ObserverLifecycleTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("episodes", "p1");
  private final QueryKey other = QueryKey.of("episodes", "p2");
  private final RecordingListener<QueryResult<String>> results = new RecordingListener<>();

  @AfterEach
  void close() {
    f.close();
    assertThat(f.errors).isEmpty();
  }

  private QuerySnapshot snapshotOf(QueryKey k) {
    List<QuerySnapshot> found = f.client.findAll(QueryFilters.exact(k));
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void createdObserver_buildsItsQuery_butDoesNotFetchOrAttach_untilSubscribed() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o = f.client.createObserver(QueryOptions.of(key, calls));

    assertThat(calls.count()).isZero();
    assertThat(o.hasListeners()).isFalse();
    assertThat(snapshotOf(key).observerCount()).isZero();
    assertThat(o.currentResult().isPending()).isTrue();
    assertThat(o.currentResult().fetchStatus()).isEqualTo(FetchStatus.IDLE);

    o.subscribe(results);

    assertThat(calls.count()).isEqualTo(1);
    assertThat(o.hasListeners()).isTrue();
    assertThat(snapshotOf(key).observerCount()).isEqualTo(1);
    assertThat(results.drain()).last().extracting(r -> r.data()).isEqualTo(Optional.of("v0"));
  }

  @Test
  void unsubscribedObserver_refetch_fetches_andCompletesWithItsResult_withoutAttaching() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o =
        f.client.createObserver(QueryOptions.of(key, calls), s -> s.toUpperCase());

    QueryResult<String> r = o.refetch().join();

    assertThat(r.data()).contains("V0");
    assertThat(o.currentResult()).isEqualTo(r);
    assertThat(calls.count()).isEqualTo(1);
    assertThat(snapshotOf(key).observerCount()).isZero();
  }

  @Test
  void unsubscribedObserver_doesNotKeepItsQueryFromGc() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o =
        f.client.createObserver(
            QueryOptions.builder(key, calls).gcTime(Duration.ofMinutes(1)).build());
    o.refetch().join();

    f.time.advance(Duration.ofMinutes(1));

    assertThat(f.client.findAll(QueryFilters.exact(key))).isEmpty();
    // The observer builds its query again when asked to fetch, as TanStack's does.
    assertThat(o.refetch().join().data()).contains("v1");
    assertThat(f.client.getQueryData(key)).contains("v1");
  }

  @Test
  void lastUnsubscribe_detaches_startsGc_andSubscribingAgainReattaches() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryObserver<String> o =
        f.client.createObserver(
            QueryOptions.builder(key, calls)
                .staleTime(Duration.ofMinutes(10))
                .gcTime(Duration.ofMinutes(1))
                .build());
    Registration first = o.subscribe(results);
    RecordingListener<QueryResult<String>> second = new RecordingListener<>();
    Registration s2 = o.subscribe(second);
    assertThat(second.next().data()).as("a new listener gets the current result").contains("v0");
    second.assertExhausted();

    first.close();
    assertThat(o.hasListeners()).isTrue();
    assertThat(snapshotOf(key).observerCount()).isEqualTo(1);
    s2.close();
    s2.close();
    assertThat(o.hasListeners()).isFalse();
    assertThat(snapshotOf(key).observerCount()).isZero();
    assertThat(snapshotOf(key).gcDueAt()).isPresent();

    RecordingListener<QueryResult<String>> third = new RecordingListener<>();
    o.subscribe(third);
    assertThat(third.next().data()).contains("v0");
    assertThat(snapshotOf(key).observerCount()).isEqualTo(1);
    assertThat(snapshotOf(key).gcDueAt()).isEmpty();
    assertThat(calls.count()).as("fresh data: no refetch on the second mount").isEqualTo(1);
  }

  @Test
  void closedObserver_refusesNewListeners_andNewOptions() {
    QueryObserver<String> o = f.client.createObserver(QueryOptions.of(key, f.<String>calls()));
    o.close();
    assertThatThrownBy(() -> o.subscribe(results))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed")
        .hasMessageContaining("episodes");
    assertThatThrownBy(() -> o.setOptions(QueryOptions.of(other, f.<String>calls())))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void setOptions_withANewKey_movesTheObserverToThatQuery_andFetchesIt() {
    Calls<String> a = f.<String>calls().answering(i -> Calls.ok("a" + i));
    Calls<String> b = f.<String>calls().answering(i -> Calls.ok("b" + i));
    QueryObserver<String> o = f.client.observe(QueryOptions.of(key, a), results);
    results.drain();

    o.setOptions(QueryOptions.of(other, b));

    assertThat(b.count()).isEqualTo(1);
    assertThat(a.count()).isEqualTo(1);
    assertThat(snapshotOf(key).observerCount()).isZero();
    assertThat(snapshotOf(other).observerCount()).isEqualTo(1);
    assertThat(results.drain()).last().extracting(r -> r.data()).isEqualTo(Optional.of("b0"));
    assertThat(o.currentResult().data()).contains("b0");

    // Later changes of the old query no longer reach the observer.
    f.client.setQueryData(key, "a-changed");
    results.assertExhausted();
    f.client.setQueryData(other, "b-changed");
    assertThat(results.next().data()).contains("b-changed");
  }

  @Test
  void setOptions_withANewKeyWhoseDataIsFresh_showsItWithoutFetching() {
    Calls<String> b = f.<String>calls().answering(i -> Calls.ok("b" + i));
    QueryOptions<String> freshB =
        QueryOptions.builder(other, b).staleTime(Duration.ofMinutes(5)).build();
    f.client.fetchQuery(freshB).join();
    QueryObserver<String> o =
        f.client.observe(
            QueryOptions.builder(key, f.<String>calls().answering(i -> Calls.ok("a")))
                .staleTime(Duration.ofMinutes(5))
                .build(),
            results);

    o.setOptions(freshB);

    assertThat(b.count()).isEqualTo(1);
    assertThat(o.currentResult().data()).contains("b0");
  }

  @Test
  void setOptions_sameKey_fetchesOnlyWhenItWasDisabled_andTheQueryIsStale() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v" + i));
    QueryOptions<String> disabled = QueryOptions.builder(key, calls).enabled(false).build();
    QueryObserver<String> o = f.client.observe(disabled, results);
    assertThat(calls.count()).isZero();
    assertThat(results.next().isEnabled()).isFalse();

    o.setOptions(disabled.newBuilder().enabled(true).build());
    assertThat(calls.count()).isEqualTo(1);
    assertThat(results.drain()).last().extracting(r -> r.data()).isEqualTo(Optional.of("v0"));

    // Enabled before and after, same query: no fetch even though the data is stale.
    o.setOptions(disabled.newBuilder().enabled(true).retry(1).build());
    assertThat(calls.count()).isEqualTo(1);
  }

  @Test
  void setOptions_withoutListeners_fetchesNothing() {
    Calls<String> a = f.<String>calls().answering(i -> Calls.ok("a" + i));
    Calls<String> b = f.<String>calls().answering(i -> Calls.ok("b" + i));
    QueryObserver<String> o = f.client.createObserver(QueryOptions.of(key, a));

    o.setOptions(QueryOptions.of(other, b));

    assertThat(a.count()).isZero();
    assertThat(b.count()).isZero();
    assertThat(snapshotOf(other).observerCount()).isZero();
    o.subscribe(results);
    assertThat(b.count()).isEqualTo(1);
    assertThat(snapshotOf(other).observerCount()).isEqualTo(1);
  }

  @Test
  void setOptions_newStaleTime_rearmsTheStaleTimer() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("v"));
    QueryOptions<String> tenMinutes =
        QueryOptions.builder(key, calls).staleTime(Duration.ofMinutes(10)).build();
    QueryObserver<String> o = f.client.observe(tenMinutes, results);
    assertThat(o.currentResult().isStale()).isFalse();

    o.setOptions(tenMinutes.newBuilder().staleTime(Duration.ofMinutes(1)).build());
    f.time.advance(Duration.ofMinutes(1).plusMillis(1));

    assertThat(o.currentResult().isStale()).isTrue();
    assertThat(results.drain()).last().extracting(QueryResult::isStale).isEqualTo(true);
  }

  @Test
  void setOptions_withSelect_changesTheShownValue() {
    Calls<String> calls = f.<String>calls().answering(i -> Calls.ok("abc"));
    RecordingListener<QueryResult<Integer>> lengths = new RecordingListener<>();
    QueryObserver<Integer> o =
        f.client.observe(QueryOptions.of(key, calls), String::length, lengths);
    assertThat(o.currentResult().data()).contains(3);

    o.setOptions(QueryOptions.of(key, calls), s -> s.length() * 10);

    assertThat(o.currentResult().data()).contains(30);
    assertThat(lengths.drain()).last().extracting(r -> r.data()).isEqualTo(Optional.of(30));
  }

  @Test
  void notifyOnChangeProps_data_notifiesOnlyWhenTheDataChanged_butTheResultStillFollows() {
    Calls<String> calls = f.calls();
    QueryObserver<String> o =
        f.client.observe(
            QueryOptions.builder(key, calls).notifyOnChangeProps(ResultProperty.DATA).build(),
            results);
    QueryResult<String> first = results.next();
    assertThat(first.isLoading()).as("the first result is always delivered").isTrue();

    calls.last().complete("v");
    assertThat(results.next().data()).contains("v");

    CompletableFuture<QueryResult<String>> refetch = o.refetch();
    assertThat(o.currentResult().isFetching()).isTrue();
    results.assertExhausted();
    calls.last().complete("v");
    assertThat(refetch.join().isFetching()).isFalse();
    results.assertExhausted();

    o.refetch();
    calls.last().complete("w");
    assertThat(results.next().data()).contains("w");
    results.assertExhausted();
  }

  @Test
  void notifyOnChangeProps_empty_deliversOnlyTheFirstResult_andAllIsTheDefault() {
    Calls<String> calls = f.calls();
    f.client.observe(QueryOptions.builder(key, calls).notifyOnChangeProps().build(), results);
    RecordingListener<QueryResult<String>> all = new RecordingListener<>();
    f.client.observe(QueryOptions.of(key, calls), all);
    assertThat(results.next().isLoading()).isTrue();

    calls.last().complete("v");

    results.assertExhausted();
    assertThat(all.drain()).extracting(r -> r.data()).contains(Optional.of("v"));
  }

  @Test
  void unsubscribedInfiniteObserver_fetchesPages_withoutAttaching() {
    InfiniteQueryObserver<String, Integer> o =
        f.client.createInfiniteObserver(
            InfiniteQueryOptions.<String, Integer>builder(
                    key,
                    (ctx, page) -> CompletableFuture.completedFuture("page" + page),
                    1,
                    (last, pages, param, params) ->
                        param < 3 ? Optional.of(param + 1) : Optional.empty())
                .build());
    assertThat(f.client.getQueryData(key)).isEmpty();

    o.refetch().join();
    QueryResult<InfiniteData<String, Integer>> r = o.fetchNextPage().join();

    assertThat(r.data().orElseThrow().pages()).containsExactly("page1", "page2");
    assertThat(o.hasNextPage()).isTrue();
    assertThat(snapshotOf(key).observerCount()).isZero();
  }

  @Test
  void infiniteObserver_notifyOnChangeProps_data_isNotToldOfAFetchStatusOnlyChange() {
    List<CompletableFuture<String>> pages = new java.util.concurrent.CopyOnWriteArrayList<>();
    RecordingListener<QueryResult<InfiniteData<String, Integer>>> infinite =
        new RecordingListener<>();
    InfiniteQueryObserver<String, Integer> o =
        f.client.observeInfinite(
            InfiniteQueryOptions.<String, Integer>builder(
                    key,
                    (ctx, page) -> {
                      CompletableFuture<String> p = new CompletableFuture<>();
                      pages.add(p);
                      return p;
                    },
                    1,
                    (last, all, param, params) -> Optional.of(param + 1))
                .notifyOnChangeProps(ResultProperty.DATA)
                .build(),
            infinite);
    assertThat(infinite.next().isLoading()).as("the first result is always delivered").isTrue();
    pages.get(0).complete("page1");
    assertThat(infinite.next().data().orElseThrow().pages()).containsExactly("page1");

    CompletableFuture<QueryResult<InfiniteData<String, Integer>>> refetch = o.refetch();
    assertThat(o.currentResult().isFetching()).isTrue();
    infinite.assertExhausted();
    pages.get(1).complete("page1");
    assertThat(refetch.join().isFetching()).isFalse();
    infinite.assertExhausted();

    CompletableFuture<QueryResult<InfiniteData<String, Integer>>> next = o.fetchNextPage();
    infinite.assertExhausted();
    pages.get(2).complete("page2");
    assertThat(next.join().data().orElseThrow().pages()).containsExactly("page1", "page2");
    assertThat(infinite.next().data().orElseThrow().pages()).containsExactly("page1", "page2");
    infinite.assertExhausted();
  }
}
