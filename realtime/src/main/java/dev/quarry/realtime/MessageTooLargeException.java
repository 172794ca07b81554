package dev.quarry.realtime;

/**
 * A message from the server was larger than {@link RealtimeOptions#maxIncomingMessageBytes()}. The
 * client did not decode it: it closed the connection, reported this exception to the {@link
 * dev.quarry.core.ErrorHandler}, made it the cause of the {@link ConnectionEvent.Reconnecting}
 * event, and reconnects after the backoff. The message is lost; with connection state recovery the
 * server replays it on the next connection (and the client refuses it again), so a server that
 * keeps sending it needs fixing or a larger limit.
 *
 * <pre>{@code
 * client.onConnectionEvent(e -> {
 *   if (e instanceof ConnectionEvent.Reconnecting r
 *       && r.cause().orElse(null) instanceof MessageTooLargeException m) {
 *     log.warn("server sent {} bytes, limit {}", m.size(), m.limit());
 *   }
 * });
 * }</pre>
 */
public final class MessageTooLargeException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  /**
   * Creates the exception for a message of at least {@code size} bytes.
   *
   * @param what the kind of message, e.g. {@code "text frame"}
   */
  public MessageTooLargeException(String what, long size, long limit) {
    super(
        "a "
            + what
            + " of "
            + size
            + " bytes from the server exceeds maxIncomingMessageBytes of "
            + limit
            + " bytes: not decoded, connection closed");
    this.size = size;
    this.limit = limit;
  }

  /** The size of the message in bytes, as far as it was counted (at least {@code limit + 1}). */
  public long size() {
    return size;
  }

  /** The configured limit, {@link RealtimeOptions#maxIncomingMessageBytes()}. */
  public long limit() {
    return limit;
  }
}
