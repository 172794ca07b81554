package dev.quarry.realtime;

/**
 * An emit made while disconnected found the send buffer full (or buffering turned off with {@link
 * RealtimeOptions.Builder#sendBufferSize(int) sendBufferSize(0)}). Nothing was queued.
 *
 * <pre>{@code
 * try {
 *   client.emit("typing", state);
 * } catch (SendBufferFullException e) {
 *   // offline for a while: drop the typing indicator
 * }
 * }</pre>
 */
public final class SendBufferFullException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final String event;
  private final int capacity;

  /** Creates the exception for {@code event} and the buffer's capacity. */
  public SendBufferFullException(String event, int capacity) {
    super(
        capacity == 0
            ? "cannot emit '" + event + "' while disconnected: the send buffer is disabled"
            : "cannot emit '"
                + event
                + "' while disconnected: the send buffer is full ("
                + capacity
                + " packets)");
    this.event = event;
    this.capacity = capacity;
  }

  /** The event that was refused. */
  public String event() {
    return event;
  }

  /** The configured capacity of the send buffer. */
  public int capacity() {
    return capacity;
  }
}
