package dev.quarry.cache.internal;

import dev.quarry.cache.QuerySnapshot;
import dev.quarry.cache.QueryState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How bulk operations and filters see a query (spec 2.3, 2.4): active, disabled, static, the query
 * view of staleness, and snapshots. Computed from the query's observers and state; no lock is held
 * across observers.
 */
final class QueryViews {
  private QueryViews() {}

  /** Active: at least one enabled observer (spec 2.4). */
  static boolean isActive(Query<?> q) {
    for (QueryObserverImpl<?, ?> o : q.observers()) {
      if (o.isEnabled()) {
        return true;
      }
    }
    return false;
  }

  /** Disabled, as {@code refetchQueries} skips (spec 2.4). */
  static boolean isDisabled(Query<?> q) {
    if (!q.observers().isEmpty()) {
      return !isActive(q);
    }
    QueryState<?> s = q.state();
    return !q.hasFunction() || s.dataUpdateCount() + s.errorUpdateCount() == 0;
  }

  /** Static: an observer has staleTime {@code static} (spec 2.4). */
  static boolean isStatic(Query<?> q) {
    for (QueryObserverImpl<?, ?> o : q.observers()) {
      if (o.isStatic()) {
        return true;
      }
    }
    return false;
  }

  /** The query view of staleness used by filters (spec 2.3). */
  static <T> boolean isStale(Query<T> q) {
    List<QueryObserverImpl<T, ?>> obs = q.observers();
    QueryState<T> s = q.state();
    if (obs.isEmpty()) {
      return s.data().isEmpty() || s.isInvalidated();
    }
    long now = q.client().clock().currentTimeMillis();
    for (QueryObserverImpl<T, ?> o : obs) {
      if (o.isStale(s, now)) {
        return true;
      }
    }
    return false;
  }

  static QuerySnapshot snapshot(Query<?> q) {
    long due = q.gcDueAt();
    return new QuerySnapshot(
        q.key,
        q.state(),
        q.observerCount(),
        isActive(q),
        isStale(q),
        q.infinite,
        due < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(due)));
  }
}
