package dev.quarry.core;

/**
 * A handle on a registration: a listener, an observer, a topic subscription.
 *
 * <p>{@link #close()} ends the registration. It is idempotent, never throws, and may be called from
 * any thread, including from inside the listener it ends. After {@code close()} returns, the
 * listener receives no notification that was not already being delivered.
 *
 * <pre>{@code
 * try (Registration s = connectivity.onOnlineChange(online -> log(online))) {
 *   ...
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Registration extends AutoCloseable {
  /** Ends the registration; calling it again does nothing. */
  @Override
  void close();

  /** A handle that is already closed. */
  static Registration closed() {
    return () -> {};
  }
}
