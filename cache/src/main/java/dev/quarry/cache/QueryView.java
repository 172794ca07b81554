package dev.quarry.cache;

import dev.quarry.core.QueryKey;

/**
 * What an option computed from the query sees (TanStack passes the {@code Query} to a {@code
 * staleTime} or {@code enabled} function): its key and its current state.
 *
 * <pre>{@code
 * QueryOptions.builder(key, fn)
 *     .staleTime(q -> q.state().isInvalidated() ? Duration.ZERO : Duration.ofMinutes(5))
 *     .enabled(q -> q.state().errorUpdateCount() < 3)
 *     .build();
 * }</pre>
 *
 * <p>A live view, not a copy: {@link #state()} returns the state at the moment of the call. The
 * functions that receive it are called often (each time a result is computed, staleness is checked
 * or a refetch trigger fires), on whatever thread does that, never under a Quarry lock; they should
 * be fast and free of side effects. Never null.
 */
public interface QueryView {
  /** The query's key. */
  QueryKey key();

  /** The query's current state. */
  QueryState<?> state();
}
