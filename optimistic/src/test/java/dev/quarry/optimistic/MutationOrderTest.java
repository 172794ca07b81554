package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.cache.NetworkMode;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The orders of spec section 4, in virtual time with callbacks on the calling thread. */
class MutationOrderTest {
  private final VirtualTime time = new VirtualTime();
  private final Connectivity connectivity = Connectivity.create();
  private final List<String> log = new ArrayList<>();
  private final List<Throwable> handled = new ArrayList<>();
  private MutationClient client = newClient(MutationCacheConfig.none(), true);

  private MutationClient newClient(MutationCacheConfig config, boolean resumeOnReconnect) {
    return MutationClient.builder()
        .clock(time)
        .scheduler(time)
        .callbackExecutor(VirtualTime.direct())
        .connectivity(connectivity)
        .errorHandler((context, error) -> handled.add(error))
        .cacheConfig(config)
        .resumeOnReconnect(resumeOnReconnect)
        .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  /**
   * A function that logs start-V, then after {@code d} logs finish-V and returns V in upper case.
   */
  private MutationFunction<String, String> delayed(Duration d) {
    return (v, ctx) -> {
      log.add("start-" + v);
      CompletableFuture<String> f = new CompletableFuture<>();
      time.schedule(
          d,
          () -> {
            log.add("finish-" + v);
            f.complete(v.toUpperCase());
          });
      return f;
    };
  }

  private MutationFunction<String, String> failing(Duration d, RuntimeException error) {
    return (v, ctx) -> {
      log.add("start-" + v);
      CompletableFuture<String> f = new CompletableFuture<>();
      time.schedule(d, () -> f.completeExceptionally(error));
      return f;
    };
  }

  private static MutationCacheConfig loggingConfig(List<String> log) {
    return MutationCacheConfig.builder()
        .onMutate(
            (v, m) -> {
              log.add("cache.onMutate " + v);
              return CompletableFuture.completedFuture(null);
            })
        .onSuccess(
            (data, v, ctx, m) -> {
              log.add("cache.onSuccess " + data + " " + ctx.orElse("-"));
              return CompletableFuture.completedFuture(null);
            })
        .onError(
            (error, v, ctx, m) -> {
              log.add("cache.onError " + error.getMessage() + " " + ctx.orElse("-"));
              return CompletableFuture.completedFuture(null);
            })
        .onSettled(
            (data, error, v, ctx, m) -> {
              log.add(
                  "cache.onSettled "
                      + data.orElse("-")
                      + " "
                      + error.map(Throwable::getMessage).orElse("-"));
              return CompletableFuture.completedFuture(null);
            })
        .build();
  }

  private MutationOptions.Builder<String, String, String> loggingOptions(
      MutationFunction<String, String> fn, List<MutationStatus> statusDuringCallbacks) {
    return MutationOptions.<String, String, String>builder()
        .mutationFn(fn)
        .onMutate(
            (v, ctx) -> {
              log.add("onMutate " + v);
              return "ctx-" + v;
            })
        .onSuccess(
            (data, v, ctx) -> {
              log.add("onSuccess " + data + " " + ctx.orElse("-"));
              statusDuringCallbacks.add(
                  client.findAll(MutationFilters.all()).get(0).state().status());
            })
        .onError((e, v, ctx) -> log.add("onError " + e.getMessage() + " " + ctx.orElse("-")))
        .onSettled(
            (data, e, v, ctx) ->
                log.add(
                    "onSettled "
                        + data.orElse("-")
                        + " "
                        + e.map(Throwable::getMessage).orElse("-")));
  }

  private CallSiteCallbacks<String, String, String> callSite() {
    return CallSiteCallbacks.<String, String, String>builder()
        .onSuccess((data, v, ctx) -> log.add("mutate.onSuccess " + data + " " + ctx.orElse("-")))
        .onError((e, v, ctx) -> log.add("mutate.onError " + e.getMessage()))
        .onSettled((data, e, v, ctx) -> log.add("mutate.onSettled"))
        .build();
  }

  @Test
  void success_callbacksRunInTanStackOrder_andStatusIsPendingDuringOptionCallbacks()
      throws Exception {
    client.close();
    client = newClient(loggingConfig(log), true);
    List<MutationStatus> during = new ArrayList<>();

    CompletableFuture<String> result =
        client.mutate(
            loggingOptions(delayed(Duration.ofMillis(10)), during).build(), "a", callSite());
    assertThat(result).isNotDone();
    time.advance(Duration.ofMillis(10));

    assertThat(result.get()).isEqualTo("A");
    assertThat(log)
        .containsExactly(
            "cache.onMutate a",
            "onMutate a",
            "start-a",
            "finish-a",
            "cache.onSuccess A ctx-a",
            "onSuccess A ctx-a",
            "cache.onSettled A -",
            "onSettled A -",
            "mutate.onSuccess A ctx-a",
            "mutate.onSettled");
    assertThat(during).containsExactly(MutationStatus.PENDING);
    MutationState<?, ?, ?> state = client.findAll(MutationFilters.all()).get(0).state();
    assertThat(state.status()).isEqualTo(MutationStatus.SUCCESS);
    assertThat(state.data()).isEqualTo(Optional.of("A"));
    assertThat(state.context()).isEqualTo(Optional.of("ctx-a"));
    assertThat(state.variables()).isEqualTo(Optional.of("a"));
    assertThat(state.submittedAt()).isEqualTo(time.currentTimeMillis() - 10);
  }

  @Test
  void error_callbacksRunInTanStackOrder_andFutureFailsWithTheError() {
    client.close();
    client = newClient(loggingConfig(log), true);
    RuntimeException boom = new IllegalStateException("boom");

    CompletableFuture<String> result =
        client.mutate(
            loggingOptions(failing(Duration.ofMillis(5), boom), new ArrayList<>()).build(),
            "a",
            callSite());
    time.advance(Duration.ofMillis(5));

    assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThat(log)
        .containsExactly(
            "cache.onMutate a",
            "onMutate a",
            "start-a",
            "cache.onError boom ctx-a",
            "onError boom ctx-a",
            "cache.onSettled - boom",
            "onSettled - boom",
            "mutate.onError boom",
            "mutate.onSettled");
    MutationState<?, ?, ?> state = client.findAll(MutationFilters.all()).get(0).state();
    assertThat(state.status()).isEqualTo(MutationStatus.ERROR);
    assertThat(state.error()).contains(boom);
    assertThat(state.failureCount()).isEqualTo(1);
  }

  @Test
  void throwingOnSuccess_takesTheErrorPath() {
    RuntimeException thrown = new IllegalArgumentException("onSuccess broke");
    MutationOptions<String, String, String> options =
        loggingOptions(delayed(Duration.ofMillis(1)), new ArrayList<>())
            .onSuccess(
                (data, v, ctx) -> {
                  log.add("onSuccess " + data);
                  throw thrown;
                })
            .build();

    CompletableFuture<String> result = client.mutate(options, "a");
    time.advance(Duration.ofMillis(1));

    assertThatThrownBy(result::get).hasCause(thrown);
    assertThat(log)
        .containsExactly(
            "onMutate a",
            "start-a",
            "finish-a",
            "onSuccess A",
            "onError onSuccess broke ctx-a",
            "onSettled - onSuccess broke");
    assertThat(client.findAll(MutationFilters.all()).get(0).state().isError()).isTrue();
  }

  @Test
  void throwingCacheOnSuccess_skipsTheOptionOnSuccess() {
    client.close();
    client =
        newClient(
            MutationCacheConfig.builder()
                .onSuccess(
                    (d, v, c, m) -> {
                      throw new IllegalStateException("cache broke");
                    })
                .build(),
            true);

    CompletableFuture<String> result =
        client.mutate(loggingOptions(delayed(Duration.ZERO), new ArrayList<>()).build(), "a");
    time.runDue();

    assertThat(result).isCompletedExceptionally();
    assertThat(log)
        .containsExactly(
            "onMutate a",
            "start-a",
            "finish-a",
            "onError cache broke ctx-a",
            "onSettled - cache broke");
  }

  @Test
  void throwingOnError_isReportedAndDoesNotStopTheChain() {
    MutationOptions<String, String, String> options =
        loggingOptions(failing(Duration.ZERO, new IllegalStateException("boom")), new ArrayList<>())
            .onError(
                (e, v, ctx) -> {
                  throw new IllegalArgumentException("onError broke");
                })
            .build();

    CompletableFuture<String> result = client.mutate(options, "a");
    time.runDue();

    assertThatThrownBy(result::get).hasMessageContaining("boom");
    assertThat(log).containsExactly("onMutate a", "start-a", "onSettled - boom");
    assertThat(handled).extracting(Throwable::getMessage).containsExactly("onError broke");
  }

  @Test
  void throwingOnSettledOnSuccess_runsTheSettledCallbacksAgainOnTheErrorPath() {
    client.close();
    client = newClient(loggingConfig(log), true);
    MutationOptions<String, String, String> options =
        loggingOptions(delayed(Duration.ZERO), new ArrayList<>())
            .onSettled(
                (data, e, v, ctx) -> {
                  log.add(
                      "onSettled "
                          + data.orElse("-")
                          + " "
                          + e.map(Throwable::getMessage).orElse("-"));
                  if (e.isEmpty()) {
                    throw new IllegalStateException("settled broke");
                  }
                })
            .build();

    CompletableFuture<String> result = client.mutate(options, "a");
    time.runDue();

    assertThatThrownBy(result::get).hasMessageContaining("settled broke");
    assertThat(log)
        .containsExactly(
            "cache.onMutate a",
            "onMutate a",
            "start-a",
            "finish-a",
            "cache.onSuccess A ctx-a",
            "onSuccess A ctx-a",
            "cache.onSettled A -",
            "onSettled A -",
            "cache.onError settled broke ctx-a",
            "onError settled broke ctx-a",
            "cache.onSettled - settled broke",
            "onSettled - settled broke");
  }

  @Test
  void retryWhileOffline_pausesAfterTheDelay_andContinuesOnReconnect() {
    int[] calls = {0};
    List<MutationCacheEvent.Action> actions = new ArrayList<>();
    client.subscribe(
        e -> {
          if (e instanceof MutationCacheEvent.Updated u) {
            actions.add(u.action());
          }
        });
    CompletableFuture<String> result =
        client.mutate(
            MutationOptions.<String, String, Void>builder()
                .mutationFn(
                    (v, ctx) ->
                        ++calls[0] == 1
                            ? CompletableFuture.failedFuture(new IllegalStateException("flaky"))
                            : CompletableFuture.completedFuture("ok"))
                .retry(RetryPolicy.times(1))
                .retryDelay(Duration.ofSeconds(1))
                .build(),
            "a");
    connectivity.setOnline(false);
    time.advance(Duration.ofSeconds(5));
    assertThat(calls[0]).isEqualTo(1);
    assertThat(client.findAll(MutationFilters.all()).get(0).state().isPaused()).isTrue();

    connectivity.setOnline(true);

    assertThat(result).isCompletedWithValue("ok");
    assertThat(calls[0]).isEqualTo(2);
    assertThat(actions)
        .containsExactly(
            MutationCacheEvent.Action.PENDING,
            MutationCacheEvent.Action.FAILED,
            MutationCacheEvent.Action.PAUSE,
            MutationCacheEvent.Action.CONTINUE,
            MutationCacheEvent.Action.SUCCESS);
  }

  @Test
  void asyncCallback_isAwaitedBeforeTheNextStep() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    MutationOptions<String, String, String> options =
        MutationOptions.<String, String, String>builder()
            .mutationFn(delayed(Duration.ZERO))
            .onSuccessAsync(
                (data, v, ctx) -> {
                  log.add("onSuccess");
                  return gate;
                })
            .onSettled((d, e, v, ctx) -> log.add("onSettled"))
            .build();

    CompletableFuture<String> result = client.mutate(options, "a");
    time.runDue();
    assertThat(log).containsExactly("start-a", "finish-a", "onSuccess");
    assertThat(result).isNotDone();

    gate.complete(null);
    assertThat(log).endsWith("onSettled");
    assertThat(result).isCompletedWithValue("A");
  }

