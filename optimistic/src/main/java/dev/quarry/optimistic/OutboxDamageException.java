package dev.quarry.optimistic;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The outbox file was found damaged or rolled back, and was repaired: the damaged file was moved
 * aside (renamed, never deleted) and a clean file now holds what could be trusted. Reported to the
 * client's {@code ErrorHandler} when the client opens the outbox (or reopens it after a failure);
 * the client keeps running.
 *
 * <p>What the figures mean: {@link #lost()} are sequences whose append had been acknowledged but
 * that are in no readable copy (their mutations will not be sent: resubmit them if they matter);
 * {@link #setAsideSequences()} are records kept but never sent (a failed checksum, or set aside
 * before); {@link #doneNotResent()} are records the damaged file showed as pending although they
 * had already been marked done: they are not sent again. Records not listed are pending as before.
 */
public final class OutboxDamageException extends OutboxException {
  private static final long serialVersionUID = 1L;

  private final transient Optional<Path> movedTo;
  private final List<Long> lost;
  private final List<Long> setAsideSequences;
  private final List<Long> doneNotResent;

  /** Creates the report; the lists are copied. */
  public OutboxDamageException(
      String message,
      Optional<Path> movedTo,
      List<Long> lost,
      List<Long> setAsideSequences,
      List<Long> doneNotResent) {
    super(message);
    this.movedTo = movedTo;
    this.lost = List.copyOf(lost);
    this.setAsideSequences = List.copyOf(setAsideSequences);
    this.doneNotResent = List.copyOf(doneNotResent);
  }

  /** Where the damaged file was moved, if there was a file to move. */
  public Optional<Path> movedTo() {
    return movedTo;
  }

  /** Sequences acknowledged as appended and pending, but found in no readable copy. */
  public List<Long> lost() {
    return lost;
  }

  /** Sequences now set aside because their stored form could not be trusted. */
  public List<Long> setAsideSequences() {
    return setAsideSequences;
  }

  /** Sequences the damaged file still showed pending although they had been marked done. */
  public List<Long> doneNotResent() {
    return doneNotResent;
  }
}
