/**
 * Test support for applications and Quarry's own tests: virtual time, recorders, the socket.io test
 * server, fault injection and a Redis-backed pair of servers.
 */
module dev.quarry.testing {
  requires transitive dev.quarry.core;

  exports dev.quarry.testing;
  exports dev.quarry.testing.socketio;
  exports dev.quarry.testing.fault;
  exports dev.quarry.testing.redis;
}
