package dev.quarry.cache.internal;

import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatus;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The pure state transitions of the query reducer (spec 2.2). */
final class Reducer {
  private Reducer() {}

  static <T> QueryState<T> fetch(
      QueryState<T> s, boolean canFetch, @Nullable FetchDirection direction) {
    boolean noData = s.data().isEmpty();
    return new QueryState<>(
        s.data(),
        s.dataUpdatedAt(),
        s.dataUpdateCount(),
        noData ? Optional.empty() : s.error(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        0,
        Optional.empty(),
        Optional.ofNullable(direction),
        s.isInvalidated(),
        noData ? QueryStatus.PENDING : s.status(),
        canFetch ? FetchStatus.FETCHING : FetchStatus.PAUSED);
  }

  static <T> QueryState<T> failed(QueryState<T> s, int failureCount, Throwable error) {
    return new QueryState<>(
        s.data(),
        s.dataUpdatedAt(),
        s.dataUpdateCount(),
        s.error(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        failureCount,
        Optional.of(error),
        s.fetchDirection(),
        s.isInvalidated(),
        s.status(),
        s.fetchStatus());
  }

  static <T> QueryState<T> fetchStatus(QueryState<T> s, FetchStatus fetchStatus) {
    return new QueryState<>(
        s.data(),
        s.dataUpdatedAt(),
        s.dataUpdateCount(),
        s.error(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        s.fetchFailureCount(),
        s.fetchFailureReason(),
        fetchStatus == FetchStatus.IDLE ? Optional.empty() : s.fetchDirection(),
        s.isInvalidated(),
        s.status(),
        fetchStatus);
  }

  /** A successful fetch: data stored, idle, failures cleared. */
  static <T> QueryState<T> success(QueryState<T> s, T data, long now) {
    return new QueryState<>(
        Optional.of(data),
        now,
        s.dataUpdateCount() + 1,
        Optional.empty(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        0,
        Optional.empty(),
        Optional.empty(),
        false,
        QueryStatus.SUCCESS,
        FetchStatus.IDLE);
  }

  /** A manual success ({@code setQueryData}): fetch status and failures untouched. */
  static <T> QueryState<T> setData(QueryState<T> s, T data, long updatedAt) {
    return new QueryState<>(
        Optional.of(data),
        updatedAt,
        s.dataUpdateCount() + 1,
        Optional.empty(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        s.fetchFailureCount(),
        s.fetchFailureReason(),
        s.fetchDirection(),
        false,
        QueryStatus.SUCCESS,
        s.fetchStatus());
  }

  static <T> QueryState<T> error(QueryState<T> s, Throwable error, long now) {
    return new QueryState<>(
        s.data(),
        s.dataUpdatedAt(),
        s.dataUpdateCount(),
        Optional.of(error),
        now,
        s.errorUpdateCount() + 1,
        s.fetchFailureCount() + 1,
        Optional.of(error),
        Optional.empty(),
        true,
        QueryStatus.ERROR,
        FetchStatus.IDLE);
  }

  static <T> QueryState<T> invalidate(QueryState<T> s) {
    return new QueryState<>(
        s.data(),
        s.dataUpdatedAt(),
        s.dataUpdateCount(),
        s.error(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        s.fetchFailureCount(),
        s.fetchFailureReason(),
        s.fetchDirection(),
        true,
        s.status(),
        s.fetchStatus());
  }

  /** Initial data set on an existing query without data: success, no update counted. */
  static <T> QueryState<T> initialData(QueryState<T> s, T data, long dataUpdatedAt) {
    return new QueryState<>(
        Optional.of(data),
        dataUpdatedAt,
        s.dataUpdateCount(),
        Optional.empty(),
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        s.fetchFailureCount(),
        s.fetchFailureReason(),
        s.fetchDirection(),
        s.isInvalidated(),
        QueryStatus.SUCCESS,
        s.fetchStatus());
  }

  /** Hydration: the dehydrated data and counters, keeping the current fetch status. */
  static <T> QueryState<T> hydrated(
      QueryState<T> s, T data, long dataUpdatedAt, int dataUpdateCount, boolean invalidated) {
    return new QueryState<>(
        Optional.of(data),
        dataUpdatedAt,
        dataUpdateCount,
        Optional.empty(),
        0,
        0,
        0,
        Optional.empty(),
        s.fetchDirection(),
        invalidated,
        QueryStatus.SUCCESS,
        s.fetchStatus());
  }
}
