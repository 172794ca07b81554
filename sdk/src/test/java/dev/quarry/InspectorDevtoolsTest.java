package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a devtools view reads beside the snapshot: change calls, query data, errors, the outbox. */
class InspectorDevtoolsTest {
  record Layout(boolean sidebarOpen) {}

  record Episode(String id, String title) {}

  final VirtualTime time = new VirtualTime();
  final Quarry quarry =
      Quarry.builder().time(time, time).callbackExecutor(VirtualTime.direct()).build();

  @AfterEach
  void close() {
    quarry.close();
  }

  @Test
  void subscribe_callsOnEveryCacheMutationAndStoreChange_untilClosed() {
    var layout = quarry.store("layout", new Layout(true));
    AtomicInteger calls = new AtomicInteger();
    Registration r = quarry.inspector().subscribe(calls::incrementAndGet);
    assertThat(calls).hasValue(0); // subscribing is not a change

    quarry.setQueryData(QueryKey.of("episodes"), List.of("Pilot"));
    int afterQuery = calls.get();
    assertThat(afterQuery).isPositive();
    layout.set(new Layout(false));
    assertThat(calls.get()).isGreaterThan(afterQuery);
    int afterStore = calls.get();
    quarry
        .mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
                .build())
        .mutate("x");
    assertThat(calls.get()).isGreaterThan(afterStore);

    r.close();
    r.close(); // idempotent
    int closedAt = calls.get();
    quarry.setQueryData(QueryKey.of("episodes"), List.of("Pilot", "Two"));
    layout.set(new Layout(true));
    assertThat(calls).hasValue(closedAt);
  }

  @Test
  void queryData_isTheCachedDataAsAJsonTree_emptyWithoutData() {
    quarry.setQueryData(QueryKey.of("episodes", "p1"), List.of(new Episode("e1", "Pilot")));

    assertThat(quarry.inspector().queryData("[\"episodes\",\"p1\"]").orElseThrow().toString())
        .isEqualTo("[{\"id\":\"e1\",\"title\":\"Pilot\"}]");
    assertThat(quarry.inspector().queryData("[\"episodes\",\"p2\"]")).isEmpty();
    assertThatThrownBy(() -> quarry.inspector().queryData("episodes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("episodes");
  }

  @Test
  void snapshot_namesTheErrorOfAFailedQueryAndTheVariablesAndErrorOfAFailedMutation() {
    quarry
        .fetch(
            quarry.<String>query(
                QueryKey.of("broken"),
                http -> CompletableFuture.failedFuture(new IOException("server gone"))))
        .exceptionally(e -> "");
    // the default retry waits with backoff: let it run out
    time.advance(Duration.ofMinutes(1));
    quarry
        .mutation(
            MutationOptions.<Episode, String, Void>builder()
                .mutationFn(
                    (v, ctx) -> CompletableFuture.failedFuture(new IllegalStateException("no")))
                .build())
        .mutate(new Episode("e9", "Finale"))
        .exceptionally(e -> "");

    Inspector.Snapshot s = quarry.inspector().snapshot();

    assertThat(s.queries().get(0).error()).contains("IOException: server gone");
    Inspector.MutationRow m = s.mutations().get(0);
    assertThat(m.variables()).contains("{\"id\":\"e9\",\"title\":\"Finale\"}");
    assertThat(m.error()).contains("IllegalStateException: no");
  }

  @Test
  void outbox_withoutPersistence_isEmpty() {
    assertThat(quarry.inspector().outbox().pending()).isEmpty();
    assertThat(quarry.inspector().outbox().setAside()).isEmpty();
  }
}
