package dev.quarry.optimistic;

/** When a mutation may run with respect to connectivity (spec 4.4). */
public enum NetworkMode {
  /** The default: offline, the mutation pauses before its function; retries pause offline. */
  ONLINE,
  /** Never paused by the network; retries still pause while the application is unfocused. */
  ALWAYS,
  /** The first attempt runs even offline; retries pause offline. */
  OFFLINE_FIRST
}
