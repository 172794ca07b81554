package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryClient;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.internal.RealMutationClient;
import dev.quarry.testing.VirtualTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The layering rule: data written to a layered key by anyone but the layers becomes the new base,
 * the pending layers are re-applied over it, and a rollback keeps it. Virtual time.
 */
class OptimisticLayeringTest {
  record Episode(int number, String title) {}

  record Rename(int number, String title) {}

  private static final QueryKey EPISODES = QueryKey.of("episodes", "p1");

  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final HeldExecutor cacheEvents = new HeldExecutor();
  private final QueryClient queries =
      QueryClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(cacheEvents)
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

  /** Runs tasks at once, or, while held, keeps them until {@link #release()}. */
  static final class HeldExecutor implements Executor {
    private final Queue<Runnable> held = new ArrayDeque<>();
    private boolean holding;

    @Override
    public synchronized void execute(Runnable task) {
      if (holding) {
        held.add(task);
      } else {
        task.run();
      }
    }

    synchronized void hold() {
      holding = true;
    }

    void release() {
      Runnable next;
      while (true) {
        synchronized (this) {
          next = held.poll();
          if (next == null) {
            holding = false;
            return;
          }
        }
        next.run();
      }
    }
  }

  @AfterEach
  void close() {
    mutations.close();
    queries.close();
  }

