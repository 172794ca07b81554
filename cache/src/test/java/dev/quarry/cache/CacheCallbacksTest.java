package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client's onSuccess, onError and onSettled: once per fetch outcome, before the observers. */
class CacheCallbacksTest {
  private final VirtualTime time = new VirtualTime();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final List<QuerySnapshot> seen = new CopyOnWriteArrayList<>();
  private volatile boolean throwInOnSuccess;
  private final QueryKey key = QueryKey.of("episodes", "p1");

  private final QueryClient client =
      QueryClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .connectivity(Connectivity.create())
          .errorHandler((context, error) -> errors.add(error))
          .cacheCallbacks(
              new QueryCacheCallbacks() {
                @Override
                public void onSuccess(Object data, QuerySnapshot query) {
                  log.add("cache onSuccess " + data);
                  seen.add(query);
                  if (throwInOnSuccess) {
                    throw new IllegalStateException("callback broke");
                  }
                }

                @Override
                public void onError(Throwable error, QuerySnapshot query) {
                  log.add("cache onError " + error.getMessage());
                  seen.add(query);
                }

                @Override
                public void onSettled(
                    Optional<Object> data, Optional<Throwable> error, QuerySnapshot query) {
                  log.add(
                      "cache onSettled "
                          + data.orElse("-")
                          + " "
                          + error.map(Throwable::getMessage).orElse("-"));
                }
              })
          .build();

  @AfterEach
  void close() {
    client.close();
  }

  private void logResults(String name, QueryResult<String> r) {
    if (r.fetchStatus() == FetchStatus.IDLE && !r.isPending()) {
      log.add(name + " " + r.status() + " " + r.data().orElse("-"));
    }
  }

  @Test
  void success_callsOnSuccessThenOnSettled_oncePerFetch_beforeEveryObserver() {
    Calls<String> calls = new Calls<>(time);
    QueryOptions<String> options = QueryOptions.of(key, calls);
    client.observe(options, r -> logResults("observer1", r));
    client.observe(options, r -> logResults("observer2", r));
    assertThat(calls.count()).isEqualTo(1);

    calls.last().complete("v");

    assertThat(log)
        .containsExactly(
            "cache onSuccess v",
            "cache onSettled v -",
            "observer1 SUCCESS v",
            "observer2 SUCCESS v");
    assertThat(seen)
        .singleElement()
        .extracting(QuerySnapshot::status)
        .isEqualTo(QueryStatus.SUCCESS);
    assertThat(seen.get(0).key()).isEqualTo(key);
    assertThat(errors).isEmpty();
  }

  @Test
  void failure_callsOnErrorOnce_afterTheLastRetry_withTheDataKept() {
    client.setQueryData(key, "old");
    QueryOptions<String> failing =
        QueryOptions.<String>builder(key, ctx -> Calls.failing("boom"))
            .retry(2)
            .retryDelay(Duration.ofSeconds(1))
            .build();
    client.observe(failing, r -> logResults("observer", r));
    log.clear();

    time.advance(Duration.ofSeconds(10));

    assertThat(log)
        .containsExactly("cache onError boom", "cache onSettled old boom", "observer ERROR old");
    assertThat(seen).singleElement().extracting(QuerySnapshot::status).isEqualTo(QueryStatus.ERROR);
  }

  @Test
  void cancellation_thatReverts_callsNothing_oneThatDoesNot_callsOnError() {
    Calls<String> calls = new Calls<>(time);
    client.prefetchQuery(QueryOptions.of(key, calls));
    client.cancelQueries(QueryFilters.exact(key)).join();
    assertThat(log).isEmpty();

    client.prefetchQuery(QueryOptions.of(key, calls));
    client.cancelQueries(QueryFilters.exact(key), false).join();

    assertThat(log).hasSize(2);
    assertThat(log.get(0)).startsWith("cache onError fetch of").endsWith("was cancelled");
    assertThat(log.get(1)).startsWith("cache onSettled - fetch of");
  }

  @Test
  void aFetchReplacedByCancelRefetch_isNotReported_onlyItsReplacement() {
    Calls<String> calls = new Calls<>(time);
    QueryObserver<String> o = client.observe(QueryOptions.of(key, calls), r -> {});
    calls.last().complete("v0");
    log.clear();

    o.refetch();
    o.refetch(); // cancels the first refetch silently and starts another
    assertThat(calls.count()).isEqualTo(3);
    calls.futures.get(1).complete("v1");
    calls.futures.get(2).complete("v2");

    assertThat(log).containsExactly("cache onSuccess v2", "cache onSettled v2 -");
  }

  @Test
  void setQueryData_isNotAFetch_andCallsNothing() {
    client.setQueryData(key, "v");
    assertThat(log).isEmpty();
  }

  @Test
  void aThrowingCallback_goesToTheErrorHandler_andTheObserversStillReceive() {
    throwInOnSuccess = true;
    Calls<String> calls = new Calls<String>(time).answering(i -> Calls.ok("v"));
    client.observe(QueryOptions.of(key, calls), r -> logResults("observer", r));

    assertThat(errors).extracting(Throwable::getMessage).containsExactly("callback broke");
    assertThat(log)
        .containsExactly("cache onSuccess v", "cache onSettled v -", "observer SUCCESS v");
    assertThat(client.getQueryData(key)).contains("v");
  }
}
