package dev.quarry.benchmarks.realtime;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The server side of the WebSocket wire (RFC 6455), as much as {@link ReplayServer} needs: the HTTP
 * upgrade request and its {@code Sec-WebSocket-Accept}, unmasked server frames, and masked client
 * frames with 7, 16 and 64-bit lengths. No extensions (a client offering {@code permessage-deflate}
 * gets no answer to it, so none is in use), no subprotocols.
 *
 * <p>Stateless static methods; thread-safe. Reads block on the given stream; a malformed or
 * oversized input fails with a {@link WireException} that names what was wrong and carries the
 * close code to answer with.
 */
final class WebSocketWire {
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CONTINUATION = 0x0;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  /** Close codes this server sends. */
  static final int NORMAL = 1000;

  static final int PROTOCOL_ERROR = 1002;
  static final int TOO_BIG = 1009;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_HEADER_LINES = 100;

  private WebSocketWire() {}

  /** A malformed or oversized input; {@link #closeCode()} is the close code to answer with. */
  static final class WireException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int closeCode;

    WireException(int closeCode, String message) {
      super(message);
      this.closeCode = closeCode;
    }

    int closeCode() {
      return closeCode;
    }
  }

  /**
   * An HTTP request head: the method, the request target (path and query, undecoded) and the
   * headers, names in lower case (a repeated header keeps its last value).
   */
  record Request(String method, String target, Map<String, String> headers) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }

    /** The path of the target, without the query. */
    String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    /** The query parameters of the target (names and values as sent, not percent-decoded). */
    Map<String, String> query() {
      Map<String, String> out = new LinkedHashMap<>();
      int q = target.indexOf('?');
      if (q < 0) {
        return out;
      }
      int from = q + 1;
      while (from <= target.length()) {
        int amp = target.indexOf('&', from);
        String pair = target.substring(from, amp < 0 ? target.length() : amp);
        int eq = pair.indexOf('=');
        if (!pair.isEmpty()) {
          out.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
        }
        if (amp < 0) {
          break;
        }
        from = amp + 1;
      }
      return out;
    }
  }

  /** One frame from a client, unmasked; the payload array is the frame's own. */
  static final class Frame {
    private final boolean fin;
    private final int opcode;
    private final byte[] payload;

    Frame(boolean fin, int opcode, byte[] payload) {
      this.fin = fin;
      this.opcode = opcode;
      this.payload = payload;
    }

    boolean fin() {
      return fin;
    }

    int opcode() {
      return opcode;
    }

    byte[] payload() {
      return payload;
    }
  }

  /**
   * Reads an HTTP request head (up to the empty line) of at most {@code maxBytes} bytes and {@value
   * #MAX_HEADER_LINES} header lines.
   *
   * @throws EOFException if the stream ends first
   * @throws WireException if the head is longer or malformed
   */
  static Request readRequest(InputStream in, int maxBytes) throws IOException {
    StringBuilder line = new StringBuilder();
    String requestLine = null;
    Map<String, String> headers = new LinkedHashMap<>();
    int total = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed inside the HTTP request head");
      }
      if (++total > maxBytes) {
        throw new WireException(PROTOCOL_ERROR, "HTTP request head over " + maxBytes + " bytes");
      }
      if (b != '\n') {
        line.append((char) b); // ISO-8859-1, as HTTP/1.1 heads are
        continue;
      }
      int end = line.length();
      if (end > 0 && line.charAt(end - 1) == '\r') {
        line.setLength(end - 1);
      }
      String text = line.toString();
      line.setLength(0);
      if (requestLine == null) {
        requestLine = text;
        continue;
      }
      if (text.isEmpty()) {
        break;
      }
      if (headers.size() >= MAX_HEADER_LINES) {
        throw new WireException(PROTOCOL_ERROR, "over " + MAX_HEADER_LINES + " header lines");
      }
      int colon = text.indexOf(':');
      if (colon <= 0) {
        throw new WireException(PROTOCOL_ERROR, "malformed header line: " + text);
      }
      headers.put(
          text.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          text.substring(colon + 1).trim());
    }
    int first = requestLine.indexOf(' ');
    int last = requestLine.lastIndexOf(' ');
    if (first <= 0 || last <= first + 1 || !requestLine.startsWith("HTTP/1.", last + 1)) {
      throw new WireException(PROTOCOL_ERROR, "malformed request line: " + requestLine);
    }
    return new Request(
        requestLine.substring(0, first), requestLine.substring(first + 1, last), headers);
  }

  /** {@code Sec-WebSocket-Accept} for a client's {@code Sec-WebSocket-Key}. */
  static String acceptKey(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /** The response that accepts an upgrade with {@code key}. */
  static byte[] switchingProtocols(String key) {
    return ("HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + acceptKey(key)
            + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A plain-text HTTP error response that closes the connection. */
  static byte[] httpError(int status, String reason, String body) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + content.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[h.length + content.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(content, 0, out, h.length, content.length);
    return out;
  }

  /** The length of a server frame's header for a payload of {@code length} bytes. */
  static int headerLength(int length) {
    return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
  }

  /**
   * Writes an unmasked, final server frame header for {@code length} payload bytes into {@code out}
   * at {@code at}; returns the index after it.
   */
  static int writeHeader(int opcode, int length, byte[] out, int at) {
    out[at++] = (byte) (0x80 | opcode);
    if (length < 126) {
      out[at++] = (byte) length;
    } else if (length <= 0xFFFF) {
      out[at++] = 126;
      out[at++] = (byte) (length >>> 8);
      out[at++] = (byte) length;
    } else {
      out[at++] = 127;
      long l = length;
      for (int shift = 56; shift >= 0; shift -= 8) {
        out[at++] = (byte) (l >>> shift);
      }
    }
    return at;
  }

  /** One unmasked, final server frame. */
  static byte[] frame(int opcode, byte[] payload) {
    byte[] out = new byte[headerLength(payload.length) + payload.length];
    int at = writeHeader(opcode, payload.length, out, 0);
    System.arraycopy(payload, 0, out, at, payload.length);
    return out;
  }

  /** One unmasked text frame. */
  static byte[] text(String text) {
    return frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A close frame with {@code code} and no reason. */
  static byte[] close(int code) {
    return frame(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
  }

  /**
   * Reads one client frame: it must be masked, have no reserved bits, and a payload of at most
   * {@code maxPayload} bytes (control frames: at most 125 and final).
   *
   * @throws EOFException if the stream ends at or inside the frame
   * @throws WireException if the frame breaks one of these rules
   */
  static Frame readFrame(DataInputStream in, int maxPayload) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      throw new EOFException("connection closed without a close frame");
    }
    int b1 = in.readUnsignedByte();
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0F;
    if ((b0 & 0x70) != 0) {
      throw new WireException(PROTOCOL_ERROR, "reserved bits set (no extension was agreed)");
    }
    if ((b1 & 0x80) == 0) {
      throw new WireException(PROTOCOL_ERROR, "unmasked client frame");
    }
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
      if (length < 0) {
        throw new WireException(PROTOCOL_ERROR, "negative 64-bit frame length");
      }
    }
    boolean control = (opcode & 0x8) != 0;
    if (control && (length > 125 || !fin)) {
      throw new WireException(
          PROTOCOL_ERROR, "control frame " + opcode + " fragmented or over 125 bytes");
    }
    if (length > maxPayload) {
      throw new WireException(
          TOO_BIG, "client frame of " + length + " bytes, the limit is " + maxPayload);
    }
    byte[] mask = new byte[4];
    in.readFully(mask);
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= mask[i & 3];
    }
    return new Frame(fin, opcode, payload);
  }

  /**
   * Collects the fragments of a data message, at most {@code max} bytes in all. Used by one reader
   * thread.
   */
  static final class Message {
    private final int max;
    private final ByteArrayOutputStream parts = new ByteArrayOutputStream();
    private int opcode = -1;

    Message(int max) {
      this.max = max;
    }

    /**
     * Adds a data frame; returns the whole message when {@code frame} was its last fragment, else
     * null.
     *
     * @throws WireException on a continuation without a start, a new message inside one, or a
     *     message over the limit
     */
    @Nullable Frame add(Frame frame) throws WireException {
      if (frame.opcode() == CONTINUATION) {
        if (opcode < 0) {
          throw new WireException(PROTOCOL_ERROR, "continuation frame without a message");
        }
      } else if (opcode >= 0) {
        throw new WireException(PROTOCOL_ERROR, "new message inside a fragmented one");
      } else if (frame.fin()) {
        return frame; // the common case: one frame, no copy
      } else {
        opcode = frame.opcode();
      }
      if (parts.size() + frame.payload().length > max) {
        throw new WireException(TOO_BIG, "fragmented message over " + max + " bytes");
      }
      parts.write(frame.payload(), 0, frame.payload().length);
      if (!frame.fin()) {
        return null;
      }
      Frame whole = new Frame(true, opcode, parts.toByteArray());
      parts.reset();
      opcode = -1;
      return whole;
    }
  }
}
