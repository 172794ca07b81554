package dev.quarry.realtime.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Engine.IO v4 + Socket.IO v5 encoding (WebSocket transport: one Engine.IO packet per frame, binary
 * attachments as binary frames without a type prefix). Encoding is stateless; decoding of binary
 * packets needs the per-connection {@link Decoder}.
 */
public final class PacketCodec {
  /** The server parser's limit on attachments per packet. */
  static final int MAX_ATTACHMENTS = 10;

  /**
   * The shortest and longest {@code pingInterval} and {@code pingTimeout} accepted from a server's
   * open packet. Outside them the server could make the client time out at once or switch its
   * heartbeat off (a dead connection would then never be detected).
   */
  static final Duration MIN_HEARTBEAT = Duration.ofMillis(1);

  static final Duration MAX_HEARTBEAT = Duration.ofMinutes(10);

  /** The longest namespace accepted in an incoming packet, in chars. */
  static final int MAX_NAMESPACE_LENGTH = 256;

  /** The longest event name accepted in an incoming event, in chars. */
  static final int MAX_EVENT_NAME_LENGTH = 1024;

  private static final int QUOTE_LIMIT = 120;

  private final ObjectMapper mapper;

  /** Whether the mapper refuses content after a document (then so does the text mode). */
  private final boolean failOnTrailingTokens;

  /** The quick check of an event's array, or null if every array goes to Jackson. */
  private final @Nullable EventScanner scanner;

