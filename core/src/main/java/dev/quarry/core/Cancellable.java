package dev.quarry.core;

/**
 * A task scheduled on a {@link Scheduler}. Cancelling a task that already ran, or was already
 * cancelled, does nothing. Thread-safe.
 */
@FunctionalInterface
public interface Cancellable {
  /**
   * Prevents the task from running if it has not started.
   *
   * @return {@code true} if this call stopped the task from running
   */
  boolean cancel();
}
