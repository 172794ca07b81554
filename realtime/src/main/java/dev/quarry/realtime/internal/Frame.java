package dev.quarry.realtime.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

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

  /**
   * A plain Socket.IO EVENT whose arguments stay text (from a decoder made with {@code
   * eventsAsText}): the decoder has read the whole of {@code json} through and checked it as it
   * checks a packet's tree, without building the tree (a quick pass of {@link EventScanner}, or
   * Jackson's tokens for what that pass leaves).
   *
   * @param namespace the namespace, {@code "/"} for the main one
   * @param id the ack id, or {@code -1} if the server asked for none
   * @param name the event's name
   * @param json the event's array as it arrived: the name, then the arguments
   * @param args how many elements follow the name (a recovery offset, if any, included)
   * @param lastString the last of them if it is a string, else null
   */
  record Event(
      String namespace, long id, String name, EventText json, int args, @Nullable String lastString)
      implements Frame {}

  /** A binary packet header or attachment was read; more binary frames are needed. */
  record Partial(int missingAttachments) implements Frame {}
}
