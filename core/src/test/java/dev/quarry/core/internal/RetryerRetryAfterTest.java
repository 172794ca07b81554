package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Cancellable;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.RetryAfter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

/**
 * The retry loop waits at least what a {@link RetryAfter} failure asks for (HTTP 429 and 503 with
 * {@code Retry-After}), capped, in virtual time.
 */
class RetryerRetryAfterTest {
  /** A virtual scheduler: tasks run when {@link #advance} passes their due time. */
  private static final class ManualScheduler implements Scheduler {
    private record Task(long dueMs, long seq, Runnable run, boolean[] cancelled) {}

    private final List<Task> tasks = new ArrayList<>();
    private long nowMs;
    private long seq;

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      boolean[] cancelled = {false};
      tasks.add(new Task(nowMs + delay.toMillis(), seq++, task, cancelled));
      return () -> {
        boolean was = !cancelled[0];
        cancelled[0] = true;
        return was;
      };
    }

    void advance(Duration by) {
      long target = nowMs + by.toMillis();
      while (true) {
        Task next =
            tasks.stream()
                .filter(t -> t.dueMs() <= target)
                .min(Comparator.comparingLong(Task::dueMs).thenComparingLong(Task::seq))
                .orElse(null);
        if (next == null) {
          break;
        }
        tasks.remove(next);
        nowMs = next.dueMs();
        if (!next.cancelled()[0]) {
          next.run().run();
        }
      }
      nowMs = target;
    }
  }

  private final ManualScheduler time = new ManualScheduler();
  private final List<Long> callTimesMs = new ArrayList<>();

  private Supplier<CompletionStage<String>> failingWith(Throwable error) {
    return () -> {
      callTimesMs.add(time.nowMs);
      return CompletableFuture.failedFuture(error);
    };
  }

  private static HttpStatusException status(int code, Optional<Duration> retryAfter) {
    return new HttpStatusException("GET", "http://h/x", code, Headers.of(), "", retryAfter);
  }

  /** Two retries with the default query backoff: 1000 ms, then 2000 ms. */
  private Retryer<String> retryer(Throwable error) {
    Retryer<String> r =
        Retryer.create(
            failingWith(error), RetryPolicy.times(2), time, () -> true, () -> true, null);
    r.start();
    return r;
  }

  @Test
  void status429_withRetryAfterLongerThanTheBackoff_waitsTheServersDelay() {
    Retryer<String> r = retryer(status(429, Optional.of(Duration.ofSeconds(10))));

    time.advance(Duration.ofMillis(9_999));
    assertThat(callTimesMs).containsExactly(0L);
    time.advance(Duration.ofMinutes(1));

    assertThat(callTimesMs).containsExactly(0L, 10_000L, 20_000L);
    assertThat(r.future()).isCompletedExceptionally();
    assertThat(r.failureCount()).isEqualTo(3);
  }

  @Test
  void status503_withRetryAfterShorterThanTheBackoff_keepsTheBackoff() {
    retryer(status(503, Optional.of(Duration.ZERO)));

    time.advance(Duration.ofMinutes(1));

    assertThat(callTimesMs).containsExactly(0L, 1_000L, 3_000L);
  }

  @Test
  void status503_withRetryAfterBetweenTheBackoffDelays_waitsTheLongerOfTheTwo() {
    retryer(status(503, Optional.of(Duration.ofMillis(1_500))));

    time.advance(Duration.ofMinutes(1));

    assertThat(callTimesMs)
        .as("max(1000, 1500), then max(2000, 1500)")
        .containsExactly(0L, 1_500L, 3_500L);
  }

  @Test
  void retryAfterOfADay_isCappedAtFiveMinutes() {
    retryer(status(429, Optional.of(Duration.ofDays(1))));

    time.advance(RetryAfter.MAX_REQUESTED_DELAY.minusMillis(1));
    assertThat(callTimesMs).containsExactly(0L);
    time.advance(Duration.ofMinutes(10));

    assertThat(RetryAfter.MAX_REQUESTED_DELAY).isEqualTo(Duration.ofMinutes(5));
    assertThat(callTimesMs).containsExactly(0L, 300_000L, 600_000L);
  }

  @Test
  void retryAfterOnAStatusOtherThan429Or503_isIgnored() {
    retryer(status(500, Optional.of(Duration.ofSeconds(10))));

    time.advance(Duration.ofMinutes(1));

    assertThat(callTimesMs).containsExactly(0L, 1_000L, 3_000L);
  }

  @Test
  void anyFailureImplementingRetryAfter_isHonoured_andOtherFailuresKeepTheBackoff() {
    final class Throttled extends RuntimeException implements RetryAfter {
      private static final long serialVersionUID = 1L;

      @Override
      public Optional<Duration> requestedRetryDelay() {
        return Optional.of(Duration.ofSeconds(30));
      }
    }
    retryer(new Throttled());
    time.advance(Duration.ofMinutes(2));
    assertThat(callTimesMs).containsExactly(0L, 30_000L, 60_000L);

    callTimesMs.clear();
    long start = time.nowMs;
    retryer(new IllegalStateException("down"));
    time.advance(Duration.ofMinutes(1));
    assertThat(callTimesMs).containsExactly(start, start + 1_000L, start + 3_000L);
  }

  @Test
  void retryAfter_doesNotMakeANonRetryingPolicyRetry() {
    Retryer<String> r =
        Retryer.create(
            failingWith(status(429, Optional.of(Duration.ofSeconds(1)))),
            RetryPolicy.never(),
            time,
            () -> true,
            () -> true,
            null);
    r.start();
    time.advance(Duration.ofMinutes(1));

    assertThat(callTimesMs).containsExactly(0L);
    assertThat(r.future()).isCompletedExceptionally();
  }

  @Test
  void requestedRetryDelay_isTheRetryAfterOf429And503Only() {
    Optional<Duration> d = Optional.of(Duration.ofSeconds(7));
    assertThat(status(429, d).requestedRetryDelay()).isEqualTo(d);
    assertThat(status(503, d).requestedRetryDelay()).isEqualTo(d);
    for (int code : new int[] {301, 413, 500, 502}) {
      assertThat(status(code, d).requestedRetryDelay()).as("status %d", code).isEmpty();
      assertThat(status(code, d).retryAfter()).isEqualTo(d);
    }
    assertThat(status(429, Optional.empty()).requestedRetryDelay()).isEmpty();
  }
}
