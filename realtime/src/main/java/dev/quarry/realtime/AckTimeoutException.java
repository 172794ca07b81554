package dev.quarry.realtime;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The server did not acknowledge an event within its timeout. The future of {@link
 * RealtimeClient#emitWithAck} completes exceptionally with it; an acknowledgement that arrives
 * later is ignored. Its {@linkplain #getCause() cause} is a {@link TimeoutException} with the same
 * message, so code that looks for a {@code TimeoutException} in the cause chain (as for {@code
 * CompletableFuture.orTimeout}) finds one.
 *
 * <pre>{@code
 * client.emitWithAck("save", Duration.ofSeconds(1), doc)
 *     .whenComplete((ack, e) -> { if (e instanceof AckTimeoutException t) retryLater(t.event()); });
 * }</pre>
 */
public final class AckTimeoutException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  private final String event;
  private final Duration timeout;

  /** Creates the exception for {@code event} whose ack did not arrive within {@code timeout}. */
  public AckTimeoutException(String event, Duration timeout) {
    super(
        "no acknowledgement for event '" + event + "' within " + timeout,
        new TimeoutException("no acknowledgement for event '" + event + "' within " + timeout));
    this.event = event;
    this.timeout = timeout;
  }

  /** The event that was not acknowledged. */
  public String event() {
    return event;
  }

  /** The timeout that elapsed. */
  public Duration timeout() {
    return timeout;
  }
}
