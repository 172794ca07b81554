package dev.quarry.cache;

import dev.quarry.core.QueryKey;

/**
 * What happened in the query cache (TanStack Query's cache events: added, removed, updated,
 * observer added and removed), delivered to {@link QueryClient#subscribe} listeners in the order it
 * happened, on the callback executor.
 *
 * <pre>{@code
 * client.subscribe(event -> {
 *   if (event instanceof QueryCacheEvent.Updated u && u.action() == QueryAction.SUCCESS) {
 *     log.info("{} landed", u.key());
 *   }
 * });
 * }</pre>
 *
 * <p>For one state change the order is: each observer's {@link ObserverResultsUpdated} (if its
 * result changed), then {@link Updated}.
 */
public sealed interface QueryCacheEvent {
  /** The key of the query the event is about. */
  QueryKey key();

  /** A query was added to the cache. */
  record Added(QueryKey key) implements QueryCacheEvent {}

  /** A query was removed (gc, {@code removeQueries}, {@code clear}, or evicted by size). */
  record Removed(QueryKey key) implements QueryCacheEvent {}

  /**
   * A query's state changed.
   *
   * @param action the kind of transition
   * @param state the state after it
   */
  record Updated(QueryKey key, QueryAction action, QueryState<?> state)
      implements QueryCacheEvent {}

  /** An observer attached to a query. */
  record ObserverAdded(QueryKey key) implements QueryCacheEvent {}

  /** An observer detached from a query. */
  record ObserverRemoved(QueryKey key) implements QueryCacheEvent {}

  /** An observer's result changed. */
  record ObserverResultsUpdated(QueryKey key) implements QueryCacheEvent {}
}
