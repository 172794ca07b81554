package dev.quarry.realtime;

/**
 * Answers a server event ({@code socket.emit("q", data, cb)} or {@code emitWithAck} on the server).
 * Every event listener that takes an {@code Ack} gets one, whether or not the server asked for an
 * acknowledgement: {@link #requested()} tells which.
 *
 * <p>Only the first {@link #send} counts; later calls do nothing. If the server did not ask, {@code
 * send} sends nothing. If the connection that carried the event is gone (a reconnect, {@link
 * RealtimeClient#disconnect()}, {@link RealtimeClient#close()}), the answer is dropped: the
 * server's callback will never run, as with any socket.io client. Thread-safe; {@code send} may be
 * called later and from any thread. Implemented by the client, not by applications.
 *
 * <pre>{@code
 * client.onArgs("confirm", (args, ack) -> {
 *   if (ack.requested()) {
 *     ack.send(Map.of("ok", true));
 *   }
 * });
 * }</pre>
 */
public interface Ack {
  /**
   * Whether the server asked for an acknowledgement of this event (its packet carried an ack id).
   * When false, {@link #send} does nothing.
   */
  boolean requested();

  /**
   * Sends the acknowledgement with these arguments (anything Jackson writes; {@code byte[]} as a
   * binary attachment), once, if the server asked for one and the connection is still the one the
   * event came on. Later calls, and calls when not requested, do nothing.
   *
   * @throws IllegalArgumentException if an argument cannot be written as JSON
   */
  void send(Object... args);
}
