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
 * executor; with no listener registered nothing is allocated or queued, and a cache hit checks one
 * flag ({@link #active}, or the client's own on the fresh {@code fetchQuery} path).
 */
final class FetchStats {
  private final ListenerSet<Consumer<QueryStatsListener>> listeners;
  private final Clock clock;

  /**
   * Whether a listener is registered: set with the listener set under this object's monitor, read
   * without it (one volatile load on the hit path instead of walking to the listener array).
   */
  private volatile boolean active;

  /** Told whether a listener is registered, whenever that changes; under this object's monitor. */
  private final Consumer<Boolean> onActive;

  /**
   * @param onActive told {@code true} when the first listener is registered and {@code false} when
   *     the last one is closed (a hit path can then check its own field instead of this object)
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
      if (!active) {
        active = true;
        onActive.accept(true);
      }
    }
    return () -> {
      synchronized (this) {
        r.close();
        if (active && listeners.isEmpty()) {
          active = false;
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
    if (active) {
      listeners.emit(l -> l.onCacheHit(key));
    }
  }

  /** A fetch that started at {@code startedNanos} ended now; call without the query's lock. */
  void ended(QueryKey key, QueryStatsListener.FetchOutcome outcome, long startedNanos) {
    if (active) {
      Duration took = Duration.ofNanos(Math.max(0, clock.nanoTime() - startedNanos));
      listeners.emit(l -> l.onFetchEnded(key, outcome, took));
    }
  }

  /** A streamed query folded a chunk; any thread, no lock needed. */
  void streamChunk(QueryKey key) {
    if (active) {
      listeners.emit(l -> l.onStreamChunk(key));
    }
  }

  /** A stream source reconnected within an attempt; any thread, no lock needed. */
  void streamResumed(QueryKey key) {
    if (active) {
      listeners.emit(l -> l.onStreamResumed(key));
    }
  }
}
