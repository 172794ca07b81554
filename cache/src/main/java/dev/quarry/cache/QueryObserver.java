package dev.quarry.cache;

import dev.quarry.core.Subscription;
import java.util.concurrent.CompletableFuture;

/**
 * A live view of one query (TanStack's {@code QueryObserver}), returned by {@link
 * QueryClient#observe}. Its listener receives every changed {@link QueryResult}, in order, on the
 * client's callback executor; the first result is delivered right after attaching.
 *
 * <pre>{@code
 * try (QueryObserver<List<Episode>> o = client.observe(episodes, r -> render(r))) {
 *   o.refetch();
 * }
 * }</pre>
 *
 * <p>Lifecycle: attached until {@link #close()}. Closing the last observer of a query starts its gc
 * timer; if a fetch is running it is cancelled (state reverted) only if its function read its
 * cancellation signal, otherwise it finishes without further retries. Thread-safe.
 *
 * @param <R> the (selected) data type
 */
public interface QueryObserver<R> extends Subscription {
  /** The last result delivered (or about to be delivered) to the listener. */
  QueryResult<R> currentResult();

  /**
   * Refetches now, even when disabled, cancelling a running fetch that has data (cancelRefetch).
   * The future completes with the result after the fetch; it never fails (errors are in the
   * result).
   */
  CompletableFuture<QueryResult<R>> refetch();

  /** Detaches; idempotent. */
  @Override
  void close();
}
