package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.quarry.core.QueryKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HydrationTest {
  record Episode(String id, String title) {}

  private final Fixture source = new Fixture();
  private final Fixture target = new Fixture();
  private final QueryKey key = QueryKey.of("episodes", "p1");
  private final TypeFactory types = new ObjectMapper().getTypeFactory();

  @AfterEach
  void close() {
    source.close();
    target.close();
  }

  private void registerTypes(QueryClient client) {
    client.setQueryDefaults(
        QueryKey.of("episodes"),
        QueryDefaults.builder()
            .dataType(types.constructCollectionType(List.class, Episode.class))
            .build());
  }

  @Test
  void dehydrateThenHydrate_throughJson_restoresSuccessfulQueries() {
    source.client.setQueryData(key, List.of(new Episode("e1", "Pilot")));
    source.client.fetchQuery(QueryOptions.of(QueryKey.of("failing"), Calls.<String>failingFn()));
    String json = source.client.dehydrate().toJson();
    assertThat(json).contains("Pilot").doesNotContain("failing");

    registerTypes(target.client);
    target.client.hydrate(json);

    assertThat(target.client.<List<Episode>>getQueryData(key))
        .contains(List.of(new Episode("e1", "Pilot")));
    QueryState<List<Episode>> s = target.client.<List<Episode>>getQueryState(key).orElseThrow();
    assertThat(s.status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(s.dataUpdatedAt()).isEqualTo(source.time.currentTimeMillis());
  }

  @Test
  void hydratingAnOlderEntryOverANewerOne_keepsTheNewer() {
    source.client.setQueryData(key, List.of(new Episode("e1", "old")));
    DehydratedState older = source.client.dehydrate();

    target.time.advance(Duration.ofMinutes(1));
    target.client.setQueryData(key, List.of(new Episode("e1", "new")));
    registerTypes(target.client);

    target.client.hydrate(older);

    assertThat(target.client.<List<Episode>>getQueryData(key))
        .contains(List.of(new Episode("e1", "new")));
  }

  @Test
  void hydratingANewerEntry_overwritesTheData_butKeepsARunningFetch() {
    target.client.setQueryData(key, List.of(new Episode("e1", "old")));
    Calls<List<Episode>> calls = target.calls();
    target.client.fetchQuery(QueryOptions.of(key, calls));

    source.time.advance(Duration.ofMinutes(1));
    source.client.setQueryData(key, List.of(new Episode("e1", "newer")));
    registerTypes(target.client);
    target.client.hydrate(source.client.dehydrate());

    QueryState<List<Episode>> s = target.client.<List<Episode>>getQueryState(key).orElseThrow();
    assertThat(s.data()).isEqualTo(Optional.of(List.of(new Episode("e1", "newer"))));
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.FETCHING);
    calls.last().complete(List.of(new Episode("e1", "server")));
    assertThat(target.client.<List<Episode>>getQueryData(key))
        .contains(List.of(new Episode("e1", "server")));
  }

  @Test
  void dehydrateFalse_optsAQueryOut() {
    source.client.setQueryDefaults(
        QueryKey.of("secret"), QueryDefaults.builder().dehydrate(false).build());
    source.client.setQueryData(QueryKey.of("secret", 1), "token");
    source.client.setQueryData(key, List.of());
    assertThat(source.client.dehydrate().queries())
        .extracting(DehydratedState.Query::key)
        .containsExactly(key);
  }

  @Test
  void hydrate_withoutAKnownType_reportsAndSkipsTheEntry_andTheResolverSuppliesTypes() {
    source.client.setQueryData(QueryKey.of("counts"), Map.of("a", 1));
    DehydratedState state = source.client.dehydrate();

    target.client.hydrate(state);
    assertThat(target.client.getQueryState(QueryKey.of("counts"))).isEmpty();
    assertThat(target.errors)
        .singleElement()
        .satisfies(e -> assertThat(e).hasMessageContaining("counts"));

    target.client.hydrate(
        state, k -> Optional.of(types.constructMapType(Map.class, String.class, Integer.class)));
    assertThat(target.client.<Map<String, Integer>>getQueryData(QueryKey.of("counts")))
        .contains(Map.of("a", 1));
  }

  @Test
  void hydratedQuery_isRefetchedByAnObserverWithItsFunction() {
    source.client.setQueryData(key, List.of(new Episode("e1", "cached")));
    registerTypes(target.client);
    target.client.hydrate(source.client.dehydrate());
    QueryObserver<List<Episode>> o =
        target.client.observe(
            QueryOptions.<List<Episode>>of(
                key, ctx -> CompletableFuture.completedFuture(List.of(new Episode("e1", "fresh")))),
            r -> {});
    assertThat(o.currentResult().data()).contains(List.of(new Episode("e1", "fresh")));
  }
}
