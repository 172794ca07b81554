package dev.quarry.benchmarks.realtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Counts received events and records when a target count was reached. */
final class TickCounter {
  private final AtomicLong count = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile long reachedAt;
  private volatile CountDownLatch done = new CountDownLatch(1);

  /** Called by a client for every tick event. */
  void tick() {
    long n = count.incrementAndGet();
    if (n == target) {
      reachedAt = System.nanoTime();
      done.countDown();
    }
  }

  /** Called by a client that learns of {@code n} more tick events at once. */
  void add(long n) {
    long after = count.addAndGet(n);
    long t = target;
    if (after >= t && after - n < t) {
      reachedAt = System.nanoTime();
      done.countDown();
    }
  }

  /** Resets the count and arms the target. */
  void arm(long newTarget) {
    done = new CountDownLatch(1);
    count.set(0);
    target = newTarget;
  }

  /** Waits for the target; returns the nanoTime it was reached, or -1 on timeout. */
  long await(long timeoutMillis) throws InterruptedException {
    return done.await(timeoutMillis, TimeUnit.MILLISECONDS) ? reachedAt : -1;
  }

  long count() {
    return count.get();
  }
}
