package dev.quarry.cache;

import dev.quarry.core.Registration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A live view of one query (TanStack's {@code QueryObserver}). {@link QueryClient#observe} returns
 * one already subscribed to a listener; {@link QueryClient#createObserver} returns one without
 * listeners, to {@link #subscribe} later.
 *
 * <pre>{@code
 * QueryObserver<List<Episode>> o = client.createObserver(episodes); // no fetch yet
 * Registration s = o.subscribe(r -> render(r));                      // attaches, fetches if due
 * o.setOptions(episodesOf(otherProject));                            // moves to the new key
 * s.close();                                                         // detaches
 * }</pre>
 *
 * <p>Lifecycle: creating an observer builds its query in the cache (with its defaults and initial
 * data) but does not attach to it: it does not fetch, does not count as an observer of the query
 * and does not stop its gc timer. The first {@link #subscribe} attaches it, fetches on mount if due
 * (refetchOnMount, enabled, staleness) and starts its stale and interval timers; closing the last
 * subscription detaches it: timers stop, and if it was the query's last observer its gc timer
 * starts and a running fetch is cancelled (state reverted) only if its function read its
 * cancellation signal, otherwise it finishes without further retries. It can be subscribed again.
 * {@link #close()} ends it for good.
 *
 * <p>Listeners receive results on the client's callback executor, in order: first the current
 * result right after subscribing, then every changed result (or, with {@link
 * QueryOptions.Builder#notifyOnChangeProps}, every result in which one of the named properties
 * changed). An exception a listener throws goes to the client's error handler; the others still
 * receive. Thread-safe: every method may be called from any thread; no method returns null.
 *
 * @param <R> the (selected) data type
 */
public interface QueryObserver<R> extends Registration {
  /**
   * The last result computed: while subscribed, the one delivered (or about to be delivered) to the
   * listeners; without listeners, the result as of creation, the last {@link #setOptions} or the
   * last {@link #refetch} (an observer without listeners does not follow state changes).
   */
  QueryResult<R> currentResult();

  /**
   * Adds a listener; the first one attaches the observer to its query (see the class
   * documentation). The listener first receives the current result.
   *
   * @return closing it removes this listener (idempotent); the last one leaving detaches
   * @throws IllegalStateException if the observer was {@linkplain #close() closed}
   */
  Registration subscribe(Consumer<QueryResult<R>> listener);

  /** Whether at least one listener is subscribed (the observer is attached to its query). */
  boolean hasListeners();

  /**
   * Replaces the options (TanStack's {@code setOptions}) with {@code options} and {@code select}. A
   * new key moves the observer to that query (built if needed); while subscribed it then fetches if
   * the query changed or the observer was disabled before, and the new query is stale for the new
   * options; stale and interval timers follow the new settings. Without listeners nothing is
   * fetched. The result is recomputed (and delivered if it changed).
   *
   * @throws IllegalStateException if the observer was closed
   * @throws UnsupportedOperationException on an observer of an infinite query (use {@link
   *     InfiniteQueryObserver#setOptions(InfiniteQueryOptions)})
   */
  <T> void setOptions(QueryOptions<T> options, Function<? super T, ? extends R> select);

  /**
   * {@link #setOptions(QueryOptions, Function)} without {@code select}: the observer shows the
   * query's data as it is.
   */
  default void setOptions(QueryOptions<R> options) {
    setOptions(options, Function.<R>identity());
  }

  /**
   * Refetches now, even when disabled and whether subscribed or not, restarting a running fetch
   * that has data ({@code refetch(true)}). The future completes with this observer's result after
   * the fetch; it never fails (errors are in the result).
   */
  CompletableFuture<QueryResult<R>> refetch();

  /**
   * {@link #refetch()} with TanStack's {@code cancelRefetch}: when false and the query is already
   * fetching, the running fetch is kept and joined instead of cancelled and started again. Never
   * fails.
   */
  CompletableFuture<QueryResult<R>> refetch(boolean cancelRefetch);

  /**
   * Removes every listener, detaches and ends this observer; idempotent. Afterwards {@link
   * #subscribe} and {@link #setOptions} throw {@link IllegalStateException}.
   */
  @Override
  void close();
}
