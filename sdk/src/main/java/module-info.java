/** The facade {@code dev.quarry.Quarry}: cache, mutations, realtime and stores wired together. */
module dev.quarry.sdk {
  requires transitive dev.quarry.core;
  requires transitive dev.quarry.cache;
  requires transitive dev.quarry.realtime;
  requires transitive dev.quarry.optimistic;
  requires transitive dev.quarry.store;

  exports dev.quarry;
}
