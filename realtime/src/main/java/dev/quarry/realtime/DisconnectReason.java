package dev.quarry.realtime;

/**
 * Why a connection ended, as reported by {@link ConnectionEvent.Reconnecting#reason()} and {@link
 * ConnectionEvent.Disconnected#reason()}. The first six are socket.io-client's disconnect reasons,
 * with the same meaning; {@link #CONNECT_ERROR} and {@link #DELIVERY_OVERFLOW} are this client's
 * own (socket.io-client reports the first as a {@code connect_error} event and has no bounded event
 * lane). {@link #text()} gives socket.io's spelling.
 *
 * <pre>{@code
 * client.onConnectionEvent(e -> {
 *   if (e instanceof ConnectionEvent.Reconnecting r && r.reason() == DisconnectReason.PING_TIMEOUT) {
 *     log.warn("server went silent: {}", r.detail());
 *   }
 * });
 * }</pre>
 */
public enum DisconnectReason {
  /** The server disconnected the client ({@code socket.disconnect()} on the server). */
  IO_SERVER_DISCONNECT("io server disconnect"),
  /**
   * The application called {@link RealtimeClient#disconnect()} or {@link RealtimeClient#close()}.
   */
  IO_CLIENT_DISCONNECT("io client disconnect"),
  /** The server sent no ping within its ping interval plus ping timeout. */
  PING_TIMEOUT("ping timeout"),
  /** The connection was closed (by the server, a proxy or the network) without an error. */
  TRANSPORT_CLOSE("transport close"),
  /** The connection failed with an I/O error. */
  TRANSPORT_ERROR("transport error"),
  /** The server sent something that is not valid Engine.IO or Socket.IO, or over a size limit. */
  PARSE_ERROR("parse error"),
  /**
   * A connection attempt failed before its namespace connected: the transport could not open, the
   * server refused the namespace, no CONNECT reply came in time, or the auth supplier failed.
   */
  CONNECT_ERROR("connect error"),
  /**
   * This client dropped the connection because its listeners fell behind the bounded event lane
   * (see {@link RealtimeOptions.Builder#maxQueuedEvents(int, long)}).
   */
  DELIVERY_OVERFLOW("delivery overflow");

  private final String text;

  DisconnectReason(String text) {
    this.text = text;
  }

  /** The reason as socket.io spells it, for example {@code "ping timeout"}; never null. */
  public String text() {
    return text;
  }
}
