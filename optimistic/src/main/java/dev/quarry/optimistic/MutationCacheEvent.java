package dev.quarry.optimistic;

import java.util.Objects;

/**
 * What happened in the mutation cache (TanStack Query's mutation cache events). Delivered in order
 * to each listener of {@link MutationClient#subscribe(java.util.function.Consumer)}, on the
 * callback executor.
 */
public sealed interface MutationCacheEvent {
  /** The mutation as it was when the event happened. */
  MutationInfo mutation();

  /**
   * A failed mutation's optimistic changes were removed from these queries (a rollback), just
   * before its {@link Action#ERROR} update; the other mutations' changes on them stay.
   *
   * @param keys the queries the mutation had changed, never empty
   */
  record RolledBack(MutationInfo mutation, java.util.List<dev.quarry.core.QueryKey> keys)
      implements MutationCacheEvent {
    /** Checks that no component is null and copies {@code keys}. */
    public RolledBack {
      Objects.requireNonNull(mutation, "mutation");
      keys = java.util.List.copyOf(keys);
    }
  }

  /** A state transition of a mutation. */
  enum Action {
    /** Submitted (again when onMutate produced a context). */
    PENDING,
    /** An attempt failed and will be retried. */
    FAILED,
    /** Paused: offline, unfocused, or waiting for its scope. */
    PAUSE,
    /** Left a pause. */
    CONTINUE,
    /** Succeeded. */
    SUCCESS,
    /** Failed. */
    ERROR
  }

  /** A mutation entered the cache. */
  record Added(MutationInfo mutation) implements MutationCacheEvent {
    /** Checks for null. */
    public Added {
      Objects.requireNonNull(mutation, "mutation");
    }
  }

  /** A mutation left the cache (gc or {@link MutationClient#clear()}). */
  record Removed(MutationInfo mutation) implements MutationCacheEvent {
    /** Checks for null. */
    public Removed {
      Objects.requireNonNull(mutation, "mutation");
    }
  }

  /** A mutation's state changed by {@code action}. */
  record Updated(MutationInfo mutation, Action action) implements MutationCacheEvent {
    /** Checks for null. */
    public Updated {
      Objects.requireNonNull(mutation, "mutation");
      Objects.requireNonNull(action, "action");
    }
  }
}
