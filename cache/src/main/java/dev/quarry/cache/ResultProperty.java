package dev.quarry.cache;

/**
 * The properties of a {@link QueryResult} an observer can restrict its notifications to (TanStack's
 * {@code notifyOnChangeProps}); see {@link QueryOptions.Builder#notifyOnChangeProps}. Each constant
 * names the record component of the same name. The derived flags ({@code isLoading}, {@code
 * isFetching}, {@code isRefetching}, ...) change only when {@link #STATUS} or {@link #FETCH_STATUS}
 * does: name those to follow them.
 */
public enum ResultProperty {
  /** {@link QueryResult#status()}. */
  STATUS,
  /** {@link QueryResult#fetchStatus()}. */
  FETCH_STATUS,
  /** {@link QueryResult#data()}, compared with {@code equals}. */
  DATA,
  /** {@link QueryResult#dataUpdatedAt()}. */
  DATA_UPDATED_AT,
  /** {@link QueryResult#error()}. */
  ERROR,
  /** {@link QueryResult#errorUpdatedAt()}. */
  ERROR_UPDATED_AT,
  /** {@link QueryResult#errorUpdateCount()}. */
  ERROR_UPDATE_COUNT,
  /** {@link QueryResult#failureCount()}. */
  FAILURE_COUNT,
  /** {@link QueryResult#failureReason()}. */
  FAILURE_REASON,
  /** {@link QueryResult#isFetched()}. */
  IS_FETCHED,
  /** {@link QueryResult#isFetchedAfterMount()}. */
  IS_FETCHED_AFTER_MOUNT,
  /** {@link QueryResult#isStale()}. */
  IS_STALE,
  /** {@link QueryResult#isPlaceholderData()}. */
  IS_PLACEHOLDER_DATA,
  /** {@link QueryResult#isEnabled()}. */
  IS_ENABLED;

  /**
   * The value of this property in {@code result}, boxed; never null. Thread-safe (results are
   * immutable).
   */
  public Object valueIn(QueryResult<?> result) {
    return switch (this) {
      case STATUS -> result.status();
      case FETCH_STATUS -> result.fetchStatus();
      case DATA -> result.data();
      case DATA_UPDATED_AT -> result.dataUpdatedAt();
      case ERROR -> result.error();
      case ERROR_UPDATED_AT -> result.errorUpdatedAt();
      case ERROR_UPDATE_COUNT -> result.errorUpdateCount();
      case FAILURE_COUNT -> result.failureCount();
      case FAILURE_REASON -> result.failureReason();
      case IS_FETCHED -> result.isFetched();
      case IS_FETCHED_AFTER_MOUNT -> result.isFetchedAfterMount();
      case IS_STALE -> result.isStale();
      case IS_PLACEHOLDER_DATA -> result.isPlaceholderData();
      case IS_ENABLED -> result.isEnabled();
    };
  }
}
