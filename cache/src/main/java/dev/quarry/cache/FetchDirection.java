package dev.quarry.cache;

/** The direction of an infinite query's page fetch. */
public enum FetchDirection {
  /** {@code fetchNextPage}: a page appended after the last one. */
  FORWARD,
  /** {@code fetchPreviousPage}: a page prepended before the first one. */
  BACKWARD
}
