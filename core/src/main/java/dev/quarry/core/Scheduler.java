package dev.quarry.core;

import java.time.Duration;

/**
 * Runs a task after a delay. Every timer in Quarry (staleness, gc, retry delays, refetch intervals,
 * reconnect backoff, heartbeat deadlines, ack timeouts) goes through one scheduler, so tests can
 * replace it with virtual time and nothing in them sleeps.
 *
 * <p>Implementations are thread-safe. Tasks are Quarry's own short, non-blocking bookkeeping; they
 * never run user callbacks directly (those go to the callback executor). A task that throws is
 * reported and does not stop other tasks.
 *
 * @see RealScheduler the production implementation
 */
public interface Scheduler {
  /**
   * Runs {@code task} once, {@code delay} from now. A zero or negative delay runs it as soon as
   * possible, never on the calling thread.
   *
   * @return a handle that cancels the task if it has not run yet
   */
  Cancellable schedule(Duration delay, Runnable task);
}
