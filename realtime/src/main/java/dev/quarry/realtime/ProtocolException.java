package dev.quarry.realtime;

/**
 * A frame from the server that does not follow the Engine.IO v4 / Socket.IO v5 protocol, or that
 * the client refuses to trust: an unknown packet type, invalid JSON, an event that is not a
 * non-empty array, an unexpected binary frame, an ack id or attachment count with other than ASCII
 * digits, more attachments than {@link RealtimeOptions#maxIncomingAttachments()}, a namespace
 * longer than 256 or an event name longer than 1,024 chars, an open packet whose {@code
 * pingInterval} or {@code pingTimeout} is not between 1 ms and 10 minutes, a compressed WebSocket
 * frame while {@link RealtimeOptions#compression()} is off.
 *
 * <p>The client reports it to the {@link dev.quarry.core.ErrorHandler}, closes the transport and
 * reconnects; no thread dies. The message quotes the start of the offending frame.
 *
 * <pre>{@code
 * RealtimeOptions.builder(uri).errorHandler((context, e) -> {
 *   if (e instanceof ProtocolException) metrics.increment("realtime.malformed");
 * });
 * }</pre>
 */
public final class ProtocolException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception describing the malformed frame. */
  public ProtocolException(String message) {
    super(message);
  }

  /** Creates an exception describing the malformed frame, with the parser's error. */
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }
}
