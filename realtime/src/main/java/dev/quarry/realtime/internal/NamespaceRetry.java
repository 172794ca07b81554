package dev.quarry.realtime.internal;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Scheduler;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.RealtimeOptions;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A namespace's own CONNECT retries, for when it fails while other namespaces keep the connection
 * up: it sends its CONNECT again on the same connection after its own backoff ({@link
 * RealtimeOptions#reconnectBackoff()}), at most {@link RealtimeOptions#maxReconnectAttempts()}
 * times in a row, reporting each as {@link ConnectionEvent.Reconnecting} and giving up with {@link
 * ConnectionEvent.Disconnected}. (A namespace alone on its connection fails with it, and the
 * connection reconnects: {@link RealRealtimeConnection}.)
 *
 * <p>Thread: every method is called under the client's lock; the timer's task takes the lock only
 * to see that it is still the current retry, and joins the connection without it. One per {@link
 * RealRealtimeClient}, for its lifetime.
 */
final class NamespaceRetry {
  private final RealRealtimeClient client;
  private final RealRealtimeConnection engine;
  private final RealtimeOptions options;
  private final Scheduler scheduler;
  private final Object lock;

  /** Retries since the count was last {@link #reset()}; guarded by the lock. */
  private int attempt;

  private @Nullable Cancellable timer;

  /** Counts cancellations, so that a timer whose task has already started does nothing. */
  private long generation;

  NamespaceRetry(
      RealRealtimeClient client,
      RealRealtimeConnection engine,
      RealtimeOptions options,
      Scheduler scheduler,
      Object lock) {
    this.client = client;
    this.engine = engine;
    this.options = options;
    this.scheduler = scheduler;
    this.lock = lock;
  }

  /** Counts attempts from zero again: the namespace connected, or a new run of attempts begins. */
  void reset() {
    attempt = 0;
  }

  /** Cancels the pending retry, if any. */
  void cancel() {
    Cancellable t = timer;
    if (t != null) {
      t.cancel();
    }
    timer = null;
    generation++;
  }

  /**
   * After a failure for {@code reason}: schedules the next CONNECT after the backoff and reports
   * {@code Reconnecting}, or, the attempts used up, reports {@code Disconnected} and lets the
   * connection go if no other namespace wants it.
   */
  void later(DisconnectReason reason, String detail, @Nullable Throwable cause) {
    cancel();
    if (attempt >= options.maxReconnectAttempts()) {
      client.setState(
          new ConnectionEvent.Disconnected(
              reason,
              "gave up after " + attempt + " reconnect attempts; last: " + detail,
              Optional.ofNullable(cause)));
      engine.leaveIfIdle("namespace " + options.namespace() + " gave up");
      return;
    }
    Duration delay = options.reconnectBackoff().delay(attempt, options.random());
    attempt++;
    client.setState(
        new ConnectionEvent.Reconnecting(
            attempt, delay, reason, detail, Optional.ofNullable(cause), engine.endpoint()));
    long current = generation;
    timer =
        scheduler.schedule(
            delay,
            () -> {
              synchronized (lock) {
                if (current != generation) {
                  return;
                }
                timer = null;
              }
              engine.join(client);
            });
  }
}
