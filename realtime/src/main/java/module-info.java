/** The Socket.IO v5 (Engine.IO v4) realtime client: {@code RealtimeClient}, topics, acks. */
module dev.quarry.realtime {
  requires transitive dev.quarry.core;
  requires org.slf4j;

  exports dev.quarry.realtime;
}
