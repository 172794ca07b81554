package dev.quarry.optimistic;

/** Where a mutation is in its life (TanStack's {@code status}). */
public enum MutationStatus {
  /**
   * Not started (a {@link MutationObserver} handle before its first {@code mutate} or after reset).
   */
  IDLE,
  /** Submitted and not settled: running, paused offline, or waiting for its scope. */
  PENDING,
  /** The mutation function succeeded and every success callback ran. */
  SUCCESS,
  /** The mutation failed (its function, or one of its callbacks). */
  ERROR
}
