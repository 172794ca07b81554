package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Optimistic layers and the reconnect barrier, in virtual time. */
class OptimisticUpdateTest {
  private static final QueryKey EPISODES = QueryKey.of("episodes", "p1");

  private final VirtualTime time = new VirtualTime();
  private final Connectivity connectivity = Connectivity.create();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final QueryClient queries =
      QueryClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .connectivity(connectivity)
          .errorHandler((c, e) -> handled.add(e))
          .build();
  private final MutationClient mutations =
      MutationClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .queryClient(queries)
          .errorHandler((c, e) -> handled.add(e))
          .build();

  @AfterEach
  void close() {
    mutations.close();
    queries.close();
  }

  private static List<String> plus(List<String> list, String item) {
    List<String> out = new ArrayList<>(list);
    out.add(item);
    return List.copyOf(out);
  }

  /** Adds the variables to the episode list; succeeds after {@code d}, or fails if "fail-" . */
  private MutationOptions<String, String, Void> addEpisode(Duration d) {
    return MutationOptions.<String, String, Void>builder()
        .mutationFn(
            (title, ctx) -> {
              log.add("send " + title);
              CompletableFuture<String> f = new CompletableFuture<>();
              time.schedule(
                  d,
                  () -> {
                    if (title.startsWith("fail")) {
                      f.completeExceptionally(new IllegalStateException("refused " + title));
                    } else {
                      f.complete(title);
                    }
                  });
              return f;
            })
        .<List<String>>optimistic(title -> EPISODES, (list, title) -> list.map(l -> plus(l, title)))
        .build();
  }

  private List<String> cached() {
    return queries.<List<String>>getQueryData(EPISODES).orElseThrow();
  }

  @Test
  void overlappingMutations_firstFailsSecondSucceeds_endWithTheSecondChangeOnly() {
    queries.setQueryData(EPISODES, List.of("x"));

    CompletableFuture<String> a = mutations.mutate(addEpisode(Duration.ofMillis(10)), "fail-a");
    CompletableFuture<String> b = mutations.mutate(addEpisode(Duration.ofMillis(20)), "b");
    assertThat(cached()).containsExactly("x", "fail-a", "b");

    time.advance(Duration.ofMillis(10));
    assertThat(a).isCompletedExceptionally();
    assertThat(cached()).containsExactly("x", "b");

    time.advance(Duration.ofMillis(10));
    assertThat(b).isCompletedWithValue("b");
    assertThat(cached()).containsExactly("x", "b");
  }

  @Test
  void aRollbackWhoseErrorAnOnErrorHandles_isNotReportedAsUncaught() {
    List<String> original = List.of("x");
    queries.setQueryData(EPISODES, original);
    List<String> seen = new CopyOnWriteArrayList<>();
    MutationOptions<String, String, Void> withOnError =
        addEpisode(Duration.ofMillis(10))
            .newBuilder()
            .onError((error, title, context) -> seen.add(error.getMessage()))
            .build();

    CompletableFuture<String> a = mutations.mutate(withOnError, "fail-a");
    time.advance(Duration.ofMillis(10));

    assertThat(a).isCompletedExceptionally();
    assertThat(cached()).isEqualTo(original);
    assertThat(seen).containsExactly("refused fail-a");
    assertThat(handled).isEmpty();
  }

  @Test
  void failure_restoresTheDataExactly_andReportsTheError() {
    List<String> original = List.of("x", "y");
    queries.setQueryData(EPISODES, original);

    CompletableFuture<String> a = mutations.mutate(addEpisode(Duration.ofMillis(10)), "fail-a");
    assertThat(cached()).containsExactly("x", "y", "fail-a");
    time.advance(Duration.ofMillis(10));

    assertThatThrownBy(a::get)
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("refused fail-a");
    assertThat(cached()).isEqualTo(original);
    assertThat(handled).extracting(Throwable::getMessage).containsExactly("refused fail-a");
  }

