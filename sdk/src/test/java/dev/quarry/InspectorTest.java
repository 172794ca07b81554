package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InspectorTest {
  record Layout(boolean sidebarOpen, String view) {}

  final VirtualTime time = new VirtualTime(); // wall clock 2026-01-01T00:00:00Z
  final Quarry quarry =
      Quarry.builder()
          .time(time, time)
          .callbackExecutor(VirtualTime.direct())
          .queryDefaults(d -> d.staleTime(Duration.ofMinutes(1)).gcTime(Duration.ofMinutes(5)))
          .realtime(URI.create("http://127.0.0.1:9"), r -> r)
          .connectRealtime(false)
          .build();

  @AfterEach
  void close() {
    quarry.close();
  }

  /** Builds a known state: one fresh unobserved query, one fetching observed query, ... */
  private void knownState() {
    quarry.setQueryData(QueryKey.of("episodes", "p1"), List.of("Pilot"));
    time.advance(Duration.ofSeconds(10));
    quarry.observe(
        QueryOptions.<String>of(QueryKey.of("execution", "e1"), ctx -> new CompletableFuture<>()),
        r -> {});
    quarry.bind(Topic.of("execution", "executionId", "e1")).live(QueryKey.of("execution", "e1"));
    quarry.connectivity().setOnline(false);
    quarry
        .mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationKey(QueryKey.of("episodes", "create"))
                .scope("p1")
                .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
                .build())
        .mutate("Pilot 2");
    quarry.store("layout", new Layout(true, "episodes"));
    time.advance(Duration.ofSeconds(50));
  }

  @Test
  void json_knownState_listsEveryQueryMutationConnectionAndStoreFieldByField() throws Exception {
    knownState();

    JsonNode json = new ObjectMapper().readTree(quarry.inspector().json());

    assertThat(json.get("takenAt").asText()).isEqualTo("2026-01-01T00:01:00Z");
    JsonNode queries = json.get("queries");
    assertThat(queries).hasSize(2);
    JsonNode episodes = queries.get(0);
    assertThat(episodes.get("key").toString()).isEqualTo("[\"episodes\",\"p1\"]");
    assertThat(episodes.get("status").asText()).isEqualTo("SUCCESS");
    assertThat(episodes.get("fetchStatus").asText()).isEqualTo("IDLE");
    assertThat(episodes.get("observers").asInt()).isZero();
    // TanStack's query-level staleness: a query nobody observes is stale only when invalidated.
    assertThat(episodes.get("stale").asBoolean()).isFalse();
    assertThat(episodes.get("dataUpdatedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(episodes.get("gcDueAt").asText()).isEqualTo("2026-01-01T00:05:00Z");
    JsonNode execution = queries.get(1);
    assertThat(execution.get("key").toString()).isEqualTo("[\"execution\",\"e1\"]");
    assertThat(execution.get("status").asText()).isEqualTo("PENDING");
    assertThat(execution.get("fetchStatus").asText()).isEqualTo("FETCHING");
    assertThat(execution.get("observers").asInt()).isEqualTo(1);
    assertThat(execution.get("stale").asBoolean()).isTrue();
    assertThat(execution.get("dataUpdatedAt").isNull()).isTrue();
    assertThat(execution.get("gcDueAt").isNull()).isTrue();

    JsonNode mutations = json.get("mutations");
    assertThat(mutations).hasSize(1);
    JsonNode create = mutations.get(0);
    assertThat(create.get("id").asLong()).isPositive();
    assertThat(create.get("key").toString()).isEqualTo("[\"episodes\",\"create\"]");
    assertThat(create.get("status").asText()).isEqualTo("PENDING");
    assertThat(create.get("paused").asBoolean()).isTrue();
    assertThat(create.get("scope").asText()).isEqualTo("p1");
    assertThat(create.get("submittedAt").asText()).isEqualTo("2026-01-01T00:00:10Z");

    JsonNode realtime = json.get("realtime");
    assertThat(realtime.get("state").asText()).isEqualTo("DISCONNECTED");
    assertThat(realtime.get("subscriptions")).hasSize(1);
    assertThat(realtime.get("subscriptions").get(0).asText())
        .isEqualTo("execution {\"executionId\":\"e1\"}");
    assertThat(realtime.get("endpoint").isNull()).as("never connected").isTrue();
    assertThat(realtime.get("topics")).hasSize(1);
    JsonNode topic = realtime.get("topics").get(0);
    assertThat(topic.get("name").asText()).isEqualTo("execution");
    assertThat(topic.get("params").toString()).isEqualTo("{\"executionId\":\"e1\"}");
    assertThat(topic.get("state").asText()).isEqualTo("PENDING");
    assertThat(topic.get("subscribers").asInt()).isEqualTo(1);
    assertThat(realtime.get("lastRecovery").isNull()).isTrue();

    JsonNode stores = json.get("stores");
    assertThat(stores).hasSize(1);
    assertThat(stores.get(0).get("name").asText()).isEqualTo("layout");
    assertThat(stores.get(0).get("state").get("sidebarOpen").asBoolean()).isTrue();
    assertThat(stores.get(0).get("state").get("view").asText()).isEqualTo("episodes");
  }

  @Test
  void table_knownState_showsOneLinePerQueryAndMutation() {
    knownState();

    String table = quarry.inspector().table();

    assertThat(table)
        .contains("Queries (2)", "Mutations (1)", "Stores (1)", "Realtime: DISCONNECTED")
        .containsPattern("\\[\"episodes\",\"p1\"\\]\\s+SUCCESS\\s+IDLE\\s+0\\s+fresh")
        .containsPattern("\\[\"execution\",\"e1\"\\]\\s+PENDING\\s+FETCHING\\s+1\\s+stale")
        .containsPattern("\\[\"episodes\",\"create\"\\]\\s+PENDING\\s+paused\\s+p1")
        .contains("layout  Layout[sidebarOpen=true, view=episodes]");
  }

  @Test
  void snapshot_records_matchTheJson() {
    knownState();

    Inspector.Snapshot s = quarry.inspector().snapshot();

    assertThat(s.queries())
        .extracting(Inspector.QueryRow::key)
        .containsExactly("[\"episodes\",\"p1\"]", "[\"execution\",\"e1\"]");
    assertThat(s.mutations())
        .singleElement()
        .extracting(Inspector.MutationRow::paused)
        .isEqualTo(true);
    assertThat(s.stores())
        .singleElement()
        .extracting(Inspector.StoreRow::state)
        .isEqualTo(new Layout(true, "episodes"));
  }
}
