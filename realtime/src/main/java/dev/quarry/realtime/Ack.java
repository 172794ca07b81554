package dev.quarry.realtime;

/**
 * Answers a server event that asked for an acknowledgement ({@code socket.emit("q", data, cb)} or
 * {@code emitWithAck} on the server). Only the first {@link #send} counts; later calls do nothing.
 * If the connection that carried the event is gone, the answer is dropped (the server's callback
 * will never run, as with any socket.io client). Thread-safe.
 *
 * <pre>{@code
 * client.onAck("confirm", Question.class, (q, ack) -> ack.send(Map.of("ok", true)));
 * }</pre>
 */
@FunctionalInterface
public interface Ack {
  /** Sends the acknowledgement with these arguments (anything Jackson writes; byte[] as binary). */
  void send(Object... args);
}
