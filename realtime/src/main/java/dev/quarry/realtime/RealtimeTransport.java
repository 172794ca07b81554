package dev.quarry.realtime;

/**
 * An Engine.IO transport the client may use, listed in {@link
 * RealtimeOptions.Builder#transports(RealtimeTransport...)} in the order to try them.
 *
 * <ul>
 *   <li>{@code transports(WEBSOCKET)} (the default): a WebSocket only, one TCP connection per
 *       session.
 *   <li>{@code transports(POLLING)}: HTTP long-polling only: a long {@code GET} receives, a {@code
 *       POST} sends. For servers started with {@code transports: ["polling"]} and networks where no
 *       WebSocket gets through.
 *   <li>{@code transports(POLLING, WEBSOCKET)}: as socket.io-client does by default: the session
 *       opens with polling and moves to a WebSocket once a probe over it succeeded; if the probe
 *       fails, it stays on polling. If the polling handshake itself fails, the attempt tries a
 *       WebSocket.
 *   <li>{@code transports(WEBSOCKET, POLLING)}: a WebSocket first; when its handshake fails (an
 *       upgrade refused by the server or by a proxy, any failure before the server's first packet),
 *       the same attempt falls back to polling, as socket.io-client's {@code tryAllTransports}.
 *       Every attempt starts with the WebSocket again.
 * </ul>
 *
 * <p>Everything above the transport behaves alike on all of them: heartbeats, acks, binary
 * attachments, connection state recovery, the send buffer and the incoming limits.
 */
public enum RealtimeTransport {
  /** A WebSocket ({@code transport=websocket}). */
  WEBSOCKET,

  /** HTTP long-polling ({@code transport=polling}). */
  POLLING
}
