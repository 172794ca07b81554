package dev.quarry.cache;

import java.util.Objects;
import java.util.Optional;

/**
 * What an observer sees: the query's state through the observer's options ({@code select},
 * placeholder data, {@code enabled}, {@code staleTime}).
 *
 * <p>Observers are told only when their result changed ({@link #equals(Object)}), in order. "No
 * data" is {@code data().isEmpty()}. An immutable snapshot.
 *
 * <pre>{@code
 * client.observe(episodes, r -> {
 *   if (r.isLoading()) spinner.show();
 *   r.data().ifPresent(table::setRows);
 *   r.error().ifPresent(banner::show);
 * });
 * }</pre>
 *
 * @param status pending, error or success ({@code SUCCESS} while placeholder data is shown)
 * @param fetchStatus fetching, paused or idle
 * @param data the (selected) data, or the placeholder
 * @param dataUpdatedAt when the query's data was stored, epoch ms, 0 if never
 * @param error the last error (also the error thrown by {@code select})
 * @param errorUpdatedAt when the error was stored
 * @param errorUpdateCount failed fetches of the query
 * @param failureCount failures in the current or last fetch
 * @param failureReason the last failure of the current or last fetch
 * @param isFetched whether the query ever completed a fetch or was set
 * @param isFetchedAfterMount whether it did so since this observer attached
 * @param isStale whether the data is stale for this observer (never when disabled)
 * @param isPlaceholderData whether {@code data} is the placeholder
 * @param isEnabled whether this observer is enabled
 * @param <T> the data type
 */
public record QueryResult<T>(
    QueryStatus status,
    FetchStatus fetchStatus,
    Optional<T> data,
    long dataUpdatedAt,
    Optional<Throwable> error,
    long errorUpdatedAt,
    int errorUpdateCount,
    int failureCount,
    Optional<Throwable> failureReason,
    boolean isFetched,
    boolean isFetchedAfterMount,
    boolean isStale,
    boolean isPlaceholderData,
    boolean isEnabled) {

  /** Checks that no component is null. */
  public QueryResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(fetchStatus, "fetchStatus");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(failureReason, "failureReason");
  }

  /** No data yet and no error. */
  public boolean isPending() {
    return status == QueryStatus.PENDING;
  }

  /** Has data (or placeholder data). */
  public boolean isSuccess() {
    return status == QueryStatus.SUCCESS;
  }

  /** The last fetch failed. */
  public boolean isError() {
    return status == QueryStatus.ERROR;
  }

  /** The function is running (not paused). */
  public boolean isFetching() {
    return fetchStatus == FetchStatus.FETCHING;
  }

  /** A fetch waits for connectivity. */
  public boolean isPaused() {
    return fetchStatus == FetchStatus.PAUSED;
  }

  /** The first fetch is running: pending and fetching. */
  public boolean isLoading() {
    return isPending() && isFetching();
  }

  /** A background refetch is running: fetching and not pending. */
  public boolean isRefetching() {
    return isFetching() && !isPending();
  }

  /** The query failed without ever having data. */
  public boolean isLoadingError() {
    return isError() && data.isEmpty();
  }

  /** A refetch failed; the earlier data is still there. */
  public boolean isRefetchError() {
    return isError() && data.isPresent();
  }
}
