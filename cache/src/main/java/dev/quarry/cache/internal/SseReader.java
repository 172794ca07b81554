package dev.quarry.cache.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okio.BufferedSource;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * A bounded reader of the {@code text/event-stream} format as the HTML standard's "server-sent
 * events" section describes it: lines end with CRLF, LF or CR; an empty line dispatches the event;
 * a line starting with {@code :} is a comment; fields {@code data} (joined with LF), {@code event},
 * {@code id} (kept across events, ignored if it contains NUL) and {@code retry} (ASCII digits
 * only); an event with no data is not dispatched; a partial event at the end is discarded.
 *
 * <p>Unlike OkHttp's own reader it bounds memory and reports the {@code retry} field: no line and
 * no event (the bytes of all its lines, comments included) may exceed {@code maxEventBytes}, or
 * {@link TooLarge} is thrown before more than {@code maxEventBytes + 1} bytes of it are buffered.
 * Not thread-safe: one reader per response, used by the thread that reads it.
 */
final class SseReader {
  private static final ByteString BOM = ByteString.decodeHex("efbbbf");

  /** A dispatched event; {@code id} is the last event ID in force (it persists across events). */
  record Event(@Nullable String id, String type, String data) {}

  /** An event or a line larger than the limit. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    final long limit;

    TooLarge(long limit) {
      super("a server-sent event is larger than maxEventBytes=" + limit + " bytes");
      this.limit = limit;
    }
  }

  private final BufferedSource source;
  private final long maxEventBytes;
  private boolean started;
  private boolean skipLf;
  private @Nullable String lastEventId;
  private long retryMillis = -1;
  private long lastLineBytes;

  SseReader(BufferedSource source, long maxEventBytes, @Nullable String lastEventId) {
    this.source = source;
    this.maxEventBytes = maxEventBytes;
    this.lastEventId = lastEventId;
  }

  /** The last {@code retry} field the server sent, in ms, or -1. */
  long retryMillis() {
    return retryMillis;
  }

  /** The last event ID in force. */
  @Nullable String lastEventId() {
    return lastEventId;
  }

  /**
   * Reads up to the next dispatched event.
   *
   * @return the event, or null at the end of the stream
   * @throws TooLarge if a line or an event is larger than the limit
   */
  @Nullable Event next() throws IOException {
    if (!started) {
      started = true;
      if (source.rangeEquals(0, BOM)) {
        source.skip(BOM.size());
      }
    }
    StringBuilder data = null;
    String type = null;
    long eventBytes = 0;
    while (true) {
      String line = readLine(maxEventBytes - eventBytes);
      if (line == null) {
        return null;
      }
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(lastEventId, type == null ? "message" : type, data.toString());
        }
        type = null;
        eventBytes = 0;
        continue;
      }
      eventBytes += lastLineBytes;
      if (line.charAt(0) == ':') {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = "";
      if (colon >= 0) {
        int start = colon + 1;
        if (start < line.length() && line.charAt(start) == ' ') {
          start++;
        }
        value = line.substring(start);
      }
      switch (field) {
        case "data" -> {
          if (data == null) {
            data = new StringBuilder(value);
          } else {
            data.append('\n').append(value);
          }
        }
        case "event" -> type = value;
        case "id" -> {
          if (value.indexOf('\0') < 0) {
            lastEventId = value;
          }
        }
        case "retry" -> {
          if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
              retryMillis = Long.parseLong(value);
            } catch (NumberFormatException e) {
              // Too many digits for a long: ignored, like any invalid retry value.
            }
          }
        }
        default -> {
          // Unknown fields are ignored.
        }
      }
    }
  }

  /**
   * One line without its terminator, at most {@code budget} bytes long; null at the end of the
   * stream (a partial last line is discarded with its event).
   */
  private @Nullable String readLine(long budget) throws IOException {
    if (budget < 0) {
      throw new TooLarge(maxEventBytes);
    }
    if (skipLf) {
      skipLf = false;
      if (source.request(1) && source.getBuffer().getByte(0) == '\n') {
        source.skip(1);
      }
    }
    long scan = budget + 1;
    long lf = source.indexOf((byte) '\n', 0, scan);
    long cr = source.indexOf((byte) '\r', 0, lf < 0 ? scan : lf);
    long end = cr >= 0 ? cr : lf;
    if (end < 0) {
      if (source.request(scan)) {
        throw new TooLarge(maxEventBytes);
      }
      return null;
    }
    lastLineBytes = end;
    String line = source.readString(end, StandardCharsets.UTF_8);
    source.skip(1);
    if (end == cr) {
      if (source.getBuffer().size() > 0) {
        if (source.getBuffer().getByte(0) == '\n') {
          source.skip(1);
        }
      } else {
        skipLf = true;
      }
    }
    return line;
  }
}
