package dev.quarry.optimistic;

import dev.quarry.core.QueryKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one mutation in the mutation cache, as seen by filters, events and cache-level
 * callbacks.
 *
 * @param mutationId increasing in submission order within one client
 * @param mutationKey the key, if any
 * @param scope the scope id, if any
 * @param meta the meta map (unmodifiable, possibly empty)
 * @param idempotencyKey the idempotency key of a persistent mutation
 * @param restored whether the mutation was restored: from the outbox after a restart, or built from
 *     a saved state ({@code restoreMutation}, {@code hydrate})
 * @param state the state at the time of the snapshot
 */
public record MutationInfo(
    long mutationId,
    Optional<QueryKey> mutationKey,
    Optional<String> scope,
    Map<String, Object> meta,
    Optional<String> idempotencyKey,
    boolean restored,
    MutationState<?, ?, ?> state) {

  /** Checks that no component is null. */
  public MutationInfo {
    Objects.requireNonNull(mutationKey, "mutationKey");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    Objects.requireNonNull(state, "state");
  }
}
