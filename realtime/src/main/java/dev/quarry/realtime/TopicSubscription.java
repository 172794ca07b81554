package dev.quarry.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Registration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A handle on a topic subscription, from {@link RealtimeClient#subscribe(Topic)}.
 *
 * <p>The client keeps the topic in its active set while at least one handle for an equal topic is
 * open: it sends the subscribe event when connected and again after every reconnect that was not
 * recovered, and again after an ack timeout (see {@link #confirmed()}). {@link #close()} of the
 * last handle sends the unsubscribe event. Idempotent; thread-safe; listeners run on the client's
 * callback executor, in order.
 *
 * <pre>{@code
 * try (TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", "e1"))) {
 *   sub.on("agent-event", AgentEvent.class, ev -> show(ev));
 *   sub.listen(e -> { if (e instanceof TopicEvent.Gap) refetch(); });
 *   sub.confirmed().get(5, TimeUnit.SECONDS);
 * }
 * }</pre>
 */
public interface TopicSubscription extends Registration {
  /** The topic. */
  Topic topic();

  /**
   * Completes with the first argument of the first successful ack of the topic's subscribe event
   * (JSON null if acks are off or the ack has no argument). Shared by every handle of an equal
   * topic; completed on the client's callback executor.
   *
   * <p>An ack timeout does not fail it: while the connection lasts and a handle is open, the client
   * sends the subscribe again after the reconnect backoff (growing with each timeout in a row), and
   * after a lost connection it sends it again once reconnected (also after a recovered reconnect,
   * since the server may never have seen it). It fails only with
   *
   * <ul>
   *   <li>{@link TopicRefusedException} if the server answers with {@code {"ok": false, ...}}
   *       (carrying the server's error); the topic is then not sent again;
   *   <li>{@link DisconnectedException} if the client is closed first;
   *   <li>{@link java.util.concurrent.CancellationException} if every handle of the topic is closed
   *       first;
   *   <li>{@link PayloadTooLargeException} if the subscribe is larger than the server's maxPayload.
   * </ul>
   *
   * <p>Never null; a future that is completed once, whatever happens on later reconnects. Use
   * {@link RealtimeOptions.Builder#ackTimeout} to bound each wait and a timeout on the returned
   * future (e.g. {@code orTimeout}) to bound the whole.
   */
  CompletableFuture<JsonNode> confirmed();

  /** Adds a listener for every {@link TopicEvent} of this topic (messages and gaps). */
  Registration listen(Consumer<? super TopicEvent> listener);

  /**
   * Adds a listener for {@code event} routed to this topic, decoding its first argument into {@code
   * type}. A decoding error goes to the error handler.
   */
  <T> Registration on(String event, Class<T> type, EventListener<? super T> listener);

  /** Ends this handle; the last open handle of the topic unsubscribes. Idempotent. */
  @Override
  void close();
}
