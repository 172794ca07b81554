package dev.quarry.cache.internal;

import dev.quarry.cache.QueryStatsListener;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.core.internal.ListenerSet;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The client's {@link QueryStatsListener}s. Each measurement is a call handed to the callback
 * executor; with no listener registered nothing is allocated or queued. Whether any is registered
 * is also published to the client (see the constructor), whose fresh {@code fetchQuery} hit checks
 * its own field instead of this listener set.
 */
final class FetchStats {
  private final ListenerSet<Consumer<QueryStatsListener>> listeners;
  private final Clock clock;

  /** Told whether a listener is registered, whenever that may have changed; under this monitor. */
  private final Consumer<Boolean> onActive;

  /**
   * @param onActive told {@code true} when a listener is registered and {@code false} when a close
   *     leaves none (idempotent for the receiver: it may hear the same value twice)
   */
  FetchStats(
      Executor executor, ErrorHandler errorHandler, Clock clock, Consumer<Boolean> onActive) {
    this.listeners = new ListenerSet<>(executor, errorHandler, "query stats listener");
    this.clock = clock;
    this.onActive = onActive;
  }

  Registration add(QueryStatsListener listener) {
    Objects.requireNonNull(listener, "listener");
    Registration r;
    synchronized (this) {
      r = listeners.add(call -> call.accept(listener));
      onActive.accept(true);
    }
    return () -> {
      synchronized (this) {
        r.close();
        if (listeners.isEmpty()) {
          onActive.accept(false);
        }
      }
    };
  }

  /** The start of a fetch, in the clock's nanoseconds; any thread. */
  long start() {
    return clock.nanoTime();
  }

  /** A read answered from the cache; any thread, no lock needed. */
  void hit(QueryKey key) {
    if (!listeners.isEmpty()) {
      listeners.emit(l -> l.onCacheHit(key));
    }
  }

  /** A fetch that started at {@code startedNanos} ended now; call without the query's lock. */
  void ended(QueryKey key, QueryStatsListener.FetchOutcome outcome, long startedNanos) {
    if (!listeners.isEmpty()) {
      Duration took = Duration.ofNanos(Math.max(0, clock.nanoTime() - startedNanos));
      listeners.emit(l -> l.onFetchEnded(key, outcome, took));
    }
  }

  /** A streamed query folded a chunk; any thread, no lock needed. */
  void streamChunk(QueryKey key) {
    if (!listeners.isEmpty()) {
      listeners.emit(l -> l.onStreamChunk(key));
    }
  }

  /** A stream source reconnected within an attempt; any thread, no lock needed. */
  void streamResumed(QueryKey key) {
    if (!listeners.isEmpty()) {
      listeners.emit(l -> l.onStreamResumed(key));
    }
  }
}
