/**
 * Mutations with TanStack Query's semantics, a durable offline outbox, and optimistic updates.
 *
 * <p>Start at {@link dev.quarry.optimistic.MutationClient}: it runs mutations described by {@link
 * dev.quarry.optimistic.MutationOptions} (callbacks in TanStack's order, scopes that run one at a
 * time, pausing while offline), keeps them in a mutation cache that can be filtered and observed,
 * and, with an {@link dev.quarry.optimistic.OutboxStore}, records every persistent mutation before
 * its network call so that it survives a process kill and is sent once after a restart.
 */
@NullMarked
package dev.quarry.optimistic;

import org.jspecify.annotations.NullMarked;
