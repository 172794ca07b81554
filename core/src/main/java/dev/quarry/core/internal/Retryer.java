package dev.quarry.core.internal;

import dev.quarry.core.Cancellable;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.RetryAfter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry loop shared by queries and mutations, with TanStack Query's rules (spec section 2.6).
 *
 * <ul>
 *   <li>{@link #start()} runs the first attempt if {@code canStart} holds, otherwise pauses first.
 *   <li>On a failure the delay is computed (on every failure, the last included); the policy is
 *       asked with the number of failures <em>before</em> this one; if it says no, or retries were
 *       cancelled, the future fails with the error. Otherwise {@code onFail(failureCount)} is
 *       called and the next attempt waits {@code delay} on the scheduler.
 *   <li>If the error is a {@link RetryAfter} (an HTTP 429 or 503 with {@code Retry-After}) whose
 *       requested delay is longer than the policy's, the wait is the requested delay, capped at
 *       {@link RetryAfter#MAX_REQUESTED_DELAY}.
 *   <li>After the wait, if {@code canContinue} does not hold (offline, unfocused, another mutation
 *       of the scope running), the retryer pauses until {@link #resume()} is called while it holds.
 *   <li>{@link #cancel(Throwable)} fails the future at once and wakes a pause; the running attempt
 *       is not interrupted but its result is ignored.
 * </ul>
 *
 * <p>{@link #failureCount()} counts every failure, so with {@code times(2)} and a function that
 * always fails it ends at 3 after 3 calls.
 *
 * <p>Thread-safe. Attempts and hooks are called without holding the retryer's lock, on the thread
 * that started, resumed, or whose timer fired.
 *
 * @param <T> the result type
 */
public final class Retryer<T> {
  /** Callbacks on state changes; all default to doing nothing. */
  public interface Hooks {
    /** A failure that will be retried; {@code failureCount} counts it. */
    default void onFail(int failureCount, Throwable error) {}

    /** The retryer paused (before its first attempt or between attempts). */
    default void onPause() {}

    /** The retryer left a pause. */
    default void onContinue() {}

    /**
     * The SLF4J logger that gets one DEBUG line per retry (attempt, delay, cause), for example
     * {@code dev.quarry.cache}; default {@code dev.quarry}.
     */
    default String logger() {
      return "dev.quarry";
    }

    /** What is retried, for that line, for example {@code fetch of ["episodes"]}. */
    default String describe() {
      return "an attempt";
    }
  }

  private static final Hooks NO_HOOKS = new Hooks() {};

  private final Supplier<? extends CompletionStage<T>> fn;
  private final RetryPolicy policy;
  private final Scheduler scheduler;
  private final BooleanSupplier canStart;
  private final BooleanSupplier canContinue;
  private final Hooks hooks;
  private final CompletableFuture<T> future = new CompletableFuture<>();

  private final Object lock = new Object();
  private int failureCount;
  private boolean started;
  private boolean paused;
  private boolean retryCancelled;
  private @Nullable Throwable lastError;
  private @Nullable Cancellable timer;

  private Retryer(
      Supplier<? extends CompletionStage<T>> fn,
      RetryPolicy policy,
      Scheduler scheduler,
      BooleanSupplier canStart,
      BooleanSupplier canContinue,
      Hooks hooks) {
    this.fn = fn;
    this.policy = policy;
    this.scheduler = scheduler;
    this.canStart = canStart;
    this.canContinue = canContinue;
    this.hooks = hooks;
  }

  /**
   * Creates a retryer; nothing runs until {@link #start()}.
   *
   * @param fn one attempt; may throw or return a failed stage
   * @param canStart whether the first attempt may run now
   * @param canContinue whether a retry (or a paused start) may run now
   */
  public static <T> Retryer<T> create(
      Supplier<? extends CompletionStage<T>> fn,
      RetryPolicy policy,
      Scheduler scheduler,
      BooleanSupplier canStart,
      BooleanSupplier canContinue,
      @Nullable Hooks hooks) {
    return new Retryer<>(
        fn, policy, scheduler, canStart, canContinue, hooks == null ? NO_HOOKS : hooks);
  }

  /** Completes with the first successful attempt, or fails with the last error or a cancel. */
  public CompletableFuture<T> future() {
    return future;
  }

  /** Runs the first attempt, or pauses if {@code canStart} does not hold. Idempotent. */
  public void start() {
    synchronized (lock) {
      if (started) {
        return;
      }
      started = true;
    }
    if (canStart.getAsBoolean()) {
      attempt();
    } else {
      pause();
    }
  }

  /**
   * Leaves a pause if {@code canContinue} holds (TanStack's {@code continue()}); otherwise does
   * nothing.
   *
   * @return whether the retryer was paused and now continues
   */
  public boolean resume() {
    synchronized (lock) {
      if (!paused || future.isDone() || !canContinue.getAsBoolean()) {
        return false;
      }
      paused = false;
    }
    hooks.onContinue();
    next();
    return true;
  }

  /**
   * Fails the future with {@code reason} unless it already completed, cancels a pending delay and
   * wakes a pause. The attempt in progress keeps running; its result is ignored.
   *
   * @return whether this call settled the future
   */
  public boolean cancel(Throwable reason) {
    Cancellable t;
    synchronized (lock) {
      t = timer;
      timer = null;
      paused = false;
    }
    if (t != null) {
      t.cancel();
    }
    return future.completeExceptionally(reason);
  }

  /** Lets the attempt in progress finish but makes no further attempt. */
  public void cancelRetry() {
    synchronized (lock) {
      retryCancelled = true;
    }
  }

  /** Undoes {@link #cancelRetry()}. */
  public void continueRetry() {
    synchronized (lock) {
      retryCancelled = false;
    }
  }

  /** Every failure so far. */
  public int failureCount() {
    synchronized (lock) {
      return failureCount;
    }
  }

  /** Whether the retryer is waiting for {@link #resume()}. */
  public boolean isPaused() {
    synchronized (lock) {
      return paused;
    }
  }

  /** Whether the future completed. */
  public boolean isSettled() {
    return future.isDone();
  }

  private void pause() {
    synchronized (lock) {
      if (future.isDone()) {
        return;
      }
      paused = true;
    }
    hooks.onPause();
  }

  private void next() {
    Throwable error;
    synchronized (lock) {
      if (future.isDone()) {
        return;
      }
      error = retryCancelled ? lastError : null;
    }
    if (error != null) {
      future.completeExceptionally(error);
      return;
    }
    attempt();
  }

  private void attempt() {
    if (future.isDone()) {
      return;
    }
    CompletionStage<T> stage;
    try {
      stage = fn.get();
    } catch (RuntimeException | Error e) {
      onFailure(e);
      return;
    }
    stage.whenComplete(
        (value, error) -> {
          if (error != null) {
            onFailure(unwrap(error));
          } else {
            future.complete(value);
          }
        });
  }

  private void onFailure(Throwable error) {
    if (future.isDone()) {
      return;
    }
    int before;
    boolean cancelled;
    synchronized (lock) {
      before = failureCount;
      cancelled = retryCancelled;
    }
    Duration delay;
    boolean retry;
    try {
      delay = atLeastRequested(policy.delay(before, error), error);
      retry = !cancelled && policy.shouldRetry(before, error);
    } catch (RuntimeException e) {
      e.addSuppressed(error);
      synchronized (lock) {
        failureCount = before + 1;
      }
      future.completeExceptionally(e);
      return;
    }
    int count;
    synchronized (lock) {
      failureCount = before + 1;
      count = failureCount;
      lastError = error;
    }
    if (!retry) {
      future.completeExceptionally(error);
      return;
    }
    hooks.onFail(count, error);
    Cancellable t = scheduler.schedule(delay, this::afterDelay);
    synchronized (lock) {
      if (future.isDone()) {
        t.cancel();
      } else {
        timer = t;
      }
    }
    // After the timer is set: the first line may start SLF4J, which must not delay the retry's
    // scheduling behind the failure that observers already see.
    logRetry(count, delay, error);
  }

  /**
   * One DEBUG line per retry. The cause is named by its class and, for an HTTP failure, its status
   * (its message can quote a server's body); no URL or header reaches the line.
   */
  private void logRetry(int failureCount, Duration delay, Throwable error) {
    Logger log = LoggerFactory.getLogger(hooks.logger());
    if (log.isDebugEnabled()) {
      log.debug(
          "{}: attempt {} failed, retrying in {} ms: {}",
          hooks.describe(),
          failureCount,
          delay.toMillis(),
          causeOf(error));
    }
  }

  private static String causeOf(Throwable error) {
    if (error instanceof HttpStatusException e) {
      return "HTTP " + e.status();
    }
    return error.getClass().getSimpleName();
  }

  private void afterDelay() {
    synchronized (lock) {
      timer = null;
      if (future.isDone()) {
        return;
      }
    }
    if (canContinue.getAsBoolean()) {
      next();
    } else {
      pause();
    }
  }

  /**
   * {@code delay}, or the delay the failure asked for if that is longer (at most {@link
   * RetryAfter#MAX_REQUESTED_DELAY}).
   */
  static Duration atLeastRequested(Duration delay, Throwable error) {
    if (!(error instanceof RetryAfter retryAfter)) {
      return delay;
    }
    Optional<Duration> requested = retryAfter.requestedRetryDelay();
    if (requested.isEmpty()) {
      return delay;
    }
    Duration capped = requested.get();
    if (capped.compareTo(RetryAfter.MAX_REQUESTED_DELAY) > 0) {
      capped = RetryAfter.MAX_REQUESTED_DELAY;
    }
    return capped.compareTo(delay) > 0 ? capped : delay;
  }

  /** Strips the wrappers that futures add around the real failure. */
  public static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
