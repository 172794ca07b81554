package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Connectivity;
import dev.quarry.core.Registration;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link MutationObserver} handle stays attached to its mutation only while it has listeners, so
 * the mutation cache collects settled mutations {@code gcTime} after they settle, and its call-site
 * callbacks run only while it is listened to (TanStack's MutationObserver and mutation gc).
 */
class MutationHandleLifecycleTest {
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

  private MutationOptions<String, String, Void> echo() {
    return MutationOptions.<String, String, Void>builder()
        .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
        .gcTime(GC)
        .build();
  }

  @Test
  void closingTheLastListener_detachesTheHandle_andTheSettledMutationIsCollectedAfterGcTime() {
    MutationObserver<String, String, Void> handle = client.mutation(echo());
    Registration first = handle.subscribe(s -> {});
    Registration second = handle.subscribe(s -> {});
    handle.mutate("a");
    assertThat(client.findAll(MutationFilters.all())).hasSize(1);

    first.close();
    time.advance(GC.multipliedBy(2));
    assertThat(client.findAll(MutationFilters.all()))
        .as("a handle with a listener left keeps its mutation")
        .hasSize(1);

    second.close();
    time.advance(GC.minusMillis(1));
    assertThat(client.findAll(MutationFilters.all())).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(client.findAll(MutationFilters.all())).isEmpty();
    // the handle still reports its latest mutation's state after the cache let it go
    assertThat(handle.state().data()).contains("a");
  }

  @Test
  void subscribingAgain_reattachesToTheLatestMutation_whichIsThenKept() {
    MutationObserver<String, String, Void> handle = client.mutation(echo());
    Registration s = handle.subscribe(x -> {});
    handle.mutate("a");
    s.close();
    time.advance(GC.minusMillis(1));

    Registration again = handle.subscribe(x -> {});
    time.advance(GC.multipliedBy(3));
    assertThat(client.findAll(MutationFilters.all())).hasSize(1);

    again.close();
    time.advance(GC);
    assertThat(client.findAll(MutationFilters.all())).isEmpty();
  }

  @Test
  void aHandleWithoutListeners_doesNotHoldItsMutations() {
    MutationObserver<String, String, Void> handle = client.mutation(echo());
    handle.mutate("a");
    handle.mutate("b");
    time.advance(GC);
    assertThat(client.findAll(MutationFilters.all())).isEmpty();
    assertThat(handle.state().data()).contains("b");
  }

  @Test
  void aPendingMutationOfAClosedHandle_isKeptUntilItSettles_thenCollected() {
    CompletableFuture<String> server = new CompletableFuture<>();
    MutationObserver<String, String, Void> handle =
        client.mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationFn((v, ctx) -> server)
                .gcTime(GC)
                .build());
    Registration s = handle.subscribe(x -> {});
    CompletableFuture<String> done = handle.mutate("a");
    s.close();
    time.advance(GC.multipliedBy(4));
    assertThat(client.findAll(MutationFilters.all())).hasSize(1);

    server.complete("A");
    assertThat(done).isCompletedWithValue("A");
    time.advance(GC);
    assertThat(client.findAll(MutationFilters.all())).isEmpty();
  }

  @Test
  void aHundredThousandMutationsThroughHandlesWhoseListenersClosed_leaveTheCacheEmpty() {
    for (int i = 0; i < 100_000; i++) {
      MutationObserver<String, String, Void> handle = client.mutation(echo());
      Registration s = handle.subscribe(x -> {});
      handle.mutate("m" + i);
      s.close();
    }
    time.advance(GC);
    assertThat(client.findAll(MutationFilters.all())).isEmpty();
    assertThat(handled).isEmpty();
  }

  @Test
  void callSiteCallbacks_runOnlyWhileTheHandleHasAListener_butTheFutureCompletesEitherWay() {
    CompletableFuture<String> server = new CompletableFuture<>();
    MutationObserver<String, String, Void> handle =
        client.mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationFn((v, ctx) -> server)
                .gcTime(GC)
                .build());
    List<String> site = new ArrayList<>();
    Registration s = handle.subscribe(x -> {});
    CompletableFuture<String> done =
        handle.mutate(
            "a",
            CallSiteCallbacks.<String, String, Void>builder()
                .onSuccess((d, v, c) -> site.add("onSuccess " + d))
                .onSettled((d, e, v, c) -> site.add("onSettled"))
                .build());
    s.close();

    server.complete("A");

    assertThat(done).isCompletedWithValue("A");
    assertThat(site).isEmpty();
    CompletableFuture<String> viaClient =
        client.mutate(
            echo(),
            "b",
            CallSiteCallbacks.<String, String, Void>builder()
                .onSuccess((d, v, c) -> site.add("client onSuccess " + d))
                .build());
    assertThat(viaClient).isCompletedWithValue("b");
    assertThat(site).containsExactly("client onSuccess b");
  }
}
