package dev.quarry.cache;

/** When a fetch may run with respect to {@link dev.quarry.core.Connectivity}. */
public enum NetworkMode {
  /** Fetches and retries run only while online; offline they pause (the default). */
  ONLINE,
  /** Fetches run regardless of connectivity; retries still pause while unfocused. */
  ALWAYS,
  /** The first attempt runs even offline; retries pause until online. */
  OFFLINE_FIRST
}
