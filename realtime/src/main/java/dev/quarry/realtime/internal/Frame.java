package dev.quarry.realtime.internal;

import java.time.Duration;

/** What one WebSocket frame from the server decodes to. */
public sealed interface Frame {

  /**
   * The Engine.IO open packet.
   *
   * @param maxPayload the largest frame the server accepts, {@link Long#MAX_VALUE} if not announced
   */
  record Open(String sid, Duration pingInterval, Duration pingTimeout, long maxPayload)
      implements Frame {}

  /** Engine.IO close. */
  record Close() implements Frame {}

  /** Engine.IO ping (answer with a pong at once). */
  record Ping() implements Frame {}

  /** Engine.IO pong (unexpected from a v4 server, ignored). */
  record Pong() implements Frame {}

  /** Engine.IO noop. */
  record Noop() implements Frame {}

  /** A complete Socket.IO packet. */
  record Message(Packet packet) implements Frame {}

  /** A binary packet header or attachment was read; more binary frames are needed. */
  record Partial(int missingAttachments) implements Frame {}
}