  /** A codec that parses and writes JSON with {@code mapper}. */
  public PacketCodec(ObjectMapper mapper) {
    this.mapper = mapper;
    this.failOnTrailingTokens = mapper.isEnabled(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.scanner = EventScanner.forMapper(mapper);
  }

  /**
   * A packet encoded for the wire: the text frame (already prefixed with the Engine.IO message type
   * {@code 4}) and the binary frames that follow it.
   */
  public record Encoded(String text, List<byte[]> attachments) {
    /** The size in bytes of the largest frame (what the server's maxPayload limits). */
    public long largestFrame() {
      long max = utf8Length(text);
      for (byte[] b : attachments) {
        max = Math.max(max, b.length);
      }
      return max;
    }
  }

  /** Encodes {@code packet}; byte arrays in its payload become placeholders plus binary frames. */
  public Encoded encode(Packet packet) {
    List<byte[]> attachments = new ArrayList<>();
    JsonNode data = packet.data();
    JsonNode wire = data == null ? null : deconstruct(data, attachments);
    if (attachments.size() > MAX_ATTACHMENTS) {
      throw new IllegalArgumentException(
          "a packet may carry at most "
              + MAX_ATTACHMENTS
              + " byte[] attachments (the server's limit), got "
              + attachments.size());
    }
    Packet.Type type = packet.type();
    if (!attachments.isEmpty()) {
      if (type == Packet.Type.EVENT) {
        type = Packet.Type.BINARY_EVENT;
      } else if (type == Packet.Type.ACK) {
        type = Packet.Type.BINARY_ACK;
      }
    }
    StringBuilder sb = new StringBuilder().append('4').append(type.digit());
    if (type == Packet.Type.BINARY_EVENT || type == Packet.Type.BINARY_ACK) {
      sb.append(attachments.size()).append('-');
    }
    if (!"/".equals(packet.namespace())) {
      sb.append(packet.namespace()).append(',');
    }
    if (packet.hasId()) {
      sb.append(packet.id());
    }
    if (wire != null) {
      try {
        sb.append(mapper.writeValueAsString(wire));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot write packet payload as JSON: " + e, e);
      }
    }
    return new Encoded(sb.toString(), List.copyOf(attachments));
  }

  /** Replaces every binary node by a placeholder, collecting the bytes in order. */
  private static JsonNode deconstruct(JsonNode node, List<byte[]> out) {
    if (node instanceof BinaryNode b) {
      ObjectNode placeholder = JsonNodeFactory.instance.objectNode();
      placeholder.put("_placeholder", true);
      placeholder.put("num", out.size());
      out.add(b.binaryValue());
      return placeholder;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(a.size());
      for (JsonNode e : a) {
        copy.add(deconstruct(e, out));
      }
      return copy;
    }
    if (node instanceof ObjectNode o) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        copy.set(e.getKey(), deconstruct(e.getValue(), out));
      }
      return copy;
    }
    return node;
  }

  /** A new decoder for one connection with the default limits (4 MiB, 10 attachments). */
  public Decoder newDecoder() {
    return new Decoder(4 * 1024 * 1024, MAX_ATTACHMENTS, false);
  }

  /**
   * A new decoder for one connection that refuses messages over {@code maxMessageBytes} (a text
   * frame; a binary packet's text frame plus its attachments) and binary packets announcing more
   * than {@code maxAttachments} attachments.
   */
  public Decoder newDecoder(int maxMessageBytes, int maxAttachments) {
    return new Decoder(maxMessageBytes, maxAttachments, false);
  }

  /**
   * The same, decoding every plain EVENT to a {@link Frame.Event} (its arguments checked and kept
   * as text, no tree built) when {@code eventsAsText} is true, and when the mapper allows it: not
   * when it fails on duplicate keys in a tree ({@link
   * DeserializationFeature#FAIL_ON_READING_DUP_TREE_KEY}), a check only the tree makes. Binary
   * events, acks and the other packets are {@link Frame.Message}s either way.
   */
  public Decoder newDecoder(int maxMessageBytes, int maxAttachments, boolean eventsAsText) {
    return new Decoder(
        maxMessageBytes,
        maxAttachments,
        eventsAsText && !mapper.isEnabled(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY));
  }

  /**
   * Decodes the frames of one connection. Not thread-safe: a connection's frames are decoded on its
   * inbound stage, one at a time, in order.
   */
  public final class Decoder {
    private @Nullable Packet pending;
    private int expected;
    private final List<byte[]> received = new ArrayList<>();
    private final int maxMessageBytes;
    private final int maxAttachments;

    /** Bytes of the pending binary packet so far: its text frame and the attachments received. */
    private long pendingBytes;

    /** Whether a plain EVENT is checked as text and returned as a {@link Frame.Event}. */
    private final boolean eventsAsText;

    /** The plain-EVENT path, if {@link #eventsAsText}. */
    private final @Nullable EventDecoder events;

    private Decoder(int maxMessageBytes, int maxAttachments, boolean eventsAsText) {
      this.maxMessageBytes = maxMessageBytes;
      this.maxAttachments = maxAttachments;
      this.eventsAsText = eventsAsText;
      this.events = eventsAsText ? new EventDecoder(mapper, failOnTrailingTokens, scanner) : null;
    }

    /** How many chars the event path's scratch array holds now (0 without it); for tests. */
    int scratchLength() {
      EventDecoder e = events;
      return e == null ? 0 : e.scratchLength();
    }

    /**
     * Decodes a text frame.
     *
     * @throws MessageTooLargeException if the frame is over the size limit (nothing is parsed)
     * @throws ProtocolException if the frame is malformed
     */
    public Frame decodeText(String text) {
      long size = sizeOf(text);
      if (size > maxMessageBytes) {
        throw new MessageTooLargeException("text frame", size, maxMessageBytes);
      }
      if (pending != null) {
        throw malformed(
            "text frame while " + (expected - received.size()) + " attachments are pending", text);
      }
      if (text.isEmpty()) {
        throw malformed("empty frame", text);
      }
      char c = text.charAt(0);
      return switch (c) {
        case '0' -> parseOpen(text);
        case '1' -> new Frame.Close();
        case '2' -> new Frame.Ping();
        case '3' -> new Frame.Pong();
        case '6' -> new Frame.Noop();
        case '4' -> decodeSocketIo(text);
        default -> throw malformed("unknown Engine.IO packet type '" + c + "'", text);
      };
    }

    /**
     * The UTF-8 size of {@code text} if it may be over the limit, else its length (a lower bound):
     * a string of n chars has between n and 3n UTF-8 bytes, so most frames need no counting.
     */
    private long sizeOf(String text) {
      int n = text.length();
      return n > maxMessageBytes / 3 && n <= maxMessageBytes ? utf8Length(text) : n;
    }

    /**
     * Decodes a binary frame: the next attachment of the pending binary packet.
     *
     * @throws MessageTooLargeException if the packet's text and attachments pass the size limit
     * @throws ProtocolException if no binary packet is pending
     */
    public Frame decodeBinary(byte[] bytes) {
      Packet p = pending;
      if (p == null) {
        throw new ProtocolException(
            "unexpected binary frame of " + bytes.length + " bytes: no binary packet is pending");
      }
      pendingBytes += bytes.length;
      if (pendingBytes > maxMessageBytes) {
        long size = pendingBytes;
        pending = null;
        received.clear();
        expected = 0;
        pendingBytes = 0;
        throw new MessageTooLargeException(
            "binary packet (text and attachments)", size, maxMessageBytes);
      }
      received.add(bytes);
      if (received.size() < expected) {
        return new Frame.Partial(expected - received.size());
      }
      JsonNode data = p.data();
      JsonNode rebuilt = data == null ? null : reconstruct(data, received, text(p));
      Packet complete = new Packet(p.type(), p.namespace(), p.id(), rebuilt);
      pending = null;
      received.clear();
      expected = 0;
      pendingBytes = 0;
      return new Frame.Message(complete);
    }

    /** Whether a binary packet is waiting for attachments. */
    public boolean hasPending() {
      return pending != null;
    }

    private String text(Packet p) {
      return p.type() + " packet";
    }

    private Frame parseOpen(String text) {
      JsonNode json = readJson(text.substring(1), text);
      if (!(json instanceof ObjectNode o)) {
        throw malformed("open packet payload is not an object", text);
      }
      JsonNode sid = o.get("sid");
      JsonNode interval = o.get("pingInterval");
      JsonNode timeout = o.get("pingTimeout");
      if (sid == null || !sid.isTextual()) {
        throw malformed("open packet has no sid", text);
      }
      checkHeartbeat("pingInterval", interval, text);
      checkHeartbeat("pingTimeout", timeout, text);
      JsonNode max = o.get("maxPayload");
      long maxPayload =
          max != null && max.canConvertToLong() && max.asLong() > 0 ? max.asLong() : Long.MAX_VALUE;
      return new Frame.Open(
          sid.asText(),
          Duration.ofMillis(interval.asLong()),
          Duration.ofMillis(timeout.asLong()),
          maxPayload);
    }

    private static void checkHeartbeat(String name, @Nullable JsonNode value, String text) {
      if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
        throw malformed("open packet has no valid " + name, text);
      }
      long ms = value.asLong();
      if (ms < MIN_HEARTBEAT.toMillis() || ms > MAX_HEARTBEAT.toMillis()) {
        throw malformed(
            "open packet's "
                + name
                + " of "
                + ms
                + " ms is outside the accepted "
                + MIN_HEARTBEAT.toMillis()
                + " ms to "
                + MAX_HEARTBEAT.toMillis()
                + " ms",
            text);
      }
    }

    private Frame decodeSocketIo(String frame) {
      int n = frame.length();
      int i = 1;
      if (i >= n) {
        throw malformed("empty Socket.IO packet", frame);
      }
      Packet.Type type = Packet.Type.fromDigit(frame.charAt(i));
      if (type == null) {
        throw malformed("unknown Socket.IO packet type '" + frame.charAt(i) + "'", frame);
      }
      i++;
      int attachments = 0;
      if (type == Packet.Type.BINARY_EVENT || type == Packet.Type.BINARY_ACK) {
        int start = i;
        while (i < n && isAsciiDigit(frame.charAt(i))) {
          i++;
        }
        if (i == start || i >= n || frame.charAt(i) != '-') {
          throw malformed("binary packet without a valid attachment count", frame);
        }
        String count = frame.substring(start, i);
        if (count.length() > 9 || Integer.parseInt(count) > maxAttachments) {
          throw malformed(
              "binary packet announces "
                  + count
                  + " attachments, more than the limit of "
                  + maxAttachments,
              frame);
        }
        attachments = Integer.parseInt(count);
        i++;
      }
      String namespace = "/";
      if (i < n && frame.charAt(i) == '/') {
        int comma = frame.indexOf(',', i);
        int end = comma < 0 ? n : comma;
        if (end - i > MAX_NAMESPACE_LENGTH) {
          throw malformed(
              "namespace longer than " + MAX_NAMESPACE_LENGTH + " chars (" + (end - i) + ")",
              frame);
        }
        namespace = frame.substring(i, end);
        i = comma < 0 ? n : comma + 1;
      }
      long id = -1;
      int idStart = i;
      while (i < n && isAsciiDigit(frame.charAt(i))) {
        i++;
      }
      if (i > idStart) {
        if (i - idStart > 18) {
          throw malformed("ack id too long", frame);
        }
        id = Long.parseLong(frame.substring(idStart, i));
      }
      EventDecoder plain = events;
      if (i < n && type == Packet.Type.EVENT && plain != null) {
        return plain.decode(namespace, id, frame, i);
      }
      String json = i < n ? frame.substring(i) : null;
      JsonNode data = json == null ? null : readJson(json, frame);
      validate(type, id, data, frame);
      Packet packet = new Packet(type, namespace, id, data);
      if (attachments == 0) {
        if (type == Packet.Type.BINARY_EVENT || type == Packet.Type.BINARY_ACK) {
          // Some servers write a binary type with zero attachments; treat it as plain.
          JsonNode rebuilt = data == null ? null : reconstruct(data, List.of(), frame);
          return new Frame.Message(new Packet(type, namespace, id, rebuilt));
        }
        return new Frame.Message(packet);
      }
      pending = packet;
      expected = attachments;
      received.clear();
      pendingBytes = utf8Length(frame);
      return new Frame.Partial(attachments);
    }

    private void validate(Packet.Type type, long id, @Nullable JsonNode data, String frame) {
      switch (type) {
        case CONNECT -> {
          if (data != null && !data.isObject()) {
            throw malformed("CONNECT payload is not an object", frame);
          }
        }
        case DISCONNECT -> {}
        case CONNECT_ERROR -> {
          if (data == null || !(data.isObject() || data.isTextual())) {
            throw malformed("CONNECT_ERROR payload is not an object", frame);
          }
        }
        case EVENT, BINARY_EVENT -> {
          if (data == null
              || !data.isArray()
              || data.isEmpty()
              || !(data.get(0).isTextual() || data.get(0).isNumber())) {
            throw malformed("EVENT payload is not a non-empty array starting with a name", frame);
          }
          JsonNode name = data.get(0);
          if (name.isTextual() && name.textValue().length() > MAX_EVENT_NAME_LENGTH) {
            throw malformed(
                "event name longer than "
                    + MAX_EVENT_NAME_LENGTH
                    + " chars ("
                    + name.textValue().length()
                    + ")",
                frame);
          }
        }
        case ACK, BINARY_ACK -> {
          if (id < 0) {
            throw malformed("ACK without an id", frame);
          }
          if (data == null || !data.isArray()) {
            throw malformed("ACK payload is not an array", frame);
          }
        }
      }
    }

    private JsonNode readJson(String json, String frame) {
      try {
        JsonNode node = mapper.readTree(json);
        if (node == null || node.isMissingNode()) {
          throw malformed("empty JSON payload", frame);
        }
        return node;
      } catch (JsonProcessingException e) {
        throw new ProtocolException("malformed JSON in frame " + quote(frame), e);
      }
    }
  }

  /** Replaces placeholders by binary nodes. */
  private static JsonNode reconstruct(JsonNode node, List<byte[]> attachments, String frame) {
    if (node instanceof ObjectNode o) {
      JsonNode flag = o.get("_placeholder");
      JsonNode num = o.get("num");
      if (flag != null && flag.asBoolean(false) && num != null && num.canConvertToInt()) {
        int k = num.asInt();
        if (k < 0 || k >= attachments.size()) {
          throw malformed(
              "placeholder " + k + " out of " + attachments.size() + " attachments", frame);
        }
        return BinaryNode.valueOf(attachments.get(k));
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        copy.set(e.getKey(), reconstruct(e.getValue(), attachments, frame));
      }
      return copy;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(a.size());
      for (JsonNode e : a) {
        copy.add(reconstruct(e, attachments, frame));
      }
      return copy;
    }
    return node;
  }

  /** '0' to '9' only: {@link Character#isDigit} also accepts other scripts' digits. */
  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static ProtocolException malformed(String what, String frame) {
    return new ProtocolException("malformed frame (" + what + "): " + quote(frame));
  }

  static String quote(String frame) {
    return frame.length() <= QUOTE_LIMIT
        ? "'" + frame + "'"
        : "'" + frame.substring(0, QUOTE_LIMIT) + "...' (" + frame.length() + " chars)";
  }

  static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
