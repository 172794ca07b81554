package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.QuarryBuilder
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.asExecutor

/**
 * Runs Quarry's listeners, observers and callbacks on [dispatcher] (for example
 * `Dispatchers.Main` in a UI, or a test's `StandardTestDispatcher`, which runs them only when the
 * test advances its scheduler): `Quarry.builder().callbackDispatcher(Dispatchers.Main)`.
 *
 * Quarry keeps each listener's calls in order and one at a time by itself, so any dispatcher
 * works, also a parallel one such as `Dispatchers.Default`. Quarry never shuts the dispatcher
 * down; a dispatcher that rejects work (a closed executor dispatcher) makes Quarry report the
 * rejection to its error handler and drop those callbacks. Not thread-safe, like the builder.
 */
public fun QuarryBuilder.callbackDispatcher(dispatcher: CoroutineDispatcher): QuarryBuilder =
    callbackExecutor(dispatcher.asExecutor())
