package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.cache.NetworkMode;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mutations built from a saved state (TanStack Query's {@code mutationCache.build(client, options,
 * state)}) and carried to another client with {@code dehydrate} / {@code hydrate}: a restored
 * paused mutation continues on {@code resumePausedMutations()} or when connectivity comes online,
 * without running {@code onMutate} again; dehydration keeps paused mutations unless a predicate
 * says otherwise; a hydrated mutation runs with the function of its key's defaults. In virtual
 * time, callbacks on the calling thread.
 */
class MutationRestoreTest {
  private static final QueryKey TODOS = QueryKey.of("todos");
  private static final QueryKey ADD_TODO = QueryKey.of("todos", "add");

  private final VirtualTime time = new VirtualTime();
  private final Connectivity connectivity = Connectivity.create();
  private final List<String> log = new ArrayList<>();
  private final List<Throwable> handled = new ArrayList<>();
  private final List<MutationClient> clients = new ArrayList<>();

  private MutationClient client(Connectivity conn) {
    MutationClient c =
        MutationClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .connectivity(conn)
            .errorHandler((context, error) -> handled.add(error))
            .cacheConfig(
                MutationCacheConfig.builder()
                    .onMutate(
                        (v, m) -> {
                          log.add("cache.onMutate " + v);
                          return CompletableFuture.completedFuture(null);
                        })
                    .build())
            .build();
    clients.add(c);
    return c;
  }

  @AfterEach
  void close() {
    clients.forEach(MutationClient::close);
  }

  private MutationOptions<String, String, String> logging(String fnName) {
    return MutationOptions.<String, String, String>builder()
        .mutationKey(ADD_TODO)
        .mutationFn(
            (v, ctx) -> {
              log.add(fnName + " " + v);
              return CompletableFuture.completedFuture(v.toUpperCase());
            })
        .onMutate(
            (v, ctx) -> {
              log.add("onMutate " + v);
              return "context of " + v;
            })
        .onSuccess((data, v, ctx) -> log.add("onSuccess " + data + " " + ctx.orElse("-")))
        .variablesType(String.class)
        .build();
  }

  private static MutationState<String, String, String> pausedState(String variables) {
    return new MutationState<>(
        MutationStatus.PENDING,
        true,
        Optional.of(variables),
        Optional.of("saved context"),
        Optional.empty(),
        Optional.empty(),
        1,
        Optional.empty(),
        1_000L);
  }

  @Test
  void restoredPausedMutation_waitsForResumePausedMutations_thenRunsWithoutOnMutate() {
    MutationClient c = client(connectivity);

    CompletableFuture<String> result = c.restoreMutation(logging("fn"), pausedState("milk"));

    assertThat(log).as("nothing runs before a resume").isEmpty();
    MutationInfo info = c.findAll(MutationFilters.all()).get(0);
    assertThat(info.restored()).isTrue();
    assertThat(info.state().isPaused()).isTrue();
    assertThat(info.state().isPending()).isTrue();
    assertThat(c.isMutating()).isEqualTo(1);

    CompletableFuture<Void> resumed = c.resumePausedMutations();

    assertThat(log).containsExactly("fn milk", "onSuccess MILK saved context");
    assertThat(result).isCompletedWithValue("MILK");
    assertThat(resumed).isCompleted();
    assertThat(handled).isEmpty();
  }

  @Test
  void restoredPausedMutation_continuesWhenConnectivityComesOnline() {
    connectivity.setOnline(false);
    MutationClient c = client(connectivity);
    CompletableFuture<String> result = c.restoreMutation(logging("fn"), pausedState("milk"));

    c.resumePausedMutations();
    assertThat(log).as("still offline: it stays paused").isEmpty();
    assertThat(c.findAll(MutationFilters.all()).get(0).state().isPaused()).isTrue();

    connectivity.setOnline(true);

    assertThat(log).containsExactly("fn milk", "onSuccess MILK saved context");
    assertThat(result).isCompletedWithValue("MILK");
  }

  @Test
  void restoredSettledState_staysInTheCacheUntilItsGcTime_andNeverRuns() {
    MutationClient c = client(connectivity);
    MutationState<String, String, String> succeeded =
        new MutationState<>(
            MutationStatus.SUCCESS,
            false,
            Optional.of("milk"),
            Optional.empty(),
            Optional.of("MILK"),
            Optional.empty(),
            0,
            Optional.empty(),
            1_000L);

    CompletableFuture<String> result = c.restoreMutation(logging("fn"), succeeded);
    c.resumePausedMutations();

    assertThat(result).isCompletedWithValue("MILK");
    assertThat(log).isEmpty();
    assertThat(c.findAll(MutationFilters.all())).hasSize(1);
    time.advance(MutationOptions.DEFAULT_GC_TIME);
    assertThat(c.findAll(MutationFilters.all())).isEmpty();
  }

