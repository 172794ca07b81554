package dev.quarry.examples;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Lets the demo's main thread wait, bounded, for something a listener sees: listeners {@link
 * #accept} values, {@link #until} takes them until one matches. Waiting happens on a real server's
 * answer, so it is real time, always with a timeout.
 *
 * @param <T> what the listener sees
 */
final class Waiter<T> implements Consumer<T> {
  private final BlockingQueue<T> seen = new LinkedBlockingQueue<>();
  private final String what;

  Waiter(String what) {
    this.what = what;
  }

  @Override
  public void accept(T value) {
    seen.add(value);
  }

  /** Forgets the values seen so far. */
  void clear() {
    seen.clear();
  }

  /**
   * Takes values until one matches {@code condition} and returns it.
   *
   * @throws DemoException if none matches within {@code timeout}
   */
  T until(Predicate<? super T> condition, Duration timeout, String description) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        T next = left > 0 ? seen.poll(left, TimeUnit.NANOSECONDS) : null;
        if (next == null) {
          throw new DemoException(
              "timed out after "
                  + timeout.toSeconds()
                  + " s waiting for "
                  + what
                  + ": "
                  + description);
        }
        if (condition.test(next)) {
          return next;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoException("interrupted while waiting for " + what);
    }
  }
}