  @Test
  void onMutateThrowing_skipsTheFunction_andContextIsEmpty() {
    MutationOptions<String, String, String> options =
        loggingOptions(delayed(Duration.ZERO), new ArrayList<>())
            .onMutate(
                (v, ctx) -> {
                  throw new IllegalStateException("no");
                })
            .build();

    CompletableFuture<String> result = client.mutate(options, "a");

    assertThat(result).isCompletedExceptionally();
    assertThat(log).containsExactly("onError no -", "onSettled - no");
  }

  @Test
  void oneScope_runsOneAtATimeInSubmissionOrder() {
    MutationOptions<String, String, String> options =
        MutationOptions.<String, String, String>builder()
            .mutationFn(delayed(Duration.ofMillis(10)))
            .onMutate(
                (v, ctx) -> {
                  log.add("onMutate-" + v);
                  return v;
                })
            .scope("s")
            .build();

    CompletableFuture<String> a = client.mutate(options, "A");
    CompletableFuture<String> b = client.mutate(options, "B");
    assertThat(client.findAll(MutationFilters.all()))
        .extracting(m -> m.state().isPaused())
        .containsExactly(false, true);
    time.advance(Duration.ofMillis(10));
    time.advance(Duration.ofMillis(10));

    assertThat(a).isCompletedWithValue("A");
    assertThat(b).isCompletedWithValue("B");
    assertThat(log)
        .containsExactly("onMutate-A", "start-A", "onMutate-B", "finish-A", "start-B", "finish-B");
  }