  @Test
  void serverDataLandingWhilePending_getsTheLayerReapplied_andAnInFlightFetchIsCancelled() {
    List<CompletableFuture<List<String>>> fetches = new ArrayList<>();
    QueryOptions<List<String>> list =
        QueryOptions.of(
            EPISODES,
            ctx -> {
              log.add("fetch");
              CompletableFuture<List<String>> f = new CompletableFuture<>();
              fetches.add(f);
              return f;
            });
    queries.observe(list, r -> {});
    fetches.get(0).complete(List.of("x"));
    queries.refetchQueries(dev.quarry.cache.QueryFilters.exact(EPISODES));
    assertThat(fetches).hasSize(2); // a refetch is in flight when the mutation starts

    mutations.mutate(addEpisode(Duration.ofMillis(50)), "a");
    fetches.get(1).complete(List.of("stale"));
    assertThat(cached()).containsExactly("x", "a");

    queries.refetchQueries(dev.quarry.cache.QueryFilters.exact(EPISODES));
    fetches.get(2).complete(List.of("x", "y"));
    assertThat(cached()).containsExactly("x", "y", "a");

    // Success: the declared key is invalidated and refetched; the server now has "a".
    time.advance(Duration.ofMillis(50));
    assertThat(fetches).hasSize(4);
    fetches.get(3).complete(List.of("x", "y", "a"));
    assertThat(cached()).containsExactly("x", "y", "a");
  }

  @Test
  void invalidateOnSettledOff_doesNotRefetch() {
    List<CompletableFuture<List<String>>> fetches = new ArrayList<>();
    queries.observe(
        QueryOptions.<List<String>>of(
            EPISODES,
            ctx -> {
              CompletableFuture<List<String>> f = new CompletableFuture<>();
              fetches.add(f);
              return f;
            }),
        r -> {});
    fetches.get(0).complete(List.of("x"));

    mutations.mutate(
        addEpisode(Duration.ofMillis(5)).newBuilder().invalidateOnSettled(false).build(), "a");
    time.advance(Duration.ofMillis(5));

    assertThat(fetches).hasSize(1);
    assertThat(cached()).containsExactly("x", "a");
  }

  @Test
  void reconnect_resumesPausedMutationsBeforeAnyQueryRefetch() {
    queries.observe(
        QueryOptions.<String>of(
            QueryKey.of("profile"),
            ctx -> {
              log.add("query fetch");
              return CompletableFuture.completedFuture("me");
            }),
        r -> {});
    connectivity.setOnline(false);
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder()
            .mutationFn(
                (v, ctx) -> {
                  log.add("mutation start " + v);
                  CompletableFuture<String> f = new CompletableFuture<>();
                  time.schedule(
                      Duration.ofMillis(10),
                      () -> {
                        log.add("mutation finish " + v);
                        f.complete(v);
                      });
                  return f;
                })
            .scope("profile")
            .build();
    mutations.mutate(options, "m1");
    mutations.mutate(options, "m2");
    assertThat(log).containsExactly("query fetch");

    connectivity.setOnline(true);
    assertThat(log).containsExactly("query fetch", "mutation start m1");
    time.advance(Duration.ofMillis(10));
    time.advance(Duration.ofMillis(10));

    assertThat(log)
        .containsExactly(
            "query fetch",
            "mutation start m1",
            "mutation finish m1",
            "mutation start m2",
            "mutation finish m2",
            "query fetch");
  }

  @Test
  void restoredMutation_showsItsOptimisticChangeAgainWhilePending() {
    InMemoryOutbox outbox = new InMemoryOutbox();
    outbox.append(QueryKey.of("add").hash(), "\"c\"", Optional.empty(), "k1", 0);
    queries.setQueryData(EPISODES, List.of("x"));
    connectivity.setOnline(false);
    try (MutationClient restarted =
        MutationClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .queryClient(queries)
            .outbox(outbox)
            .build()) {
      restarted.setMutationDefaults(
          QueryKey.of("add"),
          addEpisode(Duration.ofMillis(5))
              .newBuilder()
              .persistent(true)
              .variablesType(String.class)
              .build());

      CompletableFuture<Void> resumed = restarted.resumeOutbox();
      assertThat(cached()).containsExactly("x", "c");
      assertThat(log).isEmpty();

      connectivity.setOnline(true);
      time.advance(Duration.ofMillis(5));
      assertThat(resumed).isCompleted();
      assertThat(log).containsExactly("send c");
      assertThat(cached()).containsExactly("x", "c");
      assertThat(outbox.pending()).isEmpty();
    }
  }

  @Test
  void httpWithoutAJsonHttp_failsTheMutationWithAClearError() {
    CompletableFuture<Object> result =
        mutations.mutate(
            MutationOptions.<String, Object>of((v, ctx) -> ctx.http().get("x", Object.class)), "a");
    assertThatThrownBy(result::get)
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("http(...)");
  }

  @Test
  void optimisticWithoutQueryClient_isRejectedNamingTheOption() {
    try (MutationClient plain =
        MutationClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .build()) {
      assertThatThrownBy(() -> plain.mutate(addEpisode(Duration.ZERO), "a"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("queryClient");
    }
    assertThat(Optional.of(log)).contains(List.of());
  }
}
