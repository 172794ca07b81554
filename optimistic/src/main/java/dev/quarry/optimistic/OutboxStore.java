package dev.quarry.optimistic;

import dev.quarry.optimistic.internal.MvStoreOutbox;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage for the mutations that must survive a restart (the outbox). The default
 * implementation, {@link #open(Path)}, is an H2 MVStore file; other stores can be plugged in.
 *
 * <p>Contract: {@link #append} is durable when it returns (a process killed right after still has
 * the record); {@link #pending()} lists the records neither done nor set aside, in sequence order;
 * nothing is ever dropped silently: a record that cannot be restored is {@linkplain #setAside set
 * aside} and stays listed by {@link #setAsideRecords()}. A stored entry that the store itself
 * cannot decode is returned by {@link #pending()} with an empty key and its raw text as variables,
 * so that the client sets it aside.
 *
 * <pre>{@code
 * MutationClient client = MutationClient.builder()
 *     .outbox(OutboxStore.open(dataDir.resolve("outbox.mv")))
 *     .build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe. Methods throw {@link OutboxException} when the storage
 * fails; the message names the file and the operation.
 *
 * <p>The default store's guarantees: its file stays bounded (it is rewritten when it holds much
 * more than the live records; {@link OutboxOptions} caps the live records, and an append past a cap
 * fails with an {@link OutboxException}); every record carries a version and a checksum, and a
 * high-water mark beside the file ({@code <file>.hwm}) records what was acknowledged, so a file
 * that was truncated, rolled back or damaged is detected when it opens, moved aside (renamed to
 * {@code <file>.damaged-<n>}, never deleted) and replaced by a clean file holding what could be
 * trusted, and an {@link OutboxDamageException} saying what was lost is reported through {@link
 * #takeDamageReports()}; records already marked done are never sent again because of a rollback.
 * After an I/O failure (a full disk) the next call reopens the file, so the outbox recovers once
 * the disk has room. A file written by a newer version fails to open with a message naming both
 * formats.
 */
public interface OutboxStore extends AutoCloseable {
  /**
   * Opens (creating if needed) an H2 MVStore outbox in {@code file}. Only one process may open a
   * file at a time.
   *
   * @throws OutboxException if the file cannot be opened
   */
  static OutboxStore open(Path file) {
    return MvStoreOutbox.open(file);
  }

  /**
   * Opens (creating if needed) an H2 MVStore outbox in {@code file} with the given limits. Only one
   * process may open a file at a time.
   *
   * @throws OutboxException if the file cannot be opened: in use, written by a newer version, or
   *     not an outbox store (a damaged outbox file with its mark beside it is repaired instead, see
   *     {@link #takeDamageReports()})
   */
  static OutboxStore open(Path file, OutboxOptions options) {
    return MvStoreOutbox.open(file, options);
  }

  /**
   * Records a mutation durably and returns it with its sequence number.
   *
   * @param mutationKey the key's canonical JSON
   * @param variables the variables as JSON
   * @throws OutboxException if the store fails or the record would pass a limit; nothing is stored
   *     then
   */
  OutboxRecord append(
      String mutationKey,
      String variables,
      Optional<String> scope,
      String idempotencyKey,
      long submittedAt);

  /** Marks a record done (it settled); does nothing if it is unknown. Durable on return. */
  void markDone(long sequence);

  /** The records neither done nor set aside, by increasing sequence. */
  List<OutboxRecord> pending();

  /** Moves a pending record aside with a reason; it is kept and never sent. Durable on return. */
  void setAside(long sequence, String reason);

  /** The records set aside, by increasing sequence. */
  List<OutboxRecord.SetAside> setAsideRecords();

  /**
   * The damage found and repaired since the last call (when the store opened, or reopened after a
   * failure), oldest first, and forgets them. {@code MutationClient} hands each to its error
   * handler. The default returns an empty list.
   */
  default List<OutboxException> takeDamageReports() {
    return List.of();
  }

  /**
   * The bytes the store occupies on disk now (for the default store: the file and the mark beside
   * it), for monitoring; -1 if unknown. Any thread; does not wait for the store's writes and never
   * throws (an unreadable size is -1). The default returns -1.
   */
  default long sizeOnDisk() {
    return -1;
  }

  /** Closes the store; further calls fail. Idempotent. */
  @Override
  void close();
}
