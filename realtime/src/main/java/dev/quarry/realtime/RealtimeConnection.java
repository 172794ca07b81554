package dev.quarry.realtime;

import dev.quarry.realtime.internal.RealRealtimeConnection;
import java.util.List;
import java.util.function.Supplier;

/**
 * One Engine.IO connection to a socket.io server shared by several namespaces, as
 * socket.io-client's {@code Manager} with its {@code io.socket(nsp)} sockets: each {@link
 * #namespace namespace handle} is a {@link RealtimeClient} with its own listeners, auth, topics,
 * send buffer, acks and recovery state, while the transport, the heartbeat, endpoint failover and
 * reconnection with backoff belong to the connection.
 *
 * <p><b>Lifecycle.</b> Nothing connects until a handle's {@link RealtimeClient#connect()}: the
 * first one opens the connection, each later one sends its namespace's CONNECT on it. After a lost
 * transport the connection reconnects (with the options' backoff) and every connected namespace
 * sends its CONNECT again with its own auth and its own recovery data, so each reports its own
 * {@link ConnectionEvent.Connected#recovered()} and the {@link TopicEvent.Gap}s of its own topics.
 * A namespace the server refuses ({@code connect_error}) or disconnects fails alone while others
 * keep the connection; with {@link RealtimeOptions.Builder#reconnectAfterConnectError} it sends its
 * CONNECT again after its own backoff. {@link RealtimeClient#disconnect()} of a handle leaves its
 * namespace only; the connection closes when no namespace is connecting, connected or reconnecting,
 * and opens again on the next {@code connect()}. Closing the last handle closes the connection for
 * good and stops every thread it started; {@link #close()} closes every handle.
 *
 * <p><b>Limits.</b> The send buffer ({@link RealtimeOptions#sendBufferSize()}) is per namespace;
 * the event lane ({@link RealtimeOptions#maxQueuedEvents()}) and the callback threads are shared by
 * the namespaces of a connection, so an overflow drops and recovers the connection for all of them.
 *
 * <p><b>Threads.</b> Thread-safe and non-blocking. Callbacks of every namespace run on the options'
 * callback executor (or the connection's own two threads), never on the reader thread and never
 * under a lock, as described for {@link RealtimeClient}.
 *
 * <p><b>Options.</b> Everything comes from the {@link RealtimeOptions} the connection was created
 * with; their {@link RealtimeOptions#auth()} is the auth of a handle made without one, and their
 * {@link RealtimeOptions#namespace()} is not used (each handle names its own).
 *
 * <pre>{@code
 * try (RealtimeConnection io = RealtimeConnection.create(RealtimeOptions.builder(uri).build())) {
 *   RealtimeClient main = io.namespace("/");
 *   RealtimeClient ops = io.namespace("/ops", () -> Map.of("token", opsToken));
 *   main.on("notification", Notice.class, n -> show(n));
 *   ops.subscribe(Topic.of("job", "jobId", "j1")).on("progress", Progress.class, p -> bar(p));
 *   main.connect();
 *   ops.connect(); // same WebSocket
 * }
 * }</pre>
 *
 * <p><b>After {@code close()}</b>: {@code close()} again does nothing, {@link #namespace} throws
 * {@link IllegalStateException}, and every handle is closed (see {@link RealtimeClient#close()}).
 */
public interface RealtimeConnection extends AutoCloseable {

  /** Creates a connection; nothing connects until a namespace handle does. */
  static RealtimeConnection create(RealtimeOptions options) {
    return new RealRealtimeConnection(options);
  }

  /**
   * The handle of {@code namespace}: the open one if there is one, else a new one whose CONNECT
   * carries the options' {@link RealtimeOptions#auth()}. A new handle is disconnected until its
   * {@link RealtimeClient#connect()}.
   *
   * @param namespace starts with {@code /} and contains no {@code ,}
   * @throws IllegalArgumentException if {@code namespace} is not a valid name
   * @throws IllegalStateException if the connection is closed
   */
  RealtimeClient namespace(String namespace);

  /**
   * A new handle of {@code namespace} whose every CONNECT carries the JSON object {@code auth}
   * supplies (called outside any lock on each connect and reconnect, as {@link
   * RealtimeOptions.Builder#auth}).
   *
   * @throws IllegalArgumentException if {@code namespace} is not a valid name
   * @throws IllegalStateException if the connection is closed or {@code namespace} already has an
   *     open handle
   */
  RealtimeClient namespace(String namespace, Supplier<?> auth);

  /** The open handles, in the order they were made. Thread-safe; empty after {@link #close()}. */
  List<RealtimeClient> namespaces();

  /** Whether the Engine.IO connection is open now (its handshake done). Thread-safe. */
  boolean isOpen();

  /**
   * Closes every handle (failing their pending acks, as {@link RealtimeClient#close()}), closes the
   * connection and stops the threads it started. Idempotent; returns once they are stopped.
   */
  @Override
  void close();
}
