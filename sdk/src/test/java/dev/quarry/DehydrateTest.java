package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Quarry#dehydrate()} and {@link Quarry#hydrate(Dehydrated)}: successful queries and paused
 * mutations travel together as one JSON text, and a hydrated paused write continues on the new
 * facade with the function of its key's defaults. Virtual time, callbacks on the calling thread.
 */
class DehydrateTest {
  private static final QueryKey TITLES = QueryKey.of("titles");
  private static final QueryKey RENAME = QueryKey.of("episodes", "rename");

  private final VirtualTime time = new VirtualTime();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final Quarry before = facade();
  private final Quarry after = facade();

  private Quarry facade() {
    return Quarry.builder()
        .time(time, time)
        .callbackExecutor(VirtualTime.direct())
        .errorHandler((context, error) -> handled.add(error))
        .build();
  }

  @AfterEach
  void close() {
    before.close();
    after.close();
  }

  private MutationOptions<String, String, Void> rename(String fn) {
    return MutationOptions.<String, String, Void>builder()
        .mutationKey(RENAME)
        .variablesType(String.class)
        .mutationFn(
            (title, ctx) -> {
              calls.add(fn + " " + title);
              return CompletableFuture.completedFuture(title);
            })
        .build();
  }

  @Test
  void queriesAndPausedMutations_travelAsOneJson_andTheWriteContinuesOnTheNewFacade() {
    before.setQueryData(TITLES, List.of("Pilot"));
    before.connectivity().setOnline(false);
    before.mutations().mutate(rename("old"), "Pilot, take two");

    String json = before.dehydrate().toJson();

    after
        .queries()
        .setQueryDefaults(
            TITLES,
            QueryDefaults.builder()
                .dataType(
                    TypeFactory.defaultInstance().constructCollectionType(List.class, String.class))
                .build());
    after.mutations().setMutationDefaults(RENAME, rename("new"));
    after.hydrate(Dehydrated.fromJson(json));

    assertThat(after.<List<String>>getQueryData(TITLES)).contains(List.of("Pilot"));
    MutationInfo write = after.mutations().findAll(MutationFilters.all()).get(0);
    assertThat(write.state().isPaused()).isTrue();
    assertThat(calls).isEmpty();

    after.mutations().resumePausedMutations();

    assertThat(calls).containsExactly("new Pilot, take two");
    assertThat(after.mutations().findAll(MutationFilters.all()).get(0).state().isSuccess())
        .isTrue();
    assertThat(handled).isEmpty();
  }
}
