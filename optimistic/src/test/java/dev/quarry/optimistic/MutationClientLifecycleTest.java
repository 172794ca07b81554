package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.Connectivity;
import dev.quarry.core.QuarryException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Threads, close and bad input, with the client's own threads. */
class MutationClientLifecycleTest {
  private static List<Thread> callbackThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("quarry-mutations-callbacks"))
        .toList();
  }

  @Test
  void close_stopsTheClientsThreads_andFailsUnsettledMutations() throws Exception {
    Connectivity connectivity = Connectivity.create();
    MutationClient client = MutationClient.builder().connectivity(connectivity).build();
    CompletableFuture<String> done =
        client.mutate(
            MutationOptions.<String, String>of(
                (v, ctx) -> {
                  assertThat(Thread.currentThread().getName())
                      .startsWith("quarry-mutations-callbacks");
                  return CompletableFuture.completedFuture(v);
                }),
            "a");
    assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    connectivity.setOnline(false);
    CompletableFuture<String> paused =
        client.mutate(
            MutationOptions.<String, String>of((v, ctx) -> CompletableFuture.completedFuture(v)),
            "b");
    assertThat(callbackThreads()).isNotEmpty();

    client.close();
    client.close();

    assertThatThrownBy(() -> paused.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(QuarryException.class)
        .hasMessageContaining("closed");
    for (Thread t : callbackThreads()) {
      t.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(t.isAlive()).as("%s still alive", t.getName()).isFalse();
    }
    assertThatThrownBy(
            () ->
                client.mutate(
                    MutationOptions.<String, String>of(
                        (v, ctx) -> CompletableFuture.completedFuture(v)),
                    "c"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void badOptions_failAtBuildNamingTheOptionAndValue() {
    assertThatThrownBy(
            () -> MutationOptions.builder().gcTime(java.time.Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gcTime")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(
            () -> MutationOptions.builder().retryDelay(java.time.Duration.ofSeconds(-2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryDelay");
    assertThatThrownBy(() -> MutationOptions.builder().scope("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scope");
  }
}
