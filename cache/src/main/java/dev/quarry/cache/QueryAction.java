package dev.quarry.cache;

/**
 * The kind of state transition behind a {@link QueryCacheEvent.Updated} event: the actions of the
 * query reducer.
 */
public enum QueryAction {
  /** A fetch started. */
  FETCH,
  /** A fetch succeeded: data from the server landed. */
  SUCCESS,
  /** {@code setQueryData} stored data (TanStack's manual success). */
  SET_DATA,
  /** An attempt failed and will be retried. */
  FAILED,
  /** A fetch paused, waiting for connectivity. */
  PAUSE,
  /** A paused fetch continued. */
  CONTINUE,
  /** The final attempt of a fetch failed. */
  ERROR,
  /** The query was marked invalidated. */
  INVALIDATE,
  /** A cancelled fetch restored the state from before it (or the last manual data). */
  REVERT,
  /** The query was reset to its initial state. */
  RESET,
  /** A dehydrated state was hydrated over the query. */
  HYDRATE,
  /** Options with initial data met an existing query that had no data (no update counted). */
  INITIAL_DATA
}
