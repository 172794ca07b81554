package dev.quarry.cache;

/**
 * Whether an observer refetches on mount, on reconnect or on focus: TanStack's {@code false},
 * {@code true} and {@code 'always'}.
 */
public enum RefetchMode {
  /** Never refetch on this trigger ({@code false}). */
  NEVER,
  /** Refetch if the data is stale ({@code true}, the default). */
  IF_STALE,
  /**
   * Refetch even if the data is fresh ({@code 'always'}); a {@code static} staleTime still wins.
   */
  ALWAYS
}
