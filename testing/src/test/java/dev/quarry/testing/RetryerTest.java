package dev.quarry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.RetryPolicy;
import dev.quarry.core.internal.Retryer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The retry loop of spec section 2.6, driven by virtual time. */
class RetryerTest {
  private final VirtualTime time = new VirtualTime();
  private final List<Long> callTimesMs = new ArrayList<>();
  private final List<String> hooks = new ArrayList<>();

  private Supplier<CompletionStage<String>> alwaysFailing() {
    return () -> {
      callTimesMs.add(time.elapsed().toMillis());
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    };
  }

  private final Retryer.Hooks recordingHooks =
      new Retryer.Hooks() {
        @Override
        public void onFail(int failureCount, Throwable error) {
          hooks.add("fail " + failureCount);
        }

        @Override
        public void onPause() {
          hooks.add("pause");
        }

        @Override
        public void onContinue() {
          hooks.add("continue");
        }
      };

  private static Throwable failure(CompletableFuture<?> f) {
    assertThat(f).isCompletedExceptionally();
    return Retryer.unwrap(f.handle((v, e) -> e).join());
  }

  @Test
  void retryTwo_alwaysFailing_makesThreeCalls_withDelaysOf1000And2000ms_andCountsThreeFailures() {
    Retryer<String> r =
        Retryer.create(
            alwaysFailing(), RetryPolicy.times(2), time, () -> true, () -> true, recordingHooks);
    r.start();
    time.advance(Duration.ofMinutes(1));

    assertThat(callTimesMs).containsExactly(0L, 1000L, 3000L);
    assertThat(r.failureCount()).isEqualTo(3);
    assertThat(r.future()).isCompletedExceptionally();
    assertThat(failure(r.future())).hasMessage("down");
    assertThat(hooks).containsExactly("fail 1", "fail 2");
  }

  @Test
  void noRetryBeforeTheDelayHasPassed() {
    Retryer<String> r =
        Retryer.create(alwaysFailing(), RetryPolicy.times(1), time, () -> true, () -> true, null);
    r.start();
    time.advance(Duration.ofMillis(999));
    assertThat(callTimesMs).containsExactly(0L);
    time.advance(Duration.ofMillis(1));
    assertThat(callTimesMs).containsExactly(0L, 1000L);
  }

  @Test
  void succeedsOnALaterAttempt() {
    int[] calls = {0};
    Retryer<String> r =
        Retryer.create(
            () ->
                ++calls[0] < 3
                    ? CompletableFuture.failedFuture(new IllegalStateException("flaky"))
                    : CompletableFuture.completedFuture("ok"),
            RetryPolicy.times(3),
            time,
            () -> true,
            () -> true,
            null);
    r.start();
    time.advance(Duration.ofSeconds(10));
    assertThat(r.future()).isCompletedWithValue("ok");
    assertThat(r.failureCount()).isEqualTo(2);
  }

  @Test
  void synchronousThrow_countsAsAFailure() {
    Retryer<String> r =
        Retryer.create(
            () -> {
              throw new IllegalArgumentException("sync");
            },
            RetryPolicy.never(),
            time,
            () -> true,
            () -> true,
            null);
    r.start();
    assertThat(failure(r.future())).hasMessage("sync");
    assertThat(r.failureCount()).isEqualTo(1);
  }

  @Test
  void retriesPauseWhileOffline_andContinueOnResume() {
    AtomicBoolean online = new AtomicBoolean(true);
    Retryer<String> r =
        Retryer.create(
            alwaysFailing(), RetryPolicy.times(2), time, online::get, online::get, recordingHooks);
    r.start();
    online.set(false);
    time.advance(Duration.ofMinutes(1));
    assertThat(callTimesMs).containsExactly(0L);
    assertThat(r.isPaused()).isTrue();
    assertThat(r.resume()).as("resume while still offline does nothing").isFalse();

    online.set(true);
    assertThat(r.resume()).isTrue();
    time.advance(Duration.ofMinutes(1));
    assertThat(callTimesMs).hasSize(3);
    assertThat(hooks).containsExactly("fail 1", "pause", "continue", "fail 2");
  }

  @Test
  void cannotStart_pausesBeforeTheFirstAttempt() {
    AtomicBoolean online = new AtomicBoolean(false);
    Retryer<String> r =
        Retryer.create(
            () -> CompletableFuture.completedFuture("v"),
            RetryPolicy.never(),
            time,
            online::get,
            online::get,
            recordingHooks);
    r.start();
    assertThat(r.isPaused()).isTrue();
    online.set(true);
    r.resume();
    assertThat(r.future()).isCompletedWithValue("v");
    assertThat(hooks).containsExactly("pause", "continue");
  }

  @Test
  void cancel_failsAtOnce_cancelsThePendingDelay_andIgnoresALateResult() {
    CompletableFuture<String> inFlight = new CompletableFuture<>();
    Retryer<String> r =
        Retryer.create(() -> inFlight, RetryPolicy.times(3), time, () -> true, () -> true, null);
    r.start();
    assertThat(r.cancel(new IllegalStateException("cancelled"))).isTrue();
    inFlight.complete("late");
    assertThat(failure(r.future())).hasMessage("cancelled");
    assertThat(r.cancel(new IllegalStateException("again"))).isFalse();
  }

  @Test
  void cancelRetry_letsTheAttemptFinish_butMakesNoFurtherAttempt() {
    Retryer<String> r =
        Retryer.create(alwaysFailing(), RetryPolicy.times(5), time, () -> true, () -> true, null);
    r.cancelRetry();
    r.start();
    time.advance(Duration.ofMinutes(5));
    assertThat(callTimesMs).containsExactly(0L);
    assertThat(r.future()).isCompletedExceptionally();
  }
}
