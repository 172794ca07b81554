package dev.quarry.cache;

/** Whether a query's function is running. */
public enum FetchStatus {
  /** The query function is running, or a retry is waiting for its delay. */
  FETCHING,
  /** A fetch wants to run but waits for connectivity (offline, or unfocused between retries). */
  PAUSED,
  /** No fetch is in progress. */
  IDLE
}
