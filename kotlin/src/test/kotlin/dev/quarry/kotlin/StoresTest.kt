@file:OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)

package dev.quarry.kotlin

import dev.quarry.store.Store
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.cancel
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/** Stores as StateFlows and selector flows. */
class StoresTest {
  @JvmRecord data class Layout(val sidebarOpen: Boolean, val view: String)

  @Test
  fun asStateFlow_followsTheStoreUntilItsScopeEnds() = runTest {
    Store.builder(Layout(true, "episodes")).build().use { store ->
      val scope = CoroutineScope(StandardTestDispatcher(testScheduler) + Job())
      val state = store.asStateFlow(scope)
      assertThat(state.value).isEqualTo(Layout(true, "episodes"))

      store.update { it.copy(sidebarOpen = false) }
      assertThat(state.value).isEqualTo(Layout(false, "episodes"))

      scope.cancel()
      runCurrent()
      store.set(Layout(true, "scenes"))
      assertThat(state.value).describedAs("no longer listening").isEqualTo(Layout(false, "episodes"))
    }
  }

  @Test
  fun asStateFlow_onAStoreWithAnExecutor_reachesTheLatestStateOnceTheListenerRan() = runTest {
    val callbacks = StandardTestDispatcher(testScheduler)
    Store.builder(Layout(true, "episodes")).callbackExecutor(callbacks.asExecutor()).build().use { store ->
      val state = store.asStateFlow(backgroundScope)
      store.set(Layout(true, "scenes"))
      store.set(Layout(false, "scenes"))
      assertThat(state.value).describedAs("set by the listener, not yet run").isEqualTo(Layout(true, "episodes"))
      runCurrent()
      assertThat(state.value).isEqualTo(Layout(false, "scenes"))
    }
  }

  @Test
  fun select_emitsTheSelectedSliceWhenItChanges_andCancellingRemovesTheListener() = runTest {
    Store.builder(Layout(true, "episodes")).build().use { store ->
      val views = mutableListOf<String>()
      val job = launch(start = CoroutineStart.UNDISPATCHED) { store.select { it.view }.collect { views.add(it) } }
      runCurrent()
      store.update { it.copy(sidebarOpen = false) } // the view did not change
      runCurrent()
      store.update { it.copy(view = "scenes") }
      runCurrent()
      job.cancelAndJoin()
      store.update { it.copy(view = "characters") }
      runCurrent()
      assertThat(views).containsExactly("episodes", "scenes")
    }
  }
}
