@file:OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)

package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.cache.QueryOptions
import dev.quarry.cache.QueryResult
import dev.quarry.core.QueryKey
import dev.quarry.testing.VirtualTime
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * Queries as flows, with Quarry's callbacks on the test's dispatcher and its timers on virtual
 * time: everything runs on the test thread, in the order the test says.
 */
class ObserveTest {
  private val time = VirtualTime()
  private val errors = CopyOnWriteArrayList<Throwable>()
  private val key = QueryKey.of("title")
  private val fetches = AtomicInteger()
  private val options: QueryOptions<String> =
      QueryOptions.of(key) { CompletableFuture.completedFuture("v" + fetches.incrementAndGet()) }
  private var quarry: Quarry? = null

  private fun TestScope.quarry(): Quarry =
      Quarry.builder()
          .time(time, time)
          .callbackDispatcher(StandardTestDispatcher(testScheduler))
          .errorHandler { _, e -> errors.add(e) }
          .build()
          .also { quarry = it }

  @AfterEach
  fun close() {
    quarry?.close()
    assertThat(errors).isEmpty()
  }

  private fun observers(q: Quarry): Int =
      q.queries().snapshot().filter { it.key() == key }.sumOf { it.observerCount() }

  @Test
  fun observe_collectionOwnsTheObserver_andItsEndStartsTheGcTimer() = runTest {
    val q = quarry()
    val results = mutableListOf<QueryResult<String>>()
    val job = launch(start = CoroutineStart.UNDISPATCHED) { q.observe(options).collect { results.add(it) } }
    runCurrent()
    assertThat(observers(q)).isEqualTo(1)
    assertThat(results.last().data()).hasValue("v1")
    assertThat(results.first().isPending).isTrue()

    job.cancelAndJoin()
    assertThat(observers(q)).describedAs("observer closed with the collection").isZero()

    time.advance(Duration.ofMinutes(5).minusMillis(1))
    assertThat(q.queries().getQueryData<String>(key)).hasValue("v1")
    time.advance(Duration.ofMillis(1)) // gcTime (5 min) after the last observer left
    assertThat(q.queries().getQueryData<String>(key)).isEmpty()
  }

  @Test
  fun callbackDispatcher_runsQuarryCallbacksOnlyWhenTheTestSchedulerRunsThem() = runTest {
    val q = quarry()
    val seen = mutableListOf<String>()
    val observer = q.queries().observe(options) { r -> r.data().ifPresent { seen.add(it) } }
    assertThat(seen).describedAs("nothing runs before the scheduler does").isEmpty()
    runCurrent()
    assertThat(seen).containsExactly("v1")
    q.setQueryData(key, "v2")
    q.setQueryData(key, "v3")
    assertThat(seen).containsExactly("v1")
    runCurrent()
    assertThat(seen).containsExactly("v1", "v2", "v3")
    observer.close()
  }

  @Test
  fun observe_aCollectorThatFallsBehind_skipsTheOldestResults_neverTheLatest() = runTest {
    val q = quarry()
    val gate = CompletableDeferred<Unit>()
    val results = mutableListOf<String>()
    val job =
        launch(start = CoroutineStart.UNDISPATCHED) {
          q.observe(options).collect { r ->
            r.data().ifPresent { results.add(it) }
            gate.await()
          }
        }
    runCurrent() // the collector holds its first result and waits at the gate
    val changes = 500
    for (i in 1..changes) {
      q.setQueryData(key, "set$i")
      runCurrent()
    }
    gate.complete(Unit)
    runCurrent()
    job.cancelAndJoin()

    assertThat(results.last()).isEqualTo("set$changes")
    assertThat(results.size).describedAs("at most the held one and the buffer").isLessThanOrEqualTo(2 + QUERY_RESULT_BUFFER)
    // What arrived is in order: the newest results, the oldest ones skipped.
    val numbers = results.filter { it.startsWith("set") }.map { it.removePrefix("set").toInt() }
    assertThat(numbers).isSorted()
    assertThat(numbers.first()).isGreaterThan(changes - QUERY_RESULT_BUFFER - 1)
  }
}
