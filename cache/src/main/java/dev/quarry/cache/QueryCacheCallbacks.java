package dev.quarry.cache;

import java.util.Optional;

/**
 * Callbacks for the outcome of every fetch of every query (TanStack's {@code new QueryCache({
 * onSuccess, onError, onSettled })}), set with {@link QueryClient.Builder#cacheCallbacks}. Each
 * method has a no-op default, so implement only what you need:
 *
 * <pre>{@code
 * QueryClient client = QueryClient.builder()
 *     .cacheCallbacks(new QueryCacheCallbacks() {
 *       @Override
 *       public void onError(Throwable error, QuerySnapshot query) {
 *         toasts.show("Could not load " + query.key() + ": " + error.getMessage());
 *       }
 *     })
 *     .build();
 * }</pre>
 *
 * <p>They run once per fetch, not once per observer: after a fetch succeeded ({@code onSuccess}
 * then {@code onSettled}), after it failed for good, retries exhausted ({@code onError} then {@code
 * onSettled}), and after a cancellation that does not restore the previous state ({@code
 * cancelQueries(filters, false)}: {@code onError} with the {@link CancelledException}). They are
 * not called for a cancellation that reverts the state, nor for a fetch replaced by another ({@code
 * cancelRefetch}), reset or removed; nor for {@code setQueryData}.
 *
 * <p>Threads: called on the client's callback executor, never under a Quarry lock, in the order of
 * the outcomes, and handed to that executor before the observers' listeners are told of the same
 * outcome. The {@link QuerySnapshot} is taken just before the call, so it already shows the outcome
 * (and may show a later change). An exception thrown here goes to the client's error handler and
 * changes nothing else. Arguments are never null.
 */
public interface QueryCacheCallbacks {
  /** A fetch of {@code query} succeeded with {@code data} (as stored, after change detection). */
  default void onSuccess(Object data, QuerySnapshot query) {}

  /** A fetch of {@code query} failed with {@code error}; the query is in status error. */
  default void onError(Throwable error, QuerySnapshot query) {}

  /**
   * A fetch of {@code query} settled: after {@link #onSuccess} with the data and no error, or after
   * {@link #onError} with the error and the data the query kept (empty if none).
   */
  default void onSettled(Optional<Object> data, Optional<Throwable> error, QuerySnapshot query) {}
}
