/** Client-state stores with selectors and optional persistence. */
module dev.quarry.store {
  requires transitive dev.quarry.core;

  exports dev.quarry.store;
}
