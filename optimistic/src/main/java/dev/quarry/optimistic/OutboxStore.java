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
 * fails.
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
   * Records a mutation durably and returns it with its sequence number.
   *
   * @param mutationKey the key's canonical JSON
   * @param variables the variables as JSON
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

  /** Closes the store; further calls fail. Idempotent. */
  @Override
  void close();
}
