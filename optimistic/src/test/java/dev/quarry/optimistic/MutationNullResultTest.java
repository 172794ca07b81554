package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Connectivity;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A mutation whose function completes with {@code null} (a {@code Void} result) succeeds. */
class MutationNullResultTest {
  private static final Duration GC = Duration.ofSeconds(5);

  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> handled = new ArrayList<>();
  private final MutationClient client =
      MutationClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .connectivity(Connectivity.create())
          .errorHandler((context, error) -> handled.add(error))
          .build();

  @AfterEach
  void close() {
    client.close();
  }

  private static <V> MutationOptions<V, Void, Void> returningNull() {
    return MutationOptions.<V, Void, Void>builder()
        .mutationFn((v, ctx) -> CompletableFuture.completedFuture(null))
        .gcTime(GC)
        .build();
  }

  @Test
  void aFunctionThatResolvesToNull_settlesAsSuccessWithNoData() {
    List<String> log = new ArrayList<>();
    MutationOptions<String, Void, Void> options =
        MutationOptions.<String, Void, Void>builder()
            .mutationFn((v, ctx) -> CompletableFuture.completedFuture(null))
            .onSuccess((data, v, c) -> log.add("onSuccess " + data))
            .onSettled((data, error, v, c) -> log.add("onSettled " + data + " " + error))
            .gcTime(GC)
            .build();

    CompletableFuture<Void> done = client.mutate(options, "a");

    assertThat(done).isCompletedWithValue(null);
    assertThat(log).containsExactly("onSuccess null", "onSettled Optional.empty Optional.empty");
    MutationInfo info = client.findAll(MutationFilters.all()).get(0);
    assertThat(info.state().status()).isEqualTo(MutationStatus.SUCCESS);
    assertThat(client.isMutating()).isZero();
    assertThat(handled).isEmpty();
  }

  @Test
  void aNullResultThroughAHandle_reachesItsListenersAsSuccessWithEmptyData() {
    MutationObserver<String, Void, Void> handle = client.mutation(returningNull());
    List<MutationState<String, Void, Void>> states = new ArrayList<>();
    List<String> site = new ArrayList<>();
    handle.subscribe(states::add);

    handle.mutate(
        "a",
        CallSiteCallbacks.<String, Void, Void>builder()
            .onSuccess((d, v, c) -> site.add("site onSuccess " + d))
            .build());

    assertThat(handle.state().status()).isEqualTo(MutationStatus.SUCCESS);
    assertThat(handle.state().data()).isEqualTo(Optional.empty());
    assertThat(states).last().extracting(MutationState::status).isEqualTo(MutationStatus.SUCCESS);
    assertThat(site).containsExactly("site onSuccess null");
  }
}
