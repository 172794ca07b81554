package dev.quarry.core;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception Quarry throws or completes a future with.
 *
 * <p>Unchecked, like the rest of the hierarchy. Messages name what was wrong: the key, topic, URL
 * or option, and the state it was in. Subclasses exist only where a caller may want to react
 * differently (an HTTP status, an I/O failure, an undecodable body, a cancellation, ...).
 */
public class QuarryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names what went wrong. */
  public QuarryException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the underlying cause. */
  public QuarryException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
