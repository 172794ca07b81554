package dev.quarry.cache;

import dev.quarry.core.QuarryException;

/**
 * Completes the future of a fetch that was cancelled: by {@code cancelQueries} (a reverting
 * cancel), by the last observer leaving a fetch whose function read its signal, or silently by a
 * restart, {@code resetQueries} or {@code removeQueries}.
 *
 * <p>A reverting cancel completes the fetch's future with the reverted data when there is some;
 * this exception is seen only when there was none. Immutable; thread-safe.
 */
public final class CancelledException extends QuarryException {
  private static final long serialVersionUID = 1L;

  private final boolean revert;
  private final boolean silent;

  /**
   * @param message names the query key and why it was cancelled
   * @param revert whether the state was restored to the one before the fetch
   * @param silent whether the cancel came from a restart or a removal and left the state alone
   */
  public CancelledException(String message, boolean revert, boolean silent) {
    super(message);
    this.revert = revert;
    this.silent = silent;
  }

  /** Whether the query's state was restored to the one before the fetch. */
  public boolean revert() {
    return revert;
  }

  /** Whether the cancel came from a restart, a reset or a removal and changed no state. */
  public boolean silent() {
    return silent;
  }
}
