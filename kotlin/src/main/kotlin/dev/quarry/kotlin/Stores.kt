package dev.quarry.kotlin

import dev.quarry.store.Store
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.launch

/**
 * The store's state as a [StateFlow] that lives as long as [scope]: it starts with [Store.get] and
 * follows every change; when [scope] is cancelled the store listener is removed (the flow then
 * keeps its last value).
 *
 * **Threads.** The value is set by a store listener, on the store's callback executor (the
 * facade's, for stores made by `Quarry.store`), so right after [Store.update] returns the flow's
 * `value` may still hold the previous state until that listener ran; it never goes back to an
 * older state. Collect from any dispatcher.
 *
 * **Conflation.** As with the store's own listeners, a collector sees the latest state and may
 * skip intermediate ones; equal states ([Object.equals]) are not repeated.
 *
 * **Lifecycle and errors.** Throws [IllegalStateException] if the store is closed. Closing the
 * store later stops the updates (the flow keeps its last value); cancel [scope] to remove the
 * listener before that.
 *
 * ```kotlin
 * val layout: StateFlow<Layout> = quarry.store("layout", Layout.DEFAULT).asStateFlow(viewModelScope)
 * ```
 */
public fun <S : Any> Store<S>.asStateFlow(scope: CoroutineScope): StateFlow<S> {
  val state = MutableStateFlow(get())
  val subscription = subscribe { s -> state.value = s }
  scope.launch(start = CoroutineStart.UNDISPATCHED) {
    try {
      awaitCancellation()
    } finally {
      subscription.close()
    }
  }
  return state.asStateFlow()
}

/**
 * The value [selector] picks from the store's state, as a cold flow: each collection adds a
 * [Store.select] listener (the current value first, then every change by [Object.equals]) and
 * cancelling the collection removes it. Conflated: a slow collector gets the latest value.
 *
 * [selector] runs on the store's callback executor and should be cheap and pure; an exception it
 * throws goes to the store's error handler. The flow fails with [IllegalStateException] if the store
 * is closed when collection starts; it never completes on its own.
 */
public fun <S : Any, T : Any> Store<S>.select(selector: (S) -> T): Flow<T> =
    callbackFlow {
          val subscription = select(selector) { value -> trySend(value) }
          awaitClose { subscription.close() }
        }
        .conflate()
