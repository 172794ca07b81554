package dev.quarry.core;

import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Whether and when to retry a failed attempt, with the counting rules of TanStack Query's retryer.
 *
 * <p>Both decisions receive {@code failureCount}: the number of failures <em>before</em> the one
 * being decided on, so 0 on the first failure. With {@code times(2)} and a call that always fails
 * there are 3 calls; the delays before the retries are {@code delay(0, e)} and {@code delay(1, e)},
 * i.e. 1000 and 2000 ms with the default {@link Backoff#queryRetry()}; the state's failure count
 * ends at 3.
 *
 * <p>A server's {@code Retry-After} wins over a shorter delay: when the failure is a {@link
 * dev.quarry.core.http.RetryAfter} (an HTTP 429 or 503 that carries the header), the wait before
 * the retry is the server's delay if that is longer than this policy's (backoff or {@link
 * #withDelay} function alike), capped at {@link
 * dev.quarry.core.http.RetryAfter#MAX_REQUESTED_DELAY}. Whether to retry at all stays this policy's
 * decision.
 *
 * <p>Immutable and thread-safe. The predicate and delay function are called on Quarry's threads and
 * must not block; an exception they throw fails the operation with that exception.
 *
 * <pre>{@code
 * RetryPolicy.times(3);                                          // TanStack's default
 * RetryPolicy.when((n, e) -> n < 5 && JsonHttp.isRetryable(e))  // only transient failures
 *     .withBackoff(Backoff.queryRetry());
 * }</pre>
 */
public final class RetryPolicy {
  private static final RetryPolicy NEVER =
      new RetryPolicy("never", (n, e) -> false, Backoff.queryRetry(), null, new SplittableRandom());

  private final String description;
  private final BiPredicate<Integer, Throwable> shouldRetry;
  private final Backoff backoff;
  private final @Nullable BiFunction<Integer, Throwable, Duration> delay;
  private final RandomGenerator random;

  private RetryPolicy(
      String description,
      BiPredicate<Integer, Throwable> shouldRetry,
      Backoff backoff,
      @Nullable BiFunction<Integer, Throwable, Duration> delay,
      RandomGenerator random) {
    this.description = description;
    this.shouldRetry = shouldRetry;
    this.backoff = backoff;
    this.delay = delay;
    this.random = random;
  }

  private static RetryPolicy of(String description, BiPredicate<Integer, Throwable> shouldRetry) {
    return new RetryPolicy(
        description, shouldRetry, Backoff.queryRetry(), null, new SplittableRandom());
  }

  /** Never retries. */
  public static RetryPolicy never() {
    return NEVER;
  }

  /**
   * Retries up to {@code retries} times (TanStack's {@code retry: n}).
   *
   * @throws IllegalArgumentException if {@code retries} is negative
   */
  public static RetryPolicy times(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0 but was " + retries);
    }
    if (retries == 0) {
      return NEVER;
    }
    return of("times(" + retries + ")", (n, e) -> n < retries);
  }

  /** Retries without end (TanStack's {@code retry: true}). */
  public static RetryPolicy forever() {
    return of("forever", (n, e) -> true);
  }

  /**
   * Retries while {@code predicate(failureCount, error)} holds; {@code failureCount} is 0 on the
   * first failure.
   */
  public static RetryPolicy when(BiPredicate<Integer, Throwable> predicate) {
    Objects.requireNonNull(predicate, "predicate");
    return of("when(" + predicate + ")", predicate);
  }

  /** This policy with delays from {@code backoff} (the default is {@link Backoff#queryRetry()}). */
  public RetryPolicy withBackoff(Backoff backoff) {
    Objects.requireNonNull(backoff, "backoff");
    return new RetryPolicy(description, shouldRetry, backoff, null, random);
  }

  /** This policy with a constant delay (TanStack's numeric {@code retryDelay}). */
  public RetryPolicy withDelay(Duration delay) {
    return withBackoff(Backoff.fixed(delay));
  }

  /**
   * This policy with delays computed by {@code delay(failureCount, error)} (TanStack's {@code
   * retryDelay} function).
   */
  public RetryPolicy withDelay(BiFunction<Integer, Throwable, Duration> delay) {
    Objects.requireNonNull(delay, "delay");
    return new RetryPolicy(description, shouldRetry, backoff, delay, random);
  }

  /** This policy drawing jitter from {@code random} (for deterministic tests). */
  public RetryPolicy withRandom(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    return new RetryPolicy(description, shouldRetry, backoff, delay, random);
  }

  /**
   * Whether to retry after a failure.
   *
   * @param failureCount failures before this one (0 on the first failure)
   */
  public boolean shouldRetry(int failureCount, Throwable error) {
    return shouldRetry.test(failureCount, error);
  }

  /**
   * The delay before the next attempt. Called on every failure, including the last, as TanStack
   * does.
   *
   * @param failureCount failures before this one (0 on the first failure)
   */
  public Duration delay(int failureCount, Throwable error) {
    BiFunction<Integer, Throwable, Duration> custom = delay;
    if (custom != null) {
      Duration d = custom.apply(failureCount, error);
      return d.isNegative() ? Duration.ZERO : d;
    }
    return backoff.delay(failureCount, random);
  }

  /** Whether this policy never retries. */
  public boolean isNever() {
    return this == NEVER;
  }

  @Override
  public String toString() {
    return "RetryPolicy{" + description + ", " + (delay != null ? "custom delay" : backoff) + "}";
  }
}
