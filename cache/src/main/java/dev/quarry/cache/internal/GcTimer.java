package dev.quarry.cache.internal;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A query's garbage-collection timer (TanStack's {@code Removable}, spec 2.8): the gcTime only
 * grows, and each (re)start invalidates the previous timer by generation, so a timer that fires
 * after being replaced does nothing. Not thread-safe: the owning query calls it under its lock,
 * except {@link #wouldGrow}, which reads the gcTime without it.
 */
final class GcTimer {
  private final Clock clock;
  private final Scheduler scheduler;
  // Written under the owner's lock; volatile so that wouldGrow can skip the lock.
  private volatile Duration gcTime;
  private @Nullable Cancellable timer;
  private long generation;
  private long dueAt = -1;

  GcTimer(Clock clock, Scheduler scheduler, Duration gcTime) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.gcTime = gcTime;
  }

  /**
   * Whether {@link #offer} of {@code candidate} would change the gcTime; safe without the lock. As
   * the gcTime only grows, once this is false for a candidate it stays false, so a caller may skip
   * the offer (and the lock) then.
   */
  boolean wouldGrow(Duration candidate) {
    return candidate.compareTo(gcTime) > 0;
  }

  /** Keeps the longest gcTime seen. */
  void offer(Duration candidate) {
    if (candidate.compareTo(gcTime) > 0) {
      gcTime = candidate;
    }
  }

  /**
   * Restarts the timer; {@code fired} receives the generation to check with {@link #isCurrent}.
   * Does nothing but stop the old timer when the gcTime is infinite.
   */
  void restart(LongConsumer fired) {
    cancel();
    if (Resolved.isInfinite(gcTime)) {
      return;
    }
    long g = generation;
    dueAt = clock.currentTimeMillis() + gcTime.toMillis();
    timer = scheduler.schedule(gcTime, () -> fired.accept(g));
  }

  /** Stops the timer. */
  void cancel() {
    generation++;
    dueAt = -1;
    Cancellable t = timer;
    timer = null;
    if (t != null) {
      t.cancel();
    }
  }

  /** Whether a timer of {@code firedGeneration} is the one running now. */
  boolean isCurrent(long firedGeneration) {
    return firedGeneration == generation && timer != null;
  }

  /** When the timer is due, epoch ms, or -1 if none runs. */
  long dueAt() {
    return dueAt;
  }
}
