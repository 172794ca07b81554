/**
 * A real Redis server for tests: {@link dev.quarry.testing.redis.RedisTestServer} starts {@code
 * redis-server} as a child process on the loopback interface and a free port, with nothing saved to
 * disk. Two {@link dev.quarry.testing.socketio.SocketIoTestServer}s given the same Redis form a
 * cluster (socket.io's Redis adapter), for scale-out and failover tests.
 *
 * <p>Needs {@code redis-server} on the {@code PATH}: the Maven build of module {@code testing}
 * installs Debian's package when it can ({@code -Dquarry.skipRedis=true} skips that, and the tests
 * that need Redis).
 */
@NullMarked
package dev.quarry.testing.redis;

import org.jspecify.annotations.NullMarked;
