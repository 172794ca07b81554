package dev.quarry.optimistic.internal;

import dev.quarry.core.Cancellable;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Retryer;
import dev.quarry.optimistic.MutationOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The retry rule of persistent mutations: a write recorded in the outbox is never lost to a failure
 * that retrying may cure. It is the scheduler that one persistent mutation's retry loop waits on
 * between attempts, plus the classification and the policy that loop uses.
 *
 * <p><b>What pauses.</b> A failure that {@link #isRetryable(Throwable)} (the transport failed or
 * timed out, or the server answered 5xx, 408 or 429) and that the mutation's retry policy accepts
 * pauses the mutation: it stays pending with {@code isPaused} true, {@code failureCount} and {@code
 * failureReason} set, its optimistic changes stay applied and its outbox record stays. Every other
 * failure, and a retryable one that the application's policy refuses, settles it as an error (the
 * record is removed, the optimistic changes are rolled back).
 *
 * <p><b>How it resumes.</b> Each pause waits the policy's backoff ({@link
 * MutationOptions#PERSISTENT_RETRY_BACKOFF} unless the application set {@code retry} or {@code
 * retryDelay}, raised to a server's {@code Retry-After}); {@link #wake()} cuts the wait short,
 * which the client does when connectivity comes back and on {@code resumeOutbox()}. When the wait
 * ends the attempt runs if the mutation may continue (online, its turn in its scope); otherwise the
 * loop pauses until the next resume.
 *
 * <p><b>Threads.</b> {@link #schedule}, the timer and {@link #wake()} all run on the client's loop;
 * the monitor only guards the pending wait against a cancel from elsewhere. Callbacks run outside
 * it.
 */
final class PersistentRetry implements Scheduler {
  /** The default policy of persistent mutations: retryable failures, without end. */
  private static final RetryPolicy DEFAULT =
      RetryPolicy.forever().withBackoff(MutationOptions.PERSISTENT_RETRY_BACKOFF);

  private final Scheduler loopScheduler;
  private final BooleanSupplier stopped;
  private final Runnable onWaiting;
  private final Runnable beforeAttempt;
  private @Nullable Wait wait;

  /**
   * @param loopScheduler schedules on the client's loop
   * @param stopped whether the client closed (a wait that ends then does nothing)
   * @param onWaiting called once a failed attempt's wait is scheduled (dispatches the pause)
   * @param beforeAttempt called when a wait ends, before the retry loop decides to attempt or pause
   */
  PersistentRetry(
      Scheduler loopScheduler,
      BooleanSupplier stopped,
      Runnable onWaiting,
      Runnable beforeAttempt) {
    this.loopScheduler = loopScheduler;
    this.stopped = stopped;
    this.onWaiting = onWaiting;
    this.beforeAttempt = beforeAttempt;
  }

  /**
   * Whether a persistent mutation may pause on {@code error} instead of failing: what {@link
   * JsonHttp#isRetryable} accepts (an {@link HttpIoException}: connection refused or reset, a
   * timeout, a body cut short; a 5xx, 408 or 429), or another {@link IOException} or a {@link
   * TimeoutException} from a custom transport. Not: other statuses, decode errors, cancellations,
   * anything else. Future wrappers are looked through.
   */
  static boolean isRetryable(Throwable error) {
    Throwable e = Retryer.unwrap(error);
    return JsonHttp.isRetryable(e)
        || e instanceof IOException
        || e instanceof UncheckedIOException
        || e instanceof TimeoutException;
  }

  /**
   * The policy a persistent mutation's retry loop runs with: the application's ({@code retry} with
   * {@code retryDelay}), or {@link #DEFAULT} with {@code retryDelay} if only that is set, asked
   * only about retryable failures.
   */
  static RetryPolicy policy(MutationOptions<?, ?, ?> options) {
    RetryPolicy app;
    if (options.hasRetry()) {
      app = options.retry();
    } else if (options.retryDelay().isPresent()) {
      app = DEFAULT.withDelay(options.retryDelay().get());
    } else {
      app = DEFAULT;
    }
    RetryPolicy chosen = app;
    return RetryPolicy.when((n, e) -> isRetryable(e) && chosen.shouldRetry(n, e))
        .withDelay(chosen::delay);
  }

  /** Whether a failed attempt's wait is pending. */
  synchronized boolean isWaiting() {
    return wait != null;
  }

  /** The retry loop's wait between attempts: starts the timer, then reports the pause. */
  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Wait w = new Wait(task);
    synchronized (this) {
      wait = w;
    }
    w.timer = loopScheduler.schedule(delay, () -> end(w));
    onWaiting.run();
    return () -> {
      boolean pending;
      synchronized (this) {
        pending = !w.done;
        w.done = true;
        if (wait == w) {
          wait = null;
        }
      }
      Cancellable t = w.timer;
      if (t != null) {
        t.cancel();
      }
      return pending;
    };
  }

  /** Ends a pending wait now (on the loop); whether there was one. */
  boolean wake() {
    Wait w;
    synchronized (this) {
      w = wait;
    }
    if (w == null) {
      return false;
    }
    Cancellable t = w.timer;
    if (t != null) {
      t.cancel();
    }
    end(w);
    return true;
  }

  private void end(Wait w) {
    synchronized (this) {
      if (w.done) {
        return;
      }
      w.done = true;
      if (wait == w) {
        wait = null;
      }
    }
    if (stopped.getAsBoolean()) {
      return; // the client closed: the record stays for the next run
    }
    beforeAttempt.run();
    w.task.run();
  }

  /** One wait between attempts. */
  private static final class Wait {
    final Runnable task;
    volatile @Nullable Cancellable timer;
    boolean done; // guarded by the PersistentRetry

    Wait(Runnable task) {
      this.task = task;
    }
  }
}
