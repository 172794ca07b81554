package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryCacheCallbacks;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The facade takes TanStack's {@code new QueryCache({ onError ... })} and {@code new
 * MutationCache({ ... })} callbacks: one place told of every query fetch and every mutation.
 */
class CacheCallbacksTest {
  final VirtualTime time = new VirtualTime();
  final List<String> seen = new CopyOnWriteArrayList<>();
  final Quarry quarry =
      Quarry.builder()
          .time(time, time)
          .callbackExecutor(VirtualTime.direct())
          .queryCacheCallbacks(
              new QueryCacheCallbacks() {
                @Override
                public void onSuccess(Object data, QuerySnapshot query) {
                  seen.add("query success " + query.key() + " " + data);
                }

                @Override
                public void onError(Throwable error, QuerySnapshot query) {
                  seen.add("query error " + query.key() + " " + error.getMessage());
                }
              })
          .mutationCacheConfig(
              MutationCacheConfig.builder()
                  .onSuccess(
                      (data, vars, ctx, m) -> {
                        seen.add("mutation success " + vars + " " + data);
                        return CompletableFuture.completedFuture(null);
                      })
                  .onError(
                      (error, vars, ctx, m) -> {
                        seen.add("mutation error " + vars + " " + error.getMessage());
                        return CompletableFuture.completedFuture(null);
                      })
                  .build())
          .build();

  @AfterEach
  void close() {
    quarry.close();
  }

  @Test
  void queryCacheCallbacks_areToldOfEveryFetchOutcome() {
    QueryKey ok = QueryKey.of("episodes", "p1");
    QueryKey broken = QueryKey.of("episodes", "p2");

    quarry
        .fetch(QueryOptions.<String>of(ok, ctx -> CompletableFuture.completedFuture("list")))
        .join();
    quarry
        .fetch(
            QueryOptions.<String>of(
                broken, ctx -> CompletableFuture.failedFuture(new IllegalStateException("down"))))
        .exceptionally(e -> null)
        .join();
    time.runDue();

    assertThat(seen)
        .containsExactly("query success " + ok + " list", "query error " + broken + " down");
  }

  @Test
  void mutationCacheConfig_runsForEveryMutation() {
    quarry
        .mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationFn((v, ctx) -> CompletableFuture.completedFuture("ep-" + v))
                .build())
        .mutate("Pilot")
        .join();
    quarry
        .mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationFn(
                    (v, ctx) -> CompletableFuture.failedFuture(new IllegalStateException("full")))
                .build())
        .mutate("Second")
        .exceptionally(e -> null)
        .join();
    time.runDue();

    assertThat(seen)
        .containsExactly("mutation success Pilot ep-Pilot", "mutation error Second full");
  }
}