  private static List<Episode> season(int count) {
    List<Episode> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add(new Episode(i, "Episode " + i));
    }
    return List.copyOf(out);
  }

  private static List<Episode> plus(List<Episode> list, Episode e) {
    List<Episode> out = new ArrayList<>(list);
    out.add(e);
    return List.copyOf(out);
  }

  private static List<Episode> renamed(List<Episode> list, Rename r) {
    return list.stream()
        .map(e -> e.number() == r.number() ? new Episode(e.number(), r.title()) : e)
        .toList();
  }

  private List<Episode> cached() {
    return queries.<List<Episode>>getQueryData(EPISODES).orElseThrow();
  }

  /** A mutation whose outcome the test decides through the returned futures. */
  private final List<CompletableFuture<Object>> sent = new ArrayList<>();

  private <V> MutationOptions<V, Object, Void> controlled(
      java.util.function.BiFunction<List<Episode>, V, List<Episode>> change) {
    return MutationOptions.<V, Object, Void>builder()
        .mutationFn(
            (v, ctx) -> {
              CompletableFuture<Object> f = new CompletableFuture<>();
              sent.add(f);
              return f;
            })
        .<List<Episode>>optimistic(v -> EPISODES, (list, v) -> list.map(l -> change.apply(l, v)))
        .invalidateOnSettled(false)
        .build();
  }

  private final MutationOptions<Rename, Object, Void> rename =
      controlled(OptimisticLayeringTest::renamed);
  private final MutationOptions<Episode, Object, Void> create =
      controlled(OptimisticLayeringTest::plus);

  @Test
  void rollback_afterAPushUnderThePendingRename_keepsThePushedEpisode_andTheOldName() {
    queries.setQueryData(EPISODES, season(6));
    CompletableFuture<Object> renaming = mutations.mutate(rename, new Rename(3, "The Heist"));
    assertThat(cached().get(2).title()).isEqualTo("The Heist");

    // A realtime binding (or the application) writes what the server pushed: episode 7.
    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES, list -> list.map(l -> plus(l, new Episode(7, "Episode 7"))));
    assertThat(cached()).hasSize(7);
    assertThat(cached().get(2).title()).isEqualTo("The Heist");

    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));

    assertThat(renaming).isCompletedExceptionally();
    assertThat(cached()).isEqualTo(season(7));
    assertThat(handled).extracting(Throwable::getMessage).containsExactly("rename refused");
  }

  @Test
  void rollback_afterTheServersWholeListWasSetStraightOnTheCache_keepsThatList() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));

    queries.setQueryData(EPISODES, season(7)); // the server's list, written straight to the cache
    assertThat(cached()).hasSize(7);
    assertThat(cached().get(2).title())
        .as("the pending rename is re-applied")
        .isEqualTo("The Heist");

    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));

    assertThat(cached()).isEqualTo(season(7));
  }

  @Test
  void overlappingLayers_withAPushBetween_oneSucceedsOneFails_endWithThePushAndTheSuccess() {
    queries.setQueryData(EPISODES, season(6));
    CompletableFuture<Object> renaming = mutations.mutate(rename, new Rename(3, "The Heist"));
    CompletableFuture<Object> creating = mutations.mutate(create, new Episode(8, "Draft"));
    assertThat(cached()).hasSize(7).endsWith(new Episode(8, "Draft"));

    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES, list -> list.map(l -> plus(l, new Episode(7, "Episode 7"))));
    assertThat(cached())
        .as("the pushed episode is under both pending layers")
        .containsExactly(
            new Episode(1, "Episode 1"),
            new Episode(2, "Episode 2"),
            new Episode(3, "The Heist"),
            new Episode(4, "Episode 4"),
            new Episode(5, "Episode 5"),
            new Episode(6, "Episode 6"),
            new Episode(7, "Episode 7"),
            new Episode(8, "Draft"));

    sent.get(1).complete(new Episode(8, "Draft"));
    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));

    assertThat(creating).isCompleted();
    assertThat(renaming).isCompletedExceptionally();
    assertThat(cached()).isEqualTo(plus(season(7), new Episode(8, "Draft")));
  }

  @Test
  void pushAfterASuccess_seesTheCommittedChange_andALaterRollbackKeepsBoth() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(create, new Episode(8, "Draft"));
    mutations.mutate(rename, new Rename(3, "The Heist"));
    sent.get(0).complete(new Episode(8, "Draft")); // committed: waits for the server's data

    List<List<Episode>> givenToTheFunction = new ArrayList<>();
    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES,
        list ->
            list.map(
                l -> {
                  givenToTheFunction.add(l);
                  return plus(l, new Episode(7, "Episode 7"));
                }));
    assertThat(givenToTheFunction)
        .as("the last server data with the succeeded creation, without the pending rename")
        .containsExactly(plus(season(6), new Episode(8, "Draft")));

    sent.get(1).completeExceptionally(new IllegalStateException("rename refused"));

    assertThat(cached())
        .isEqualTo(plus(plus(season(6), new Episode(8, "Draft")), new Episode(7, "Episode 7")));
  }

  @Test
  void wholeValueWrite_countsAsServerData_dropsCommittedLayers_keepsPendingOnes() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(create, new Episode(8, "Draft"));
    mutations.mutate(rename, new Rename(3, "The Heist"));
    sent.get(0).complete(new Episode(8, "Draft"));

    mutations.setQueryDataUnderLayers(
        EPISODES, season(7)); // the application's word: this is the server's list

    assertThat(cached()).isEqualTo(renamed(season(7), new Rename(3, "The Heist")));
    sent.get(1).completeExceptionally(new IllegalStateException("rename refused"));
    assertThat(cached()).isEqualTo(season(7));
  }

  @Test
  void writingBackTheShownValue_changesNothing() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));

    queries.setQueryData(EPISODES, cached());

    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));
    assertThat(cached()).isEqualTo(season(6));
  }

  @Test
  void rollbackBeforeAnOutsideWritesEventArrives_neverWritesOverIt() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));

    cacheEvents.hold(); // the cache's events wait: the layers have not seen the push yet
    queries.setQueryData(EPISODES, season(7));
    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));
    assertThat(cached()).as("the rollback did not restore the old list over the push").hasSize(7);

    cacheEvents.release();
    assertThat(cached()).isEqualTo(season(7));
  }

  @Test
  void layerChangeBeforeAnOutsideWritesEventArrives_isShownOverItOnceTheEventArrives() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));

    cacheEvents.hold();
    queries.setQueryData(EPISODES, season(7));
    mutations.mutate(create, new Episode(8, "Draft"));
    assertThat(cached()).as("the push is not overwritten").isEqualTo(season(7));

    cacheEvents.release();
    assertThat(cached())
        .isEqualTo(plus(renamed(season(7), new Rename(3, "The Heist")), new Episode(8, "Draft")));

    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));
    sent.get(1).completeExceptionally(new IllegalStateException("create refused"));
    assertThat(cached()).isEqualTo(season(7));
  }

  @Test
  void concurrentPushesAndSettlingMutations_loseNoPush_andKeepOnlyTheSucceededChanges()
      throws Exception {
    queries.setQueryData(EPISODES, List.<Episode>of());
    int writers = 4;
    int pushesEach = 50;
    int mutationCount = 20;
    List<CompletableFuture<Object>> results = new ArrayList<>();
    for (int i = 0; i < mutationCount; i++) {
      results.add(mutations.mutate(create, new Episode(1000 + i, "Draft")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  go.await(10, TimeUnit.SECONDS);
                  for (int i = 0; i < pushesEach; i++) {
                    Episode pushed = new Episode(writer * 100 + i, "Pushed");
                    mutations.<List<Episode>>setQueryDataUnderLayers(
                        EPISODES, list -> list.map(l -> plus(l, pushed)));
                  }
                  return null;
                }));
      }
      done.add(
          pool.submit(
              () -> {
                go.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < mutationCount; i++) {
                  if (i % 2 == 0) {
                    sent.get(i).completeExceptionally(new IllegalStateException("refused"));
                  } else {
                    sent.get(i).complete("ok");
                  }
                }
                return null;
              }));
      go.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // Direct executors: every event was handled by the thread that caused it, or the one draining.
    List<Integer> numbers = cached().stream().map(Episode::number).sorted().toList();
    List<Integer> expected = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      for (int i = 0; i < pushesEach; i++) {
        expected.add(w * 100 + i);
      }
    }
    for (int i = 1; i < mutationCount; i += 2) {
      expected.add(1000 + i);
    }
    assertThat(numbers).isEqualTo(expected);
    for (int i = 0; i < mutationCount; i++) {
      assertThat(results.get(i).isCompletedExceptionally()).isEqualTo(i % 2 == 0);
    }
  }

  @Test
  void successWhileAPushIsBeingComputed_keepsTheSucceededChange() {
    queries.setQueryData(EPISODES, season(6));
    CompletableFuture<Object> creating = mutations.mutate(create, new Episode(8, "Draft"));

    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES,
        list ->
            list.map(
                l -> {
                  // The creation succeeds while this function runs: its change is not in l.
                  sent.get(0).complete("ok");
                  return plus(l, new Episode(7, "Episode 7"));
                }));

    assertThat(creating).isCompleted();
    assertThat(cached()).isEqualTo(plus(season(7), new Episode(8, "Draft")));
  }

  @Test
  void removingTheQuery_endsTheLayersOfSucceededMutations_keepsPendingOnes() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(create, new Episode(8, "Draft"));
    sent.get(0).complete("ok"); // committed: would wait for server data forever if unobserved
    RealMutationClient layers = (RealMutationClient) mutations;
    assertThat(layers.isLayered(EPISODES)).isTrue();

    queries.removeQueries(dev.quarry.cache.QueryFilters.exact(EPISODES));
    assertThat(layers.isLayered(EPISODES)).isFalse();

    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));
    queries.removeQueries(dev.quarry.cache.QueryFilters.exact(EPISODES));
    assertThat(layers.isLayered(EPISODES)).as("a pending rename stays").isTrue();
    queries.setQueryData(EPISODES, season(7));
    assertThat(cached()).isEqualTo(renamed(season(7), new Rename(3, "The Heist")));
  }

  @Test
  void pushThroughSetQueryData_isShownWithThePendingChangeAtOnce_beforeAnyEventIsHandled() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));

    cacheEvents.hold(); // no cache event reaches the layers until released
    Optional<List<Episode>> stored =
        mutations.<List<Episode>>setQueryDataUnderLayers(
            EPISODES, list -> list.map(l -> plus(l, new Episode(7, "Episode 7"))));

    List<Episode> shown = renamed(season(7), new Rename(3, "The Heist"));
    assertThat(stored).contains(shown);
    assertThat(cached()).isEqualTo(shown);
    cacheEvents.release();
    assertThat(cached()).isEqualTo(shown);
    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));
    assertThat(cached()).isEqualTo(season(7));
  }

  @Test
  void pushWhoseChangeWasRolledBackBeforeItsEventArrived_isShownWithoutThatChange() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));
    mutations.mutate(create, new Episode(8, "Draft"));

    cacheEvents.hold();
    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES, list -> list.map(l -> plus(l, new Episode(7, "Episode 7"))));
    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));
    cacheEvents.release();

    assertThat(cached()).isEqualTo(plus(season(7), new Episode(8, "Draft")));
    sent.get(1).completeExceptionally(new IllegalStateException("create refused"));
    assertThat(cached()).isEqualTo(season(7));
  }

  @Test
  void pushWhoseOnlyChangeWasRolledBackBeforeItsEventArrived_isShownWithoutIt() {
    queries.setQueryData(EPISODES, season(6));
    mutations.mutate(rename, new Rename(3, "The Heist"));

    cacheEvents.hold();
    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES, list -> list.map(l -> plus(l, new Episode(7, "Episode 7"))));
    sent.get(0).completeExceptionally(new IllegalStateException("rename refused"));
    cacheEvents.release();

    assertThat(cached()).isEqualTo(season(7));
    assertThat(((RealMutationClient) mutations).isLayered(EPISODES)).isFalse();
  }

  @Test
  void setQueryData_onAKeyWithoutLayers_isThePlainCacheWrite() {
    assertThat(mutations.setQueryDataUnderLayers(EPISODES, season(2))).contains(season(2));
    assertThat(
            mutations.<List<Episode>>setQueryDataUnderLayers(EPISODES, l -> l.map(x -> season(3))))
        .contains(season(3));
    assertThat(
            mutations.<List<Episode>>setQueryDataUnderLayers(
                QueryKey.of("none"), l -> l.map(x -> x)))
        .isEmpty();
    assertThat(queries.getQueryState(QueryKey.of("none"))).isEqualTo(Optional.empty());
    assertThat(cached()).isEqualTo(season(3));
  }
}
