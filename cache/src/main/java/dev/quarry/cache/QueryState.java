package dev.quarry.cache;

import java.util.Objects;
import java.util.Optional;

/**
 * The state of one cached query, exactly as TanStack's {@code QueryState}.
 *
 * <p>"No data yet" is {@code data().isEmpty()}; data is never {@code null}. Timestamps are epoch
 * milliseconds of the client's clock; {@code 0} means "never". An immutable snapshot: later changes
 * produce new instances.
 *
 * <pre>{@code
 * client.getQueryState(key).ifPresent(s -> log.info("{} {} updated {}", s.status(),
 *     s.fetchStatus(), Instant.ofEpochMilli(s.dataUpdatedAt())));
 * }</pre>
 *
 * @param data the last successful data, kept when a later fetch fails
 * @param dataUpdatedAt when the data was stored
 * @param dataUpdateCount successful fetches and {@code setQueryData} calls (not initial data)
 * @param error the last error, cleared on success
 * @param errorUpdatedAt when the error was stored
 * @param errorUpdateCount failed fetches
 * @param fetchFailureCount failures in the current (or last) fetch, including the final one
 * @param fetchFailureReason the last failure of the current (or last) fetch
 * @param fetchDirection the direction of an infinite query's running page fetch
 * @param isInvalidated whether the query was invalidated (stale regardless of time)
 * @param status pending, error or success
 * @param fetchStatus fetching, paused or idle
 * @param <T> the data type
 */
public record QueryState<T>(
    Optional<T> data,
    long dataUpdatedAt,
    int dataUpdateCount,
    Optional<Throwable> error,
    long errorUpdatedAt,
    int errorUpdateCount,
    int fetchFailureCount,
    Optional<Throwable> fetchFailureReason,
    Optional<FetchDirection> fetchDirection,
    boolean isInvalidated,
    QueryStatus status,
    FetchStatus fetchStatus) {

  /** Checks that no component is null. */
  public QueryState {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(fetchFailureReason, "fetchFailureReason");
    Objects.requireNonNull(fetchDirection, "fetchDirection");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(fetchStatus, "fetchStatus");
  }

  /** The initial state of a query without initial data: pending and idle. */
  public static <T> QueryState<T> initial() {
    return new QueryState<>(
        Optional.empty(),
        0,
        0,
        Optional.empty(),
        0,
        0,
        0,
        Optional.empty(),
        Optional.empty(),
        false,
        QueryStatus.PENDING,
        FetchStatus.IDLE);
  }

  /** The initial state of a query created with initial data: success, idle, 0 updates. */
  public static <T> QueryState<T> withInitialData(T data, long dataUpdatedAt) {
    return new QueryState<>(
        Optional.of(data),
        dataUpdatedAt,
        0,
        Optional.empty(),
        0,
        0,
        0,
        Optional.empty(),
        Optional.empty(),
        false,
        QueryStatus.SUCCESS,
        FetchStatus.IDLE);
  }

  /** Alias of {@link #fetchFailureCount()}, the name observers use. */
  public int failureCount() {
    return fetchFailureCount;
  }

  /** Alias of {@link #fetchFailureReason()}. */
  public Optional<Throwable> failureReason() {
    return fetchFailureReason;
  }

  /** Whether a fetch is in progress (fetching or paused). */
  public boolean isFetchInProgress() {
    return fetchStatus != FetchStatus.IDLE;
  }
}
