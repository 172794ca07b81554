package dev.quarry.cache;

/**
 * What a {@link StreamedQuery} does with the data it already has when it fetches again: TanStack's
 * {@code refetchMode} of {@code streamedQuery}. A first fetch (a query that never settled a fetch,
 * with data or an error) always streams onto the initial value.
 */
public enum StreamRefetchMode {
  /**
   * Erase: the query goes back to its reset state ({@code pending} with no data and no error, or
   * its initial data if its options have some) and streams as on the first fetch. The default.
   */
  RESET,
  /** Keep the data and fold the new chunks onto it as they arrive. */
  APPEND,
  /**
   * Keep showing the old data while the new chunks are folded aside; write the whole result once,
   * when the stream ends. A cancelled or failed stream writes nothing.
   */
  REPLACE
}
