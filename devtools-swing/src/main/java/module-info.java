/**
 * A Swing devtools panel for a {@code Quarry}: queries, mutations, the realtime connection, stores
 * and the outbox, live.
 */
module dev.quarry.devtools.swing {
  requires transitive dev.quarry.sdk;
  requires transitive java.desktop;

  exports dev.quarry.devtools.swing;
}
