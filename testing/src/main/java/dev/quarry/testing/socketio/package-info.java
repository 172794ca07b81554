/**
 * A real socket.io 4.8.4 server for tests: {@link dev.quarry.testing.socketio.SocketIoTestServer}
 * starts the Node project in {@code testing/socketio-server/} as a child process on the loopback
 * interface and drives it through a small HTTP control API (emit to a room, kick, drop the
 * transport, refuse handshakes, read the server's view in {@link
 * dev.quarry.testing.socketio.ServerState}), and can restart (SIGKILL plus a new process on the
 * same port), kill (SIGKILL, down until restarted), pause (SIGSTOP) and resume it. Several servers
 * given the same Redis ({@link dev.quarry.testing.redis.RedisTestServer}) form a cluster through
 * socket.io's Redis adapter.
 *
 * <p>Needs {@code node} (20 or later) on the {@code PATH} and the project's {@code node_modules},
 * which the Maven build of module {@code testing} installs with {@code npm ci}.
 */
@NullMarked
package dev.quarry.testing.socketio;

import org.jspecify.annotations.NullMarked;
