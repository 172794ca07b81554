package dev.quarry.cache;

/** Whether a query has data, or whether its last attempt failed. */
public enum QueryStatus {
  /** No data yet and no error: the first fetch has not completed. */
  PENDING,
  /** The last fetch failed; data from an earlier success may still be there. */
  ERROR,
  /** The query has data. */
  SUCCESS
}