  @Test
  void restoringAnIdleState_isRejectedNamingWhy() {
    MutationClient c = client(connectivity);

    assertThatThrownBy(() -> c.restoreMutation(logging("fn"), MutationState.idle()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idle");
  }

  @Test
  void dehydrate_keepsOnlyPausedMutations_unlessAPredicateSaysOtherwise() {
    connectivity.setOnline(false);
    MutationClient c = client(connectivity);
    c.mutate(logging("fn"), "paused offline");
    CompletableFuture<String> never = new CompletableFuture<>();
    c.mutate(
        MutationOptions.<String, String, Void>builder()
            .mutationKey(QueryKey.of("running"))
            .networkMode(NetworkMode.ALWAYS)
            .mutationFn((v, ctx) -> never)
            .build(),
        "running");

    DehydratedMutations paused = c.dehydrate();
    DehydratedMutations pending = c.dehydrate(info -> info.state().isPending());

    assertThat(paused.mutations()).hasSize(1);
    DehydratedMutations.Entry entry = paused.mutations().get(0);
    assertThat(entry.mutationKey()).contains(ADD_TODO);
    assertThat(entry.variables().asText()).isEqualTo("paused offline");
    assertThat(entry.isPaused()).isTrue();
    assertThat(pending.mutations()).hasSize(2);
  }

  @Test
  void hydratedPausedMutation_continuesOnTheNewClient_withTheFunctionOfItsDefaults() {
    connectivity.setOnline(false);
    MutationClient old = client(connectivity);
    old.mutate(
        logging("old fn").newBuilder().scope("todos").meta(Map.of("origin", "old")).build(),
        "milk");
    String json = old.dehydrate().toJson();
    assertThat(log).containsExactly("cache.onMutate milk", "onMutate milk");
    log.clear();

    MutationClient fresh = client(Connectivity.create());
    fresh.setMutationDefaults(TODOS, logging("new fn").newBuilder().mutationKey(TODOS).build());
    fresh.hydrate(DehydratedMutations.fromJson(json));

    MutationInfo hydrated = fresh.findAll(MutationFilters.all()).get(0);
    assertThat(hydrated.mutationKey()).contains(ADD_TODO);
    assertThat(hydrated.scope()).contains("todos");
    assertThat(hydrated.meta()).containsEntry("origin", "old");
    assertThat(hydrated.state().isPaused()).isTrue();
    assertThat(log).as("hydration runs nothing").isEmpty();

    fresh.resumePausedMutations();

    assertThat(log).containsExactly("new fn milk", "onSuccess MILK -");
    assertThat(fresh.findAll(MutationFilters.all()).get(0).state().isSuccess()).isTrue();
    assertThat(handled).isEmpty();
  }

  @Test
  void hydrate_reportsAnEntryItCannotRead_andHydratesTheRest() {
    connectivity.setOnline(false);
    MutationClient old = client(connectivity);
    old.mutate(logging("fn"), "milk");
    old.mutate(
        MutationOptions.<String, String, Void>builder()
            .mutationKey(QueryKey.of("untyped"))
            .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
            .build(),
        "eggs");
    DehydratedMutations state = old.dehydrate();
    assertThat(state.mutations()).hasSize(2);

    MutationClient fresh = client(Connectivity.create());
    fresh.setMutationDefaults(TODOS, logging("new fn"));
    fresh.hydrate(state);

    assertThat(fresh.findAll(MutationFilters.all())).hasSize(1);
    assertThat(handled).hasSize(1);
    assertThat(handled.get(0))
        .hasMessageContaining("[\"untyped\"]")
        .hasMessageContaining("variablesType");
  }

  @Test
  void dehydratedMutations_readBackFromJson_asWritten() {
    connectivity.setOnline(false);
    MutationClient c = client(connectivity);
    c.mutate(logging("fn").newBuilder().scope("s").build(), "milk");
    time.advance(Duration.ofSeconds(1));

    DehydratedMutations written = c.dehydrate();

    assertThat(DehydratedMutations.fromJson(written.toJson())).isEqualTo(written);
    assertThatThrownBy(() -> DehydratedMutations.fromJson("{\"mutations\":[{\"status\":\"x\"}]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dehydrated mutation 0");
  }
}
