package dev.quarry.cache.internal;

import dev.quarry.cache.QueryCacheCallbacks;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.core.ErrorHandler;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Calls the client's {@link QueryCacheCallbacks} once per fetch outcome. The methods are called
 * under the query's lock, right before the outcome is dispatched, and only enqueue on the pipeline:
 * so the calls reach the callback executor in outcome order and before the observers' notifications
 * of the same outcome, and no user code runs under the lock.
 */
final class CacheCallbacks {
  private final @Nullable QueryCacheCallbacks callbacks;
  private final Pipeline pipeline;
  private final Executor executor;
  private final ErrorHandler errorHandler;

  CacheCallbacks(
      @Nullable QueryCacheCallbacks callbacks,
      Pipeline pipeline,
      Executor executor,
      ErrorHandler errorHandler) {
    this.callbacks = callbacks;
    this.pipeline = pipeline;
    this.executor = executor;
    this.errorHandler = errorHandler;
  }

  /** Under {@code q}'s lock: its fetch succeeded with {@code data}. */
  void succeededLocked(Query<?> q, Object data) {
    QueryCacheCallbacks c = callbacks;
    if (c == null) {
      return;
    }
    enqueue(
        q,
        snapshot -> c.onSuccess(data, snapshot),
        snapshot -> c.onSettled(Optional.of(data), Optional.empty(), snapshot));
  }

  /** Under {@code q}'s lock: its fetch failed with {@code error}; {@code data} is what it keeps. */
  void failedLocked(Query<?> q, Throwable error, Optional<?> data) {
    QueryCacheCallbacks c = callbacks;
    if (c == null) {
      return;
    }
    Optional<Object> kept = data.map(d -> (Object) d);
    enqueue(
        q,
        snapshot -> c.onError(error, snapshot),
        snapshot -> c.onSettled(kept, Optional.of(error), snapshot));
  }

  /** The two calls run one after the other; a throwing first call does not skip the second. */
  private void enqueue(Query<?> q, Consumer<QuerySnapshot> first, Consumer<QuerySnapshot> then) {
    pipeline.enqueue(
        () -> {
          QuerySnapshot snapshot = QueryViews.snapshot(q);
          executor.execute(
              () -> {
                run(q, first, snapshot);
                run(q, then, snapshot);
              });
        });
  }

  private void run(Query<?> q, Consumer<QuerySnapshot> call, QuerySnapshot snapshot) {
    try {
      call.accept(snapshot);
    } catch (RuntimeException e) {
      errorHandler.safeHandle("query cache callback for " + q.key, e);
    }
  }
}
