package dev.quarry.kotlin

import dev.quarry.optimistic.MutationObserver
import dev.quarry.optimistic.MutationClient
import dev.quarry.optimistic.MutationOptions

/**
 * [MutationObserver.mutate] as a suspend function: submits the mutation (applying its optimistic update at
 * once) and returns its result after every callback ran.
 *
 * **Threads.** Suspends without blocking; resumes on the caller's dispatcher.
 *
 * **Errors.** Throws what the mutation failed with (the function's exception, or a callback's),
 * after the optimistic update was rolled back; [IllegalArgumentException] at once for a persistent
 * mutation that misses a key, a variables type or an outbox. Throws [IllegalStateException] if the
 * mutation succeeded without a result (a `Void` function): use [awaitMutateOrNull] for those.
 *
 * **Cancellation.** A submitted mutation is not undone by cancelling the coroutine: the write may
 * already be on its way, and a persistent one is in the outbox. Cancelling only stops the wait; the
 * mutation settles (and rolls back or not) as it would have, visible through the handle's state.
 *
 * ```kotlin
 * val created: Episode = createEpisode.awaitMutate(NewEpisode(projectId, "Pilot"))
 * ```
 */
public suspend fun <V : Any, R : Any, C : Any> MutationObserver<V, R, C>.awaitMutate(variables: V): R =
    awaitMutateOrNull(variables)
        ?: throw IllegalStateException(
            "mutation " +
                options() +
                " succeeded without a result (a Void function?): use awaitMutateOrNull")

/**
 * [awaitMutate] for mutations that may succeed without a result (a `Void` function): returns
 * `null` then. Threads, errors (except the missing-result one) and cancellation as [awaitMutate].
 */
public suspend fun <V : Any, R : Any, C : Any> MutationObserver<V, R, C>.awaitMutateOrNull(
    variables: V
): R? = awaitNullable(mutate(variables))

/**
 * [MutationClient.mutate] (a one-off mutation without a handle) as a suspend function; threads,
 * errors and cancellation as [MutationObserver.awaitMutate]; returns `null` for a mutation that succeeded
 * without a result.
 */
public suspend fun <V : Any, R : Any, C : Any> MutationClient.awaitMutate(
    options: MutationOptions<V, R, C>,
    variables: V,
): R? = awaitNullable(mutate(options, variables))

/** The mutation futures complete with null for a Void result; Kotlin must see that as `R?`. */
private suspend fun <R : Any> awaitNullable(future: java.util.concurrent.CompletableFuture<R>): R? {
  @Suppress("UNCHECKED_CAST")
  val nullable = future as java.util.concurrent.CompletableFuture<R?>
  return awaitShared(nullable)
}
