package dev.quarry.realtime;

/**
 * A frame larger than the server's {@code maxPayload} (announced in the Engine.IO open packet) was
 * refused locally: sending it would make the server close the connection (WebSocket code 1009).
 *
 * <pre>{@code
 * client.emitWithAck("upload", Duration.ofSeconds(5), bytes).exceptionally(e -> {
 *   if (e instanceof PayloadTooLargeException p) log.warn("{} > {}", p.size(), p.maxPayload());
 *   return null;
 * });
 * }</pre>
 */
public final class PayloadTooLargeException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final String event;
  private final long size;
  private final long maxPayload;

  /** Creates the exception for a frame of {@code size} bytes of {@code event}. */
  public PayloadTooLargeException(String event, long size, long maxPayload) {
    super(
        "event '"
            + event
            + "' not sent: a frame of "
            + size
            + " bytes exceeds the server's maxPayload of "
            + maxPayload
            + " bytes");
    this.event = event;
    this.size = size;
    this.maxPayload = maxPayload;
  }

  /** The event that was refused. */
  public String event() {
    return event;
  }

  /** The size of the largest frame, in bytes. */
  public long size() {
    return size;
  }

  /** The server's limit, in bytes. */
  public long maxPayload() {
    return maxPayload;
  }
}