  @Test
  void twoScopes_interleave() {
    MutationOptions<String, String, Void> s1 =
        MutationOptions.<String, String, Void>builder()
            .mutationFn(delayed(Duration.ofMillis(10)))
            .scope("one")
            .build();
    MutationOptions<String, String, Void> s2 = s1.newBuilder().scope("two").build();

    client.mutate(s1, "A");
    client.mutate(s2, "B");
    client.mutate(s1, "C");
    client.mutate(s2, "D");
    time.advance(Duration.ofMillis(20));

    assertThat(log)
        .containsExactly(
            "start-A",
            "start-B",
            "finish-A",
            "start-C",
            "finish-B",
            "start-D",
            "finish-C",
            "finish-D");
  }

  @Test
  void unscopedMutations_runInParallel() {
    MutationOptions<String, String, Void> options =
        MutationOptions.of(delayed(Duration.ofMillis(10)));

    client.mutate(options, "A");
    client.mutate(options, "B");
    assertThat(client.isMutating()).isEqualTo(2);
    time.advance(Duration.ofMillis(10));

    assertThat(log).containsExactly("start-A", "start-B", "finish-A", "finish-B");
    assertThat(client.isMutating()).isZero();
  }

  @Test
  void offline_runsOnMutateThenPauses_andReconnectResumesInOrder() {
    connectivity.setOnline(false);
    MutationOptions<String, String, String> options =
        MutationOptions.<String, String, String>builder()
            .mutationFn(delayed(Duration.ofMillis(10)))
            .onMutate(
                (v, ctx) -> {
                  log.add("onMutate-" + v);
                  return v;
                })
            .build();

    List<CompletableFuture<String>> results = new ArrayList<>();
    for (String v : List.of("A", "B", "C")) {
      results.add(client.mutate(options, v));
    }
    assertThat(log).containsExactly("onMutate-A", "onMutate-B", "onMutate-C");
    assertThat(client.findAll(MutationFilters.all()))
        .allSatisfy(m -> assertThat(m.state().isPaused()).isTrue());
    time.advance(Duration.ofMinutes(1));
    assertThat(log).hasSize(3);

    connectivity.setOnline(true);
    assertThat(log).endsWith("start-A", "start-B", "start-C");
    time.advance(Duration.ofMillis(10));
    assertThat(results).allSatisfy(f -> assertThat(f).isCompleted());
  }

