package dev.quarry.realtime;

/**
 * Receives an event's first argument and an {@link Ack} to answer it with. For events that the
 * server sent without asking for an ack, {@link Ack#requested()} is false and {@code ack.send} does
 * nothing.
 *
 * <pre>{@code
 * client.onAck("approve", Request.class, (req, ack) -> ack.send(decide(req)));
 * }</pre>
 */
@FunctionalInterface
public interface AckingListener<T> {
  /** Handles one event; call {@code ack.send(...)} (now or later, from any thread) to answer. */
  void onEvent(T payload, Ack ack);
}
