package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.QueryKey;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cancelRefetch}: true (the default) restarts a running fetch of a query that has data;
 * false joins it. The same for invalidateQueries, refetchQueries and an observer's refetch.
 */
class CancelRefetchTest {
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("episodes", "p1");
  private final Calls<String> calls = f.calls();
  private QueryObserver<String> observer;

  @AfterEach
  void close() {
    f.close();
    assertThat(f.errors).isEmpty();
  }

  /** An observed query with data "v0" and a background refetch running (call 2). */
  private void refetchRunning() {
    observer = f.client.observe(QueryOptions.of(key, calls), r -> {});
    calls.last().complete("v0");
    f.client.refetchQueries(QueryFilters.exact(key));
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void invalidateQueries_cancelRefetchFalse_joinsTheRunningFetch() {
    refetchRunning();

    CompletableFuture<Void> done = f.client.invalidateQueries(QueryFilters.exact(key), false);

    assertThat(calls.count()).as("no new call").isEqualTo(2);
    assertThat(f.client.getQueryState(key).orElseThrow().isInvalidated()).isTrue();
    assertThat(done).isNotDone();
    calls.last().complete("v1");
    assertThat(done).isCompleted();
    assertThat(f.client.getQueryData(key)).contains("v1");
  }

  @Test
  void invalidateQueries_byDefault_cancelsTheRunningFetchAndStartsAnother() {
    refetchRunning();

    CompletableFuture<Void> done = f.client.invalidateQueries(QueryFilters.exact(key));

    assertThat(calls.count()).isEqualTo(3);
    calls.futures.get(1).complete("from the cancelled fetch");
    assertThat(done).isNotDone();
    calls.last().complete("v2");
    assertThat(done).isCompleted();
    assertThat(f.client.getQueryData(key)).contains("v2");
  }

  @Test
  void observerRefetch_cancelRefetchFalse_joinsTheRunningFetch_andCompletesWithItsResult() {
    refetchRunning();

    CompletableFuture<QueryResult<String>> joined = observer.refetch(false);

    assertThat(calls.count()).isEqualTo(2);
    calls.last().complete("v1");
    assertThat(joined.join().data()).contains("v1");
  }

  @Test
  void observerRefetch_byDefault_restartsTheRunningFetch() {
    refetchRunning();

    CompletableFuture<QueryResult<String>> restarted = observer.refetch();

    assertThat(calls.count()).isEqualTo(3);
    calls.last().complete("v2");
    assertThat(restarted.join().data()).contains("v2");
  }

  @Test
  void duringTheFirstFetch_evenCancelRefetchTrueJoins_becauseThereIsNoDataYet() {
    QueryObserver<String> o = f.client.observe(QueryOptions.of(key, calls), r -> {});

    CompletableFuture<QueryResult<String>> r = o.refetch(true);
    f.client.invalidateQueries(QueryFilters.exact(key));

    assertThat(calls.count()).isEqualTo(1);
    calls.last().complete("v0");
    assertThat(r.join().data()).contains("v0");
  }
}