  @Test
  void resumePausedMutations_runsAScopeSeriallyInOrder_andCompletesWhenAllSettled() {
    client.close();
    client = newClient(MutationCacheConfig.none(), false);
    connectivity.setOnline(false);
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder()
            .mutationFn(delayed(Duration.ofMillis(10)))
            .scope("s")
            .build();
    client.mutate(options, "A");
    client.mutate(options, "B");
    client.mutate(options, "C");
    connectivity.setOnline(true);
    assertThat(log).isEmpty();

    CompletableFuture<Void> resumed = client.resumePausedMutations();
    assertThat(log).containsExactly("start-A");
    time.advance(Duration.ofMillis(10));
    assertThat(resumed).isNotDone();
    time.advance(Duration.ofMillis(20));

    assertThat(resumed).isCompleted();
    assertThat(log)
        .containsExactly("start-A", "finish-A", "start-B", "finish-B", "start-C", "finish-C");
  }

  @Test
  void resumePausedMutations_whileStillOffline_resumesNothing() {
    connectivity.setOnline(false);
    client.mutate(MutationOptions.of(delayed(Duration.ZERO)), "A");

    CompletableFuture<Void> resumed = client.resumePausedMutations();

    assertThat(resumed).isCompleted();
    assertThat(log).isEmpty();
    assertThat(client.isMutating()).isEqualTo(1);
  }

