/** Micrometer meters for a {@code Quarry}. */
module dev.quarry.micrometer {
  requires transitive dev.quarry.sdk;
  requires transitive micrometer.core;

  exports dev.quarry.micrometer;
}
