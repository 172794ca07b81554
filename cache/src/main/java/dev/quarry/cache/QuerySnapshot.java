package dev.quarry.cache;

import dev.quarry.core.QueryKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A point-in-time view of one cached query, for filters' predicates and for inspectors.
 *
 * <pre>{@code
 * for (QuerySnapshot q : client.snapshot()) {
 *   System.out.println(q.key() + " " + q.state().status() + " observers=" + q.observerCount());
 * }
 * }</pre>
 *
 * @param key the query's key
 * @param state its state
 * @param observerCount how many observers it has
 * @param isActive whether at least one observer is enabled
 * @param isStale the query view of staleness
 * @param isInfinite whether it is an infinite query
 * @param gcDueAt when it is due to be collected, if a gc timer is running
 */
public record QuerySnapshot(
    QueryKey key,
    QueryState<?> state,
    int observerCount,
    boolean isActive,
    boolean isStale,
    boolean isInfinite,
    Optional<Instant> gcDueAt) {

  /** Checks that no component is null. */
  public QuerySnapshot {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(gcDueAt, "gcDueAt");
  }

  /** Shorthand for {@code state().status()}. */
  public QueryStatus status() {
    return state.status();
  }

  /** Shorthand for {@code state().fetchStatus()}. */
  public FetchStatus fetchStatus() {
    return state.fetchStatus();
  }

  /** Shorthand for {@code state().dataUpdatedAt()}. */
  public long dataUpdatedAt() {
    return state.dataUpdatedAt();
  }
}
