package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where the cache applies structural sharing, and how the option and the defaults change it. */
class StructuralSharingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Episode(String id, String title, List<String> tags) {}

  record Page(int number, List<Episode> items) {}

  private final QueryKey key = QueryKey.of("episodes", "p1");
  private Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  /** A new instance on every call, equal to every other with the same titles. */
  private static Page page(String... titles) {
    List<Episode> items = new ArrayList<>();
    for (int i = 0; i < titles.length; i++) {
      items.add(new Episode(new String("e" + i), titles[i], new ArrayList<>(List.of("tag" + i))));
    }
    return new Page(1, items);
  }

  /** A query function answering, call by call, with the given pages. */
  private QueryOptions.Builder<Page> answering(Page... pages) {
    AtomicInteger calls = new AtomicInteger();
    return QueryOptions.builder(
        key, ctx -> CompletableFuture.completedFuture(pages[calls.getAndIncrement()]));
  }

  @Test
  void refetch_keepsEveryUnchangedSubtree_andReplacesTheChangedOnes() {
    Page first = page("a", "b", "c");
    Page second = page("a", "B", "c");
    QueryOptions<Page> options = answering(first, second).build();

    f.client.fetchQuery(options).join();
    Page stored = f.client.fetchQuery(options).join();

    assertThat(stored).isEqualTo(second).isNotSameAs(first).isNotSameAs(second);
    assertSame(stored, f.client.<Page>getQueryData(key).orElseThrow());
    assertSame(first.items().get(0), stored.items().get(0));
    assertSame(first.items().get(2), stored.items().get(2));
    assertSame(first.items().get(1).tags(), stored.items().get(1).tags());
    assertSame(second.items().get(1).title(), stored.items().get(1).title());
  }

  @Test
  void refetchOfEqualData_keepsTheOldRoot_andSelectDoesNotRunAgain() {
    Page first = page("a", "b");
    QueryOptions<Page> options = answering(first, page("a", "b")).build();
    AtomicInteger selects = new AtomicInteger();
    List<QueryResult<Episode>> results = new CopyOnWriteArrayList<>();
    f.client.observe(
        options,
        p -> {
          selects.incrementAndGet();
          return p.items().get(0);
        },
        results::add);
    assertThat(selects).hasValue(1);

    Page stored = f.client.fetchQuery(options).join();

    assertSame(first, stored);
    assertThat(selects).hasValue(1);
    assertSame(first.items().get(0), results.get(results.size() - 1).data().orElseThrow());
  }

  @Test
  void setQueryDataWithEqualData_keepsTheOldInstance_andObserversAreNotNotified() {
    Page first = page("a", "b");
    QueryOptions<Page> options =
        answering(first).staleTime(StaleTime.never()).build(); // fetched once, then fresh
    RecordingListener<QueryResult<Page>> results = new RecordingListener<>();
    f.client.observe(options, results);
    assertThat(results.drain()).last().satisfies(r -> assertSame(first, r.data().orElseThrow()));

    // Same virtual instant, equal data: the stored data and the observer's result are unchanged.
    Optional<Page> stored = f.client.setQueryData(key, page("a", "b"));

    assertSame(first, stored.orElseThrow());
    results.assertExhausted();

    Page changed = page("a", "c");
    f.client.setQueryData(key, changed);
    Page shown = results.next().data().orElseThrow();
    assertThat(shown).isEqualTo(changed);
    assertSame(first.items().get(0), shown.items().get(0));
    results.assertExhausted();
  }

  @Test
  void jsonTrees_areSharedNodeByNode_withoutTouchingTheTreesGiven() throws Exception {
    JsonNode first = JSON.readTree("{\"items\":[{\"id\":1},{\"id\":2}],\"total\":2}");
    JsonNode second = JSON.readTree("{\"items\":[{\"id\":1},{\"id\":3}],\"total\":2}");
    AtomicInteger calls = new AtomicInteger();
    JsonNode[] answers = {first, second};
    QueryOptions<JsonNode> options =
        QueryOptions.builder(
                key, ctx -> CompletableFuture.completedFuture(answers[calls.getAndIncrement()]))
            .build();

    f.client.fetchQuery(options).join();
    JsonNode stored = f.client.fetchQuery(options).join();

    assertThat(stored).isEqualTo(second);
    assertSame(first.get("total"), stored.get("total"));
    assertSame(first.get("items").get(0), stored.get("items").get(0));
    assertThat(first.get("items").get(1).get("id").asInt()).isEqualTo(2);
    assertThat(second.get("items").get(0)).isNotSameAs(first.get("items").get(0));
  }

  @Test
  void structuralSharingFalse_storesEveryNewInstance() {
    Page first = page("a", "b");
    Page second = page("a", "b");
    QueryOptions<Page> options = answering(first, second).structuralSharing(false).build();

    f.client.fetchQuery(options).join();
    Page stored = f.client.fetchQuery(options).join();

    assertSame(second, stored);
    assertSame(second, f.client.<Page>getQueryData(key).orElseThrow());
  }

  @Test
  void customFunction_receivesOldAndNew_andDecidesWhatIsStored() {
    Page first = page("a");
    Page second = page("b");
    Page decided = page("decided");
    List<Page> seen = new CopyOnWriteArrayList<>();
    QueryOptions<Page> options =
        answering(first, second)
            .structuralSharing(
                (old, fresh) -> {
                  seen.add(old);
                  seen.add(fresh);
                  return decided;
                })
            .build();

    f.client.fetchQuery(options).join();
    Page stored = f.client.fetchQuery(options).join();

    assertSame(decided, stored);
    assertThat(seen).hasSize(2);
    assertSame(first, seen.get(0));
    assertSame(second, seen.get(1));
  }

  @Test
  void customFunctionThatThrows_failsTheFetch_andKeepsTheOldData() {
    Page first = page("a");
    QueryOptions<Page> options =
        answering(first, page("b"))
            .structuralSharing(
                (old, fresh) -> {
                  throw new IllegalStateException("cannot merge " + fresh.number());
                })
            .build();
    f.client.fetchQuery(options).join(); // no old data yet: the function is not called

    assertThatThrownBy(() -> f.client.fetchQuery(options).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("cannot merge 1");
    assertSame(first, f.client.<Page>getQueryData(key).orElseThrow());
    assertThat(f.client.getQueryState(key).orElseThrow().status()).isEqualTo(QueryStatus.ERROR);
  }

  @Test
  void clientDefaults_applyToFetchesAndSetQueryData_andOptionsOverrideThem() {
    f.close();
    f = new Fixture(QueryDefaults.builder().structuralSharing(false).build());
    Page first = page("a");
    Page second = page("a");
    Page third = page("a");

    f.client.fetchQuery(answering(first, second).build()).join();
    f.client.fetchQuery(answering(second).build()).join();
    assertSame(second, f.client.<Page>getQueryData(key).orElseThrow());

    QueryKey other = QueryKey.of("other");
    f.client.setQueryData(other, first);
    f.client.setQueryData(other, second);
    assertSame(second, f.client.<Page>getQueryData(other).orElseThrow());

    Page stored = f.client.fetchQuery(answering(third).structuralSharing(true).build()).join();
    assertSame(second, stored);
  }

  @Test
  void perKeyDefaults_withAFunction_applyToSetQueryData() {
    List<Object> seen = new CopyOnWriteArrayList<>();
    f.client.setQueryDefaults(
        QueryKey.of("episodes"),
        QueryDefaults.builder()
            .structuralSharing(
                (old, fresh) -> {
                  seen.add(fresh);
                  return QueryOptions.replaceEqualDeep(old, fresh);
                })
            .build());
    Page first = page("a", "b");

    f.client.setQueryData(key, first);
    Optional<Page> stored = f.client.setQueryData(key, page("a", "c"));

    assertThat(seen).hasSize(1);
    assertSame(first.items().get(0), stored.orElseThrow().items().get(0));
    assertThat(f.client.getQueryDefaults(key).structuralSharing()).isPresent();
  }

  @Test
  void infiniteQueries_shareTheirPages() {
    List<List<String>> answers = new CopyOnWriteArrayList<>();
    InfiniteQueryOptions<List<String>, Integer> feed =
        InfiniteQueryOptions.<List<String>, Integer>builder(
                key,
                (ctx, param) -> {
                  List<String> page = new ArrayList<>(List.of("item" + param, "x"));
                  answers.add(page);
                  return CompletableFuture.completedFuture(page);
                },
                1,
                (last, pages, param, params) ->
                    param < 2 ? Optional.of(param + 1) : Optional.empty())
            .staleTime(Duration.ZERO)
            .build();
    InfiniteQueryObserver<List<String>, Integer> o = f.client.observeInfinite(feed, r -> {});
    o.fetchNextPage().join();
    InfiniteData<List<String>, Integer> before = o.currentResult().data().orElseThrow();

    o.refetch().join();

    InfiniteData<List<String>, Integer> after = o.currentResult().data().orElseThrow();
    assertThat(answers).hasSize(4);
    assertSame(before, after);
    assertSame(answers.get(0), after.pages().get(0));
  }

  /** What a select makes of a page: new instances on every call. */
  record Title(String id, String text) {}

  private static List<Title> titles(Page p) {
    List<Title> out = new ArrayList<>();
    for (Episode e : p.items()) {
      out.add(new Title(e.id(), e.title().toUpperCase()));
    }
    return out;
  }

  @Test
  void selectResult_isSharedWithThePreviousOne_keepingEveryUnchangedElement() {
    QueryOptions<Page> options = answering(page("a", "b", "c"), page("a", "B2", "c")).build();
    RecordingListener<QueryResult<List<Title>>> results = new RecordingListener<>();
    QueryObserver<List<Title>> o =
        f.client.observe(options, StructuralSharingTest::titles, results);
    List<Title> before = o.currentResult().data().orElseThrow();

    o.refetch().join();

    List<Title> after = o.currentResult().data().orElseThrow();
    assertThat(after).extracting(Title::text).containsExactly("A", "B2", "C");
    assertSame(before.get(0), after.get(0));
    assertSame(before.get(2), after.get(2));
    assertThat(after.get(1)).isNotSameAs(before.get(1));
  }

  @Test
  void selectResultEqualToThePreviousOne_isThePreviousInstance_andListenersAreNotNotified() {
    QueryOptions<Page> options = answering(page("a", "b"), page("A", "b")).build();
    RecordingListener<QueryResult<List<Title>>> results = new RecordingListener<>();
    QueryObserver<List<Title>> o =
        f.client.observe(options, StructuralSharingTest::titles, results);
    List<Title> before = o.currentResult().data().orElseThrow();
    results.drain();

    o.refetch().join(); // new data ("A" instead of "a"), the same titles once upper-cased

    assertSame(before, o.currentResult().data().orElseThrow());
    assertThat(results.drain())
        .as("only the fetching flag changed: fetching, then idle")
        .allSatisfy(r -> assertSame(before, r.data().orElseThrow()));
  }

  @Test
  void structuralSharingOff_leavesTheSelectResultAsTheSelectMadeIt() {
    QueryOptions<Page> options =
        answering(page("a", "b"), page("a", "b")).structuralSharing(false).build();
    QueryObserver<List<Title>> o =
        f.client.observe(options, StructuralSharingTest::titles, r -> {});
    List<Title> before = o.currentResult().data().orElseThrow();

    o.refetch().join(); // new data instance: select runs again

    List<Title> after = o.currentResult().data().orElseThrow();
    assertThat(after).isEqualTo(before).isNotSameAs(before);
    assertThat(after.get(0)).isNotSameAs(before.get(0));
  }
}
