package dev.quarry.optimistic;

import dev.quarry.core.QuarryException;
import org.jspecify.annotations.Nullable;

/**
 * The outbox failed: its storage could not be read or written, or a recorded mutation could not be
 * restored (unknown key, no defaults, unreadable variables). A record that cannot be restored is
 * reported to the error handler with this exception and set aside, never dropped. Storage failures
 * name the file and the operation; a damaged outbox file that was repaired is reported as the
 * subclass {@link OutboxDamageException}.
 */
public class OutboxException extends QuarryException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception naming the record or file. */
  public OutboxException(String message) {
    super(message);
  }

  /** Creates an exception naming the record or file, with its cause. */
  public OutboxException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
