package dev.quarry.realtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Registration;
import dev.quarry.realtime.internal.RealRealtimeClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A Socket.IO v5 client (Engine.IO v4 over WebSocket, HTTP long-polling or polling upgraded to
 * WebSocket; see {@link RealtimeOptions.Builder#transports}) for one namespace of one server, with
 * typed events, acknowledgements, topic subscriptions that survive reconnects, reconnection with
 * backoff and socket.io connection state recovery.
 *
 * <p><b>Threads.</b> Every method is thread-safe and non-blocking. Listeners, functions chained
 * onto ack futures and the error handler run on the callback executor, in the order the frames
 * arrived, in two lanes: events (bounded, see {@link RealtimeOptions.Builder#maxQueuedEvents(int,
 * long)}) and control (connection events, ack outcomes, errors), so a stuck event listener does not
 * delay a connection event. An ack future is completed by the thread that decoded the ack (or saw
 * it time out or fail), once the client has released its lock, so a thread waiting in {@code get}
 * or {@code join} wakes at once; every function chained onto it, with {@code thenApply}, {@code
 * whenComplete} and the other non-async methods too, still runs on the control lane, even when
 * chained after the future completed. User code never runs on the OkHttp reader thread (unless the
 * callback executor is a direct one) and never while the client holds a lock. A listener that
 * throws is reported to the error handler; the others still receive. Pings are answered on the
 * reader thread at once, so a slow listener never delays a pong.
 *
 * <p><b>Lifecycle.</b> {@link #connect()} starts; the client reconnects on its own after a lost
 * transport or a ping timeout (not after a refusal or a server-side disconnect, unless configured).
 * Emits made while disconnected are buffered (bounded) and flushed in order on connect. {@link
 * #disconnect()} leaves the server and stops reconnecting but keeps listeners, topics and threads,
 * so {@link #connect()} can start again. {@link #close()} is final: it cancels a pending reconnect,
 * fails pending acks and stops every thread the client started.
 *
 * <p><b>Errors.</b> Bad arguments (a reserved event name) throw {@link IllegalArgumentException};
 * run-time failures are {@link RealtimeException}s, thrown by {@code emit} or completing the
 * futures of {@code emitWithAck}.
 *
 * <pre>{@code
 * try (RealtimeClient client = RealtimeClient.create(RealtimeOptions.builder(uri)
 *     .auth(() -> Map.of("token", token)).build())) {
 *   client.onConnectionEvent(e -> log.info("{}", e));
 *   client.on("agent-complete", Completion.class, c -> done(c));
 *   TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", "e1"));
 *   sub.on("agent-event", AgentEvent.class, ev -> show(ev));
 *   client.connect();
 *   JsonNode reply = client.emitWithAck("echo", Duration.ofSeconds(2), "hi").get();
 * }
 * }</pre>
 *
 * <p><b>After {@code close()}</b>, as for every Quarry client: {@code close()} again does nothing;
 * a call that starts new work throws {@link IllegalStateException} saying the client is closed;
 * work in flight when it closed completes exceptionally, never stays pending; what can still be
 * read answers from what is left.
 */
public interface RealtimeClient extends AutoCloseable {

  /** Creates a client; nothing connects until {@link #connect()}. */
  static RealtimeClient create(RealtimeOptions options) {
    return new RealRealtimeClient(options);
  }

  /**
   * Starts connecting. Does nothing while connecting, connected or reconnecting; after {@link
   * ConnectionState#DISCONNECTED} starts again with a fresh backoff.
   *
   * @throws IllegalStateException if the client is closed
   */
  void connect();

  /**
   * Leaves the server, as socket.io-client's {@code socket.disconnect()}: sends the namespace's
   * DISCONNECT packet if connected, closes the connection, cancels a pending reconnect, fails the
   * acks of events already sent with {@link DisconnectedException} (reason {@code "io client
   * disconnect"}) and enters {@link ConnectionState#DISCONNECTED} with a {@link
   * ConnectionEvent.Disconnected} whose reason is {@link DisconnectReason#IO_CLIENT_DISCONNECT}.
   * The client does not reconnect on its own.
   *
   * <p>Listeners, topic subscriptions and buffered emits stay. A later {@link #connect()} opens a
   * new session (the left one is not recovered), subscribes every topic again and reports a {@link
   * TopicEvent.Gap} to each topic that had been subscribed on the server.
   *
   * <p>Thread-safe and non-blocking. Does nothing while disconnected or after {@link #close()}.
   */
  void disconnect();

  /** The current state. */
  ConnectionState state();

  /**
   * The Socket.IO id of the current session (the {@code sid} of the server's CONNECT reply), or
   * {@code null} while the namespace is not connected. Thread-safe.
   */
  @Nullable String id();

  /**
   * Whether the namespace is connected now, so that an emit is written at once rather than
   * buffered. Thread-safe.
   */
  boolean isConnected();

  /**
   * Whether the current session was restored by the server's connection state recovery (same id,
   * same rooms, missed events replayed); false while not connected. Thread-safe.
   */
  boolean recovered();

  /**
   * Adds a listener for state changes. It receives the changes after this call, in order, on the
   * callback executor.
   */
  Registration onConnectionEvent(Consumer<? super ConnectionEvent> listener);

  /**
   * Sends an event. Arguments are written by Jackson; {@code byte[]} (anywhere in them) travel as
   * binary attachments. While not connected the event is buffered.
   *
   * @throws IllegalArgumentException if the name is reserved or an argument cannot be written
   * @throws SendBufferFullException if not connected and the send buffer is full or disabled
   * @throws PayloadTooLargeException if a frame would exceed the server's maxPayload
   * @throws IllegalStateException if the client is closed
   */
  void emit(String event, Object... args);

  /**
   * Sends an event only if the namespace is connected now; otherwise drops it, never buffers it
   * (socket.io's {@code socket.volatile.emit}). For values that are stale by the time a connection
   * is back, such as cursor positions. Thread-safe, non-blocking. Never goes through the
   * at-least-once queue.
   *
   * @return true if the event was written on the connection, false if it was dropped
   * @throws IllegalArgumentException if the name is reserved or an argument cannot be written
   * @throws PayloadTooLargeException if the frame would exceed the server's maxPayload
   * @throws IllegalStateException if the client is closed
   */
  boolean emitVolatile(String event, Object... args);

  /**
   * Sends an event and asks for an acknowledgement, with the configured {@link
   * RealtimeOptions#ackTimeout()}. With {@link RealtimeOptions.Builder#retries(int)} set, the event
   * is sent at least once: queued behind earlier at-least-once emits, sent again after each ack
   * timeout up to {@code retries} more times, and the future fails with the last {@link
   * AckTimeoutException} only when every try timed out.
   *
   * @see #emitWithAck(String, Duration, Object...)
   */
  CompletableFuture<ArrayNode> emitWithAck(String event, Object... args);

  /**
   * Sends an event and asks for an acknowledgement. The future completes with the ack's arguments
   * (byte arrays as binary nodes), or fails with {@link AckTimeoutException} after {@code timeout},
   * {@link DisconnectedException} if the connection ends first, {@link SendBufferFullException} or
   * {@link PayloadTooLargeException}. An ack that arrives after the timeout is ignored.
   *
   * @throws IllegalArgumentException if the name is reserved or an argument cannot be written
   */
  CompletableFuture<ArrayNode> emitWithAck(String event, Duration timeout, Object... args);

  /**
   * Like {@link #emitWithAck(String, Duration, Object...)}, decoding the ack's first argument into
   * {@code type} (a decoding error fails the future).
   */
  <T> CompletableFuture<T> emitWithAck(
      String event, Class<T> type, Duration timeout, Object... args);

  /**
   * Like {@link #emitWithAck(String, Object...)} (the configured {@link
   * RealtimeOptions#ackTimeout()}, and at-least-once when {@link RealtimeOptions#retries()} is
   * set), decoding the ack's first argument into {@code type} (JSON null if the ack has no
   * argument). The future fails as {@link #emitWithAck(String, Duration, Object...)}'s does, or
   * with an {@link IllegalArgumentException} if the ack cannot be decoded. Thread-safe,
   * non-blocking.
   *
   * @throws IllegalArgumentException if the name is reserved or an argument cannot be written
   */
  <T> CompletableFuture<T> emitWithAck(String event, Class<T> type, Object... args);

  /**
   * Like {@link #emitWithAck(String, Class, Object...)} for generic types, e.g. {@code new
   * TypeReference<List<Episode>>() {}}.
   *
   * @throws IllegalArgumentException if the name is reserved or an argument cannot be written
   */
  <T> CompletableFuture<T> emitWithAck(String event, TypeReference<T> type, Object... args);

  /**
   * Like {@link #emitWithAck(String, Class, Duration, Object...)} for generic types.
   *
   * @throws IllegalArgumentException if the name is reserved, the timeout is not positive or an
   *     argument cannot be written
   */
  <T> CompletableFuture<T> emitWithAck(
      String event, TypeReference<T> type, Duration timeout, Object... args);

  /**
   * Listens to {@code event}, decoding its first argument into {@code type} (an event without
   * arguments decodes JSON null). A decoding error goes to the error handler.
   *
   * @throws IllegalArgumentException if the name is reserved
   */
  <T> Registration on(String event, Class<T> type, EventListener<? super T> listener);

  /** Like {@link #on(String, Class, EventListener)} for generic types. */
  <T> Registration on(String event, TypeReference<T> type, EventListener<? super T> listener);

  /** Listens to every argument of {@code event} (without the recovery offset). */
  Registration onArgs(String event, Consumer<? super java.util.List<JsonNode>> listener);

  /**
   * Listens to every argument of {@code event} (without the recovery offset; binary attachments as
   * binary nodes) with the {@link Ack} to answer it: {@link Ack#requested()} says whether the
   * server asked for an acknowledgement. The listener runs on the callback executor; an exception
   * goes to the error handler. The returned handle's {@code close()} stops delivery at once and is
   * idempotent.
   *
   * @throws IllegalArgumentException if the name is reserved
   */
  Registration onArgs(String event, ArgsListener listener);

  /**
   * Listens to every event from the server, with its name and arguments, before the event's own
   * listeners (socket.io's {@code socket.onAny}). Not called for acknowledgements, nor for the
   * reserved connection events. Runs on the callback executor, in arrival order. Closing the
   * returned handle removes the listener at once (socket.io's {@code offAny}); idempotent.
   */
  Registration onAny(AnyListener listener);

  /**
   * Listens to every event this client writes on the connection, when it is written (an emit
   * buffered while disconnected is reported when it is flushed; a dropped volatile emit is not
   * reported), topic subscribe and unsubscribe events included, acknowledgements excluded
   * (socket.io's {@code socket.onAnyOutgoing}). Runs on the callback executor's control lane.
   * Closing the returned handle removes the listener at once; idempotent.
   */
  Registration onAnyOutgoing(AnyListener listener);

  /** Listens to {@code event} and answers the server's ack request through the {@link Ack}. */
  <T> Registration onAck(String event, Class<T> type, AckingListener<? super T> listener);

  /**
   * Listens to {@code event} and answers the server's ack request with the function's result (one
   * argument; a {@code null} result acks with no argument).
   */
  <T> Registration onRequest(String event, Class<T> type, Function<? super T, ?> responder);

  /**
   * Subscribes to a topic: sends the subscribe event with the topic's params now (if connected),
   * after every reconnect that was not recovered and after an ack timeout, until the server
   * confirms or refuses it, and until the last handle for an equal topic closes (see {@link
   * TopicSubscription#confirmed()}).
   */
  TopicSubscription subscribe(Topic topic);

  /**
   * The topics subscribed now: each topic with at least one open handle, once, in the order they
   * were first subscribed (a topic whose handles all closed and that was subscribed again counts
   * from the new subscription), with where its confirmation stands and how many handles share it.
   *
   * <p>A snapshot taken atomically under the client's lock: an immutable list, never null, that
   * does not change afterwards. Empty before any subscription and after {@link #close()}. Cheap
   * enough for inspectors and health checks; listen to {@link TopicSubscription#confirmed()} to
   * react to changes.
   */
  java.util.List<TopicStatus> topics();

  /**
   * Counters of incoming events (received, dropped because the callback queue was full) and the
   * callback queue's depth now, for monitoring. Thread-safe and non-blocking; never null; after
   * {@link #close()} the counters keep their last values.
   */
  RealtimeStats stats();

  /**
   * Closes the client: cancels a pending reconnect, fails pending acks with {@link
   * DisconnectedException}, disconnects, and stops every thread the client started. Idempotent.
   */
  @Override
  void close();
}
