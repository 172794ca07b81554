package dev.quarry.core.internal;

import java.util.function.BooleanSupplier;

/**
 * The bounded wait of a consumer thread that has just run out of work and expects more at once (a
 * flood): it yields the processor until more has come, instead of parking and having to be woken
 * for it (two system calls and a context switch per item when the consumer keeps up). Only for a
 * thread that is its consumer's alone, never an application's.
 *
 * <p>Thread: called on the consumer's own thread; {@code more} is read without a lock.
 */
public final class Linger {
  private Linger() {}

  /**
   * Yields until {@code more} is true, {@code nanos} have passed, or the thread is interrupted (its
   * executor is stopping); whether more came.
   */
  public static boolean await(long nanos, BooleanSupplier more) {
    long start = System.nanoTime();
    while (!more.getAsBoolean()) {
      if (System.nanoTime() - start >= nanos || Thread.currentThread().isInterrupted()) {
        return false;
      }
      Thread.yield();
    }
    return true;
  }
}
