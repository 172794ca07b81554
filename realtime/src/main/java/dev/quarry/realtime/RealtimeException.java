package dev.quarry.realtime;

import dev.quarry.core.QuarryException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the errors the realtime client throws or completes futures with. Subclasses exist
 * where a caller may react differently: {@link AckTimeoutException}, {@link DisconnectedException},
 * {@link ConnectErrorException}, {@link SendBufferFullException}, {@link PayloadTooLargeException},
 * {@link TopicRefusedException}, {@link ProtocolException}, {@link MessageTooLargeException} and
 * {@link DeliveryOverflowException}.
 *
 * <p>Unchecked. Messages name the event, the server URL or the option involved.
 *
 * <pre>{@code
 * client.emitWithAck("echo", Duration.ofSeconds(2), "hi").exceptionally(e -> {
 *   if (e.getCause() instanceof RealtimeException r) log.warn("echo failed: {}", r.getMessage());
 *   return null;
 * });
 * }</pre>
 */
public class RealtimeException extends QuarryException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message names what went wrong. */
  public RealtimeException(String message) {
    super(message);
  }

  /** Creates an exception with a message and its cause. */
  public RealtimeException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