  @Test
  void networkModeAlways_runsOffline() {
    connectivity.setOnline(false);
    CompletableFuture<String> result =
        client.mutate(
            MutationOptions.<String, String, Void>builder()
                .mutationFn(delayed(Duration.ZERO))
                .networkMode(NetworkMode.ALWAYS)
                .build(),
            "a");
    time.runDue();
    assertThat(result).isCompletedWithValue("A");
  }

  @Test
  void retry_retriesWithDelay_andCountsFailures() {
    int[] calls = {0};
    List<Integer> failureCounts = new ArrayList<>();
    client.subscribe(
        e -> {
          if (e instanceof MutationCacheEvent.Updated u
              && u.action() == MutationCacheEvent.Action.FAILED) {
            failureCounts.add(u.mutation().state().failureCount());
          }
        });
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder()
            .mutationFn(
                (v, ctx) ->
                    ++calls[0] < 3
                        ? CompletableFuture.failedFuture(
                            new IllegalStateException("try " + calls[0]))
                        : CompletableFuture.completedFuture("ok"))
            .retry(RetryPolicy.times(2))
            .retryDelay(Duration.ofSeconds(1))
            .build();

    CompletableFuture<String> result = client.mutate(options, "a");
    assertThat(calls[0]).isEqualTo(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(calls[0]).isEqualTo(2);
    time.advance(Duration.ofSeconds(1));

    assertThat(result).isCompletedWithValue("ok");
    assertThat(failureCounts).containsExactly(1, 2);
  }

  @Test
  void retry_defaultsToNever() {
    int[] calls = {0};
    CompletableFuture<String> result =
        client.mutate(
            MutationOptions.<String, String>of(
                (v, ctx) -> {
                  calls[0]++;
                  return CompletableFuture.failedFuture(new IllegalStateException("x"));
                }),
            "a");
    time.advance(Duration.ofMinutes(5));
    assertThat(result).isCompletedExceptionally();
    assertThat(calls[0]).isEqualTo(1);
  }

  @Test
  void defaultsByKey_supplyTheFunction_andOptionsOverrideThem() {
    QueryKey key = QueryKey.of("episodes", "create");
    client.setMutationDefaults(
        key,
        MutationOptions.<String, String, Void>builder()
            .mutationFn(delayed(Duration.ZERO))
            .onSuccess((d, v, c) -> log.add("defaults.onSuccess"))
            .build());

    CompletableFuture<String> result =
        client.mutate(
            MutationOptions.<String, String, Void>builder()
                .mutationKey(key)
                .onSuccess((d, v, c) -> log.add("options.onSuccess"))
                .build(),
            "a");
    time.runDue();

    assertThat(result).isCompletedWithValue("A");
    assertThat(log).containsExactly("start-a", "finish-a", "options.onSuccess");
  }

  @Test
  void noFunction_failsWithAnErrorNamingTheKey() {
    CompletableFuture<Object> result =
        client.mutate(
            MutationOptions.builder().mutationKey(QueryKey.of("nothing", "here")).build(), "a");
    assertThatThrownBy(result::get)
        .hasCauseInstanceOf(QuarryException.class)
        .hasMessageContaining("[\"nothing\",\"here\"]");
  }

  @Test
  void filters_isMutating_andEvents() {
    List<String> events = new ArrayList<>();
    client.subscribe(
        e ->
            events.add(
                e instanceof MutationCacheEvent.Updated u
                    ? u.action().name()
                    : e instanceof MutationCacheEvent.Added ? "added" : "removed"));
    QueryKey create = QueryKey.of("episodes", "create");
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder()
            .mutationKey(create)
            .mutationFn(delayed(Duration.ofMillis(10)))
            .gcTime(Duration.ofSeconds(1))
            .build();
    client.mutate(options, "a");
    client.mutate(
        MutationOptions.<String, String, Void>builder()
            .mutationFn(delayed(Duration.ofMillis(10)))
            .gcTime(Duration.ofSeconds(1))
            .build(),
        "b");

    assertThat(client.isMutating(MutationFilters.key(QueryKey.of("episodes")))).isEqualTo(1);
    assertThat(client.isMutating(MutationFilters.exact(QueryKey.of("episodes")))).isZero();
    assertThat(client.isMutating()).isEqualTo(2);
    time.advance(Duration.ofMillis(10));
    assertThat(client.findAll(MutationFilters.all().status(MutationStatus.SUCCESS))).hasSize(2);
    time.advance(Duration.ofSeconds(1));

    assertThat(client.findAll(MutationFilters.all())).isEmpty();
    assertThat(events)
        .containsExactly(
            "added", "PENDING", "added", "PENDING", "SUCCESS", "SUCCESS", "removed", "removed");
  }

  @Test
  void handle_followsTheLatestMutation_andCallSiteCallbacksFireOnlyForIt() {
    MutationObserver<String, String, Void> handle =
        client.mutation(MutationOptions.of(delayed(Duration.ofMillis(10))));
    List<MutationStatus> states = new ArrayList<>();
    handle.subscribe(s -> states.add(s.status()));
    assertThat(handle.state().isIdle()).isTrue();

    handle.mutate(
        "a",
        CallSiteCallbacks.<String, String, Void>builder()
            .onSuccess((d, v, c) -> log.add("site-a"))
            .build());
    handle.mutate(
        "b",
        CallSiteCallbacks.<String, String, Void>builder()
            .onSuccess((d, v, c) -> log.add("site-b"))
            .build());
    time.advance(Duration.ofMillis(10));

    assertThat(log).containsExactly("start-a", "start-b", "finish-a", "finish-b", "site-b");
    assertThat(handle.state().data()).contains("B");
    // a's pending, then b's pending and success; a's success is not b's state
    assertThat(states)
        .containsExactly(MutationStatus.PENDING, MutationStatus.PENDING, MutationStatus.SUCCESS);
    handle.reset();
    assertThat(handle.state().isIdle()).isTrue();
  }

  @Test
  void persistentWithoutOutbox_isRejectedNamingTheOption() {
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder()
            .mutationKey(QueryKey.of("k"))
            .variablesType(String.class)
            .mutationFn(delayed(Duration.ZERO))
            .persistent(true)
            .build();
    assertThatThrownBy(() -> client.mutate(options, "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outbox");
    assertThat(Optional.of(log)).contains(List.of());
  }
}
