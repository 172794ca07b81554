package dev.quarry.realtime.internal;

import static dev.quarry.realtime.internal.PacketCodec.malformed;
import static dev.quarry.realtime.internal.PacketCodec.quote;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.realtime.ProtocolException;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The plain-EVENT path of one connection's {@link PacketCodec.Decoder}: checks an event's array as
 * text, without building its tree (the quick pass of {@link EventScanner}, else Jackson's tokens),
 * and yields a {@link Frame.Event} whose {@link EventText} is a range of the frame itself. The
 * check runs in a scratch array reused from frame to frame, grown to the largest event up to
 * {@value #MAX_SCRATCH} chars; a larger event gets an array of its own, dropped after its check, so
 * what a connection keeps stays bounded.
 *
 * <p>Not thread-safe: used as its decoder is, one frame at a time.
 */
final class EventDecoder {
  /** The largest scratch array kept, in chars (128 KiB). */
  static final int MAX_SCRATCH = 64 * 1024;

  private final ObjectMapper mapper;

  /** Whether the mapper refuses content after a document (then so does this check). */
  private final boolean failOnTrailingTokens;

  /** The quick check, or null if every array goes to Jackson. */
  private final @Nullable EventScanner scanner;

  /** The names of this connection's recent events, for the quick check. */
  private final EventScanner.Names names = new EventScanner.Names();

  private char[] scratch = new char[256];

  EventDecoder(ObjectMapper mapper, boolean failOnTrailingTokens, @Nullable EventScanner scanner) {
    this.mapper = mapper;
    this.failOnTrailingTokens = failOnTrailingTokens;
    this.scanner = scanner;
  }

  /**
   * The event of {@code frame} whose array starts at {@code start} (after the packet type, the
   * namespace and the ack id), of {@code namespace} with ack id {@code id} (-1 for none).
   *
   * @throws ProtocolException if the array is not an event's, or not well-formed JSON within the
   *     mapper's limits
   */
  Frame.Event decode(String namespace, long id, String frame, int start) {
    int n = frame.length();
    char[] chars = scratch(n - start);
    frame.getChars(start, n, chars, 0);
    EventScanner quick = scanner;
    EventScanner.Result r = quick == null ? null : quick.scan(chars, 0, n - start, names);
    if (r != null) {
      return new Frame.Event(
          namespace,
          id,
          r.name(),
          new EventText(frame, start, n, r.firstArgument()),
          r.args(),
          r.lastString());
    }
    return readEvent(namespace, id, chars, start, frame);
  }

  /**
   * Reads a plain EVENT's array through, checking what the decoder checks of an EVENT's tree (a
   * non-empty array that starts with a name of at most {@value PacketCodec#MAX_EVENT_NAME_LENGTH}
   * chars) and that it is well-formed JSON within the mapper's limits, without building the tree:
   * the arguments are skipped token by token, and only the name and a top-level string are read.
   * The path of every array the quick check ({@link EventScanner}) does not accept.
   */
  private Frame.Event readEvent(String namespace, long id, char[] json, int start, String frame) {
    try (JsonParser p = mapper.createParser(json, 0, frame.length() - start)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw notAnEvent(frame);
      }
      JsonToken t = p.nextToken();
      String name;
      if (t == JsonToken.VALUE_STRING) {
        name = p.getText();
      } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        // as the packet's tree would name it (a number read as the mapper reads numbers)
        JsonNode number = mapper.readTree(p);
        name = number.asText();
      } else {
        throw notAnEvent(frame);
      }
      if (name.length() > PacketCodec.MAX_EVENT_NAME_LENGTH) {
        throw malformed(
            "event name longer than "
                + PacketCodec.MAX_EVENT_NAME_LENGTH
                + " chars ("
                + name.length()
                + ")",
            frame);
      }
      int args = 0;
      String last = null;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw malformed("EVENT payload is not a closed array", frame);
        }
        args++;
        if (t == JsonToken.VALUE_STRING) {
          last = p.getText();
        } else {
          last = null;
          p.skipChildren();
        }
      }
      if (failOnTrailingTokens && p.nextToken() != null) {
        throw malformed("content after the EVENT payload", frame);
      }
      return new Frame.Event(
          namespace, id, name, new EventText(frame, start, frame.length(), -1), args, last);
    } catch (JsonProcessingException e) {
      throw new ProtocolException("malformed JSON in frame " + quote(frame), e);
    } catch (IOException e) {
      // A char[] source does no I/O; keep the report of a malformed frame anyway.
      throw new ProtocolException("malformed JSON in frame " + quote(frame), e);
    }
  }

  private static ProtocolException notAnEvent(String frame) {
    return malformed("EVENT payload is not a non-empty array starting with a name", frame);
  }

  /** How many chars the scratch array holds now; for tests. */
  int scratchLength() {
    return scratch.length;
  }

  /** An array of at least {@code length} chars to check an event in (see the class description). */
  private char[] scratch(int length) {
    char[] s = scratch;
    if (length <= s.length) {
      return s;
    }
    if (length > MAX_SCRATCH) {
      return new char[length];
    }
    s = new char[Math.min(MAX_SCRATCH, Math.max(length, s.length * 2))];
    scratch = s;
    return s;
  }
}
