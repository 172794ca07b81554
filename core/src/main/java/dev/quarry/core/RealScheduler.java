package dev.quarry.core;

import dev.quarry.core.internal.NamedThreadFactory;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link Scheduler}: one daemon thread named {@code quarry-scheduler-...} that runs
 * timer tasks. {@link #close()} stops the thread; tasks scheduled afterwards are ignored (their
 * handle reports that they were not cancelled by the call, as they never run).
 *
 * <p>Thread-safe. A task that throws is reported to the {@link ErrorHandler} and the thread keeps
 * running.
 */
public final class RealScheduler implements Scheduler, AutoCloseable {
  private final ScheduledThreadPoolExecutor executor;
  private final ErrorHandler errorHandler;

  private RealScheduler(ErrorHandler errorHandler) {
    this.errorHandler = errorHandler;
    this.executor = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("scheduler"));
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  /** Starts a scheduler whose task failures go to {@link ErrorHandler#logging()}. */
  public static RealScheduler create() {
    return new RealScheduler(ErrorHandler.logging());
  }

  /** Starts a scheduler whose task failures go to {@code errorHandler}. */
  public static RealScheduler create(ErrorHandler errorHandler) {
    return new RealScheduler(errorHandler);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    if (executor.isShutdown()) {
      return () -> false;
    }
    long nanos = Math.max(0, saturatedNanos(delay));
    try {
      ScheduledFuture<?> f = executor.schedule(() -> runGuarded(task), nanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      return () -> false;
    }
  }

  private void runGuarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      errorHandler.safeHandle("scheduled task " + task, e);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException overflow) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return executor.isShutdown();
  }

  /**
   * Stops the scheduler thread. Pending tasks are dropped. Idempotent; waits at most one second for
   * a running task to finish.
   */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
