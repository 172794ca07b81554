package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * A Socket.IO v5 packet with its binary attachments already in place: every byte array of the
 * payload is a {@link com.fasterxml.jackson.databind.node.BinaryNode}. The codec turns them into
 * {@code {"_placeholder":true,"num":N}} plus binary frames on the wire and back.
 *
 * @param type the packet type
 * @param namespace the namespace, {@code "/"} for the main one
 * @param id the ack id, or {@code -1} if the packet has none
 * @param data the JSON payload, {@code null} if the packet has none (DISCONNECT, bare CONNECT)
 */
public record Packet(Type type, String namespace, long id, @Nullable JsonNode data) {

  /** Socket.IO packet types; the ordinal is the wire digit. */
  public enum Type {
    CONNECT('0'),
    DISCONNECT('1'),
    EVENT('2'),
    ACK('3'),
    CONNECT_ERROR('4'),
    BINARY_EVENT('5'),
    BINARY_ACK('6');

    /**
     * Indexed by ordinal, which is the digit's value: {@code values()} copies its array per call.
     */
    private static final Type[] BY_DIGIT = values();

    private final char digit;

    Type(char digit) {
      this.digit = digit;
    }

    /** The wire digit. */
    public char digit() {
      return digit;
    }

    /** The type written as {@code digit}, or null if there is none. */
    public static @Nullable Type fromDigit(char digit) {
      int i = digit - '0';
      return i >= 0 && i < BY_DIGIT.length ? BY_DIGIT[i] : null;
    }
  }

  /** Whether this packet carries an ack id. */
  public boolean hasId() {
    return id >= 0;
  }
}
