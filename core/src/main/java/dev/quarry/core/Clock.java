package dev.quarry.core;

/**
 * The source of time for every Quarry component. Inject a virtual clock (see {@code
 * dev.quarry.testing.VirtualTime}) to test staleness, garbage collection and retries without
 * waiting.
 *
 * <p>Implementations are thread-safe. {@link #nanoTime()} is monotonic and is what durations
 * (stale, gc, deadlines) are measured with; {@link #currentTimeMillis()} is wall-clock time and is
 * what timestamps exposed to users ({@code dataUpdatedAt}, {@code submittedAt}) are in.
 */
public interface Clock {
  /** Monotonic nanoseconds; only differences between two readings mean anything. */
  long nanoTime();

  /** Milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
  long currentTimeMillis();

  /** The system clock. */
  static Clock system() {
    return SystemClock.INSTANCE;
  }
}

/** The system clock; a singleton. */
enum SystemClock implements Clock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public long currentTimeMillis() {
    return System.currentTimeMillis();
  }
}
