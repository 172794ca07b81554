package dev.quarry.realtime;

/**
 * A frame from the server that does not follow the Engine.IO v4 / Socket.IO v5 protocol: an unknown
 * packet type, invalid JSON, an event that is not a non-empty array, an unexpected binary frame.
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
