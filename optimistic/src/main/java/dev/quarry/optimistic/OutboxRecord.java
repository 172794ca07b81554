package dev.quarry.optimistic;

import java.util.Objects;
import java.util.Optional;

/**
 * One mutation recorded in an {@link OutboxStore}: everything needed to send it again after a
 * restart, through the defaults registered for its key.
 *
 * @param sequence the submission order, increasing across restarts of one store
 * @param mutationKey the mutation key's canonical JSON ({@code QueryKey.hash()})
 * @param variables the variables as JSON
 * @param scope the scope id, if any
 * @param idempotencyKey a UUID sent as the {@code Idempotency-Key} header on every attempt
 * @param submittedAt wall-clock milliseconds when the mutation was submitted
 */
public record OutboxRecord(
    long sequence,
    String mutationKey,
    String variables,
    Optional<String> scope,
    String idempotencyKey,
    long submittedAt) {

  /** Checks that no component is null. */
  public OutboxRecord {
    Objects.requireNonNull(mutationKey, "mutationKey");
    Objects.requireNonNull(variables, "variables");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }

  /**
   * A record that was set aside because it could not be restored.
   *
   * @param record the record as stored
   * @param reason why it could not be restored
   */
  public record SetAside(OutboxRecord record, String reason) {
    /** Checks that no component is null. */
    public SetAside {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
