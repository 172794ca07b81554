package dev.quarry.realtime;

/**
 * An acknowledgement that can no longer arrive because the connection it was sent on ended (the
 * transport closed, the server disconnected the client, or the client was closed), or an emit made
 * while the client is closed or cannot buffer.
 *
 * <pre>{@code
 * client.emitWithAck("save", Duration.ofSeconds(5), doc).exceptionally(e -> {
 *   if (e instanceof DisconnectedException d) log.info("not saved: {}", d.reason());
 *   return null;
 * });
 * }</pre>
 */
public final class DisconnectedException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final String event;
  private final String reason;

  /** Creates the exception for {@code event}, naming why the connection ended. */
  public DisconnectedException(String event, String reason) {
    super("event '" + event + "' was not acknowledged: " + reason);
    this.event = event;
    this.reason = reason;
  }

  /** The event whose acknowledgement was pending. */
  public String event() {
    return event;
  }

  /** Why the connection ended, for example {@code "transport close"} or {@code "client closed"}. */
  public String reason() {
    return reason;
  }
}
