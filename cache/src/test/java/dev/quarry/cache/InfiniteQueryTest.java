package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.QueryKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InfiniteQueryTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("feed");
  private final List<Integer> requested = new CopyOnWriteArrayList<>();
  private volatile int version;

  @AfterEach
  void close() {
    f.close();
  }

  private InfiniteQueryOptions.Builder<String, Integer> feed() {
    return InfiniteQueryOptions.<String, Integer>builder(
            key,
            (ctx, page) -> {
              requested.add(page);
              return CompletableFuture.completedFuture("page" + page + "v" + version);
            },
            1,
            (last, pages, param, params) -> param < 5 ? Optional.of(param + 1) : Optional.empty())
        .getPreviousPageParam(
            (first, pages, param, params) -> param > 0 ? Optional.of(param - 1) : Optional.empty());
  }

  private static List<Integer> params(InfiniteQueryObserver<String, Integer> o) {
    return o.currentResult().data().orElseThrow().pageParams();
  }

  @Test
  void maxPages2_walksFrom_1_to_1and2_to_0and1() {
    InfiniteQueryObserver<String, Integer> o =
        f.client.observeInfinite(feed().maxPages(2).build(), r -> {});
    assertThat(params(o)).containsExactly(1);

    o.fetchNextPage().join();
    assertThat(params(o)).containsExactly(1, 2);

    o.fetchPreviousPage().join();
    assertThat(params(o)).containsExactly(0, 1);
    assertThat(o.currentResult().data().orElseThrow().pages())
        .containsExactly("page0v0", "page1v0");
    assertThat(requested).containsExactly(1, 2, 0);
  }

  @Test
  void everyPageFetch_carriesADirection_forwardForTheFirstPageAndEveryPageOfARefetch() {
    List<String> seen = new CopyOnWriteArrayList<>();
    InfiniteQueryOptions<String, Integer> options =
        InfiniteQueryOptions.<String, Integer>builder(
                key,
                (ctx, page) -> {
                  seen.add(page + ":" + ctx.direction().map(Enum::name).orElse("none"));
                  return CompletableFuture.completedFuture("page" + page);
                },
                1,
                (last, pages, param, params) ->
                    param < 5 ? Optional.of(param + 1) : Optional.empty())
            .getPreviousPageParam(
                (first, pages, param, params) ->
                    param > 0 ? Optional.of(param - 1) : Optional.empty())
            .build();
    InfiniteQueryObserver<String, Integer> o = f.client.observeInfinite(options, r -> {});
    o.fetchNextPage().join();
    o.fetchPreviousPage().join();
    seen.add("refetch");

    f.client.invalidateQueries(QueryFilters.exact(key)).join();

    assertThat(seen)
        .containsExactly(
            "1:FORWARD",
            "2:FORWARD",
            "0:BACKWARD",
            "refetch",
            "0:FORWARD",
            "1:FORWARD",
            "2:FORWARD");
  }

  @Test
  void refetch_refetchesEveryLoadedPageInOrder_recomputingParams() {
    InfiniteQueryObserver<String, Integer> o = f.client.observeInfinite(feed().build(), r -> {});
    o.fetchNextPage().join();
    o.fetchNextPage().join();
    requested.clear();
    version = 1;

    f.client.invalidateQueries(QueryFilters.exact(key)).join();

    assertThat(requested).containsExactly(1, 2, 3);
    assertThat(o.currentResult().data().orElseThrow().pages())
        .containsExactly("page1v1", "page2v1", "page3v1");
  }

  @Test
  void fetchNextPage_withoutANextParam_callsNothing_andKeepsTheData() {
    InfiniteQueryObserver<String, Integer> o =
        f.client.observeInfinite(
            InfiniteQueryOptions.<String, Integer>builder(
                    key,
                    (ctx, page) -> {
                      requested.add(page);
                      return CompletableFuture.completedFuture("only");
                    },
                    7,
                    (last, pages, param, params) -> Optional.empty())
                .build(),
            r -> {});
    assertThat(o.hasNextPage()).isFalse();
    assertThat(o.hasPreviousPage()).isFalse();
    o.fetchNextPage().join();
    o.fetchPreviousPage().join();
    assertThat(requested).containsExactly(7);
    assertThat(params(o)).containsExactly(7);
  }

  @Test
  void hasNextAndPrevious_followTheParamFunctions_andQueryContextCarriesTheParam() {
    List<Object> contextParams = new CopyOnWriteArrayList<>();
    InfiniteQueryObserver<String, Integer> o =
        f.client.observeInfinite(
            InfiniteQueryOptions.<String, Integer>builder(
                    key,
                    (ctx, page) -> {
                      contextParams.add(ctx.pageParam().orElseThrow());
                      return CompletableFuture.completedFuture("p" + page);
                    },
                    5,
                    (last, pages, param, params) ->
                        param < 5 ? Optional.of(param + 1) : Optional.empty())
                .getPreviousPageParam((first, pages, param, params) -> Optional.of(param - 1))
                .build(),
            r -> {});
    assertThat(o.hasNextPage()).isFalse();
    assertThat(o.hasPreviousPage()).isTrue();
    o.fetchPreviousPage().join();
    assertThat(contextParams).containsExactly(5, 4);
    assertThat(o.isFetchingNextPage()).isFalse();
  }

  @Test
  void retryDuringARefetch_resumesAtTheFailingPage() {
    InfiniteQueryObserver<String, Integer> o = f.client.observeInfinite(feed().build(), r -> {});
    o.fetchNextPage().join();
    o.fetchNextPage().join();
    requested.clear();
    boolean[] failed = {false};
    InfiniteQueryOptions<String, Integer> flaky =
        InfiniteQueryOptions.<String, Integer>builder(
                key,
                (ctx, page) -> {
                  requested.add(page);
                  if (page == 2 && !failed[0]) {
                    failed[0] = true;
                    return CompletableFuture.failedFuture(new IllegalStateException("page 2"));
                  }
                  return CompletableFuture.completedFuture("page" + page + "retry");
                },
                1,
                (last, pages, param, params) ->
                    param < 5 ? Optional.of(param + 1) : Optional.empty())
            .retry(1)
            .build();

    CompletableFuture<InfiniteData<String, Integer>> refetch = new CompletableFuture<>();
    f.client.invalidateQueries(QueryFilters.exact(key).refetchType(QueryFilters.RefetchType.NONE));
    f.client.fetchInfiniteQuery(flaky).whenComplete((v, e) -> refetch.complete(v));
    f.time.advance(Duration.ofSeconds(1));

    assertThat(requested).containsExactly(1, 2, 2, 3);
    assertThat(refetch.join().pages()).containsExactly("page1retry", "page2retry", "page3retry");
    assertThat(o.currentResult().data().orElseThrow().pageParams()).containsExactly(1, 2, 3);
  }

  @Test
  void fetchInfiniteQuery_withPages3_loadsThreePagesOnFirstLoad() {
    InfiniteData<String, Integer> d = f.client.fetchInfiniteQuery(feed().pages(3).build()).join();
    assertThat(d.pageParams()).containsExactly(1, 2, 3);
    assertThat(f.client.snapshot().get(0).isInfinite()).isTrue();
  }
}
