package dev.quarry.realtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Subscription;
import dev.quarry.realtime.internal.RealRealtimeClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A Socket.IO v5 client (Engine.IO v4, WebSocket transport only) for one namespace of one server,
 * with typed events, acknowledgements, topic subscriptions that survive reconnects, reconnection
 * with backoff and socket.io connection state recovery.
 *
 * <p><b>Threads.</b> Every method is thread-safe and non-blocking. Listeners, ack futures'
 * completions and the error handler run on the callback executor, in the order the frames arrived,
 * in two lanes: events (bounded, see {@link RealtimeOptions.Builder#maxQueuedEvents(int, long)})
 * and control (connection events, ack completions, errors), so a stuck event listener does not
 * delay a connection event; never on the OkHttp reader thread and never while the client holds a
 * lock. A listener that throws is reported to the error handler; the others still receive. Pings
 * are answered on the reader thread at once, so a slow listener never delays a pong.
 *
 * <p><b>Lifecycle.</b> {@link #connect()} starts; the client reconnects on its own after a lost
 * transport or a ping timeout (not after a refusal or a server-side disconnect, unless configured).
 * Emits made while disconnected are buffered (bounded) and flushed in order on connect. {@link
 * #close()} is final: it cancels a pending reconnect, fails pending acks and stops every thread the
 * client started.
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

  /** The current state. */
  ConnectionState state();

  /**
   * Adds a listener for state changes. It receives the changes after this call, in order, on the
   * callback executor.
   */
  Subscription onConnectionEvent(Consumer<? super ConnectionEvent> listener);

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
   * Sends an event and asks for an acknowledgement, with the default ack timeout.
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
   * Listens to {@code event}, decoding its first argument into {@code type} (an event without
   * arguments decodes JSON null). A decoding error goes to the error handler.
   *
   * @throws IllegalArgumentException if the name is reserved
   */
  <T> Subscription on(String event, Class<T> type, EventListener<? super T> listener);

  /** Like {@link #on(String, Class, EventListener)} for generic types. */
  <T> Subscription on(String event, TypeReference<T> type, EventListener<? super T> listener);

  /** Listens to every argument of {@code event} (without the recovery offset). */
  Subscription onArgs(String event, Consumer<? super java.util.List<JsonNode>> listener);

  /** Listens to {@code event} and answers the server's ack request through the {@link Ack}. */
  <T> Subscription onAck(String event, Class<T> type, AckingListener<? super T> listener);

  /**
   * Listens to {@code event} and answers the server's ack request with the function's result (one
   * argument; a {@code null} result acks with no argument).
   */
  <T> Subscription onRequest(String event, Class<T> type, Function<? super T, ?> responder);

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
   * Closes the client: cancels a pending reconnect, fails pending acks with {@link
   * DisconnectedException}, disconnects, and stops every thread the client started. Idempotent.
   */
  @Override
  void close();
}
