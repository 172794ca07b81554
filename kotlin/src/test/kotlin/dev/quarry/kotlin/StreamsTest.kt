@file:OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)

package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.cache.FetchStatus
import dev.quarry.cache.QueryFilters
import dev.quarry.cache.QueryOptions
import dev.quarry.cache.StreamRefetchMode
import dev.quarry.cache.StreamedQuery
import dev.quarry.core.QueryKey
import dev.quarry.testing.VirtualTime
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.consumeAsFlow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/**
 * Streamed queries as flows, fed by coroutine producers: Quarry's callbacks and the producers run
 * on the test's dispatcher and Quarry's timers on virtual time, so each chunk's effect is seen
 * step by step on the test thread.
 */
class StreamsTest {
  private val time = VirtualTime()
  private val errors = CopyOnWriteArrayList<Throwable>()
  private val key = QueryKey.of("draft", "e1")
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

  private fun fetchStatus(q: Quarry): FetchStatus =
      q.queries().getQueryState<List<String>>(key).orElseThrow().fetchStatus()

  @Test
  fun streamedFlow_emitsTheChunksSoFar_oneValuePerChunk_asTheProducerSendsThem() = runTest {
    val q = quarry()
    val chunks = Channel<String>(Channel.UNLIMITED)
    val source = streamSource(StandardTestDispatcher(testScheduler)) { chunks.consumeAsFlow() }
    val seen = mutableListOf<List<String>>()
    val job =
        launch(start = CoroutineStart.UNDISPATCHED) {
          q.streamedFlow(key, source).collect { seen.add(it) }
        }
    runCurrent()
    assertThat(seen).describedAs("pending until the first chunk: nothing to emit").isEmpty()
    assertThat(fetchStatus(q)).isEqualTo(FetchStatus.FETCHING)

    chunks.send("a")
    runCurrent()
    assertThat(seen).containsExactly(listOf("a"))
    chunks.send("b")
    runCurrent()
    assertThat(seen).containsExactly(listOf("a"), listOf("a", "b"))

    chunks.close()
    runCurrent()
    assertThat(fetchStatus(q)).describedAs("the flow completing ends the fetch").isEqualTo(FetchStatus.IDLE)
    assertThat(seen).describedAs("a status change emits nothing").hasSize(2)
    job.cancelAndJoin()
  }

  /** Attempt n streams "n.a", "n.b"; the query is refetched once after its first stream ended. */
  private fun TestScope.streamTwice(mode: StreamRefetchMode): List<List<String>> {
    val q = quarry()
    val attempts = AtomicInteger()
    val source =
        streamSource(StandardTestDispatcher(testScheduler)) {
          val n = attempts.incrementAndGet()
          flow<String> {
            emit("$n.a")
            emit("$n.b")
          }
        }
    val seen = mutableListOf<List<String>>()
    val job =
        launch(start = CoroutineStart.UNDISPATCHED) {
          q.streamedFlow(key, source, mode).collect { seen.add(it) }
        }
    runCurrent()
    assertThat(fetchStatus(q)).isEqualTo(FetchStatus.IDLE)
    q.queries().refetchQueries(QueryFilters.exact(key))
    runCurrent()
    assertThat(attempts.get()).isEqualTo(2)
    assertThat(fetchStatus(q)).isEqualTo(FetchStatus.IDLE)
    job.cancel()
    return seen
  }

  @Test
  fun refetch_inResetMode_startsAgainFromTheFirstNewChunk() = runTest {
    assertThat(streamTwice(StreamRefetchMode.RESET))
        .containsExactly(listOf("1.a"), listOf("1.a", "1.b"), listOf("2.a"), listOf("2.a", "2.b"))
  }

  @Test
  fun refetch_inAppendMode_goesOnFromTheDataAlreadyThere() = runTest {
    assertThat(streamTwice(StreamRefetchMode.APPEND))
        .containsExactly(
            listOf("1.a"),
            listOf("1.a", "1.b"),
            listOf("1.a", "1.b", "2.a"),
            listOf("1.a", "1.b", "2.a", "2.b"))
  }

  @Test
  fun refetch_inReplaceMode_keepsTheOldDataUntilTheNewStreamEnds_thenEmitsItWhole() = runTest {
    assertThat(streamTwice(StreamRefetchMode.REPLACE))
        .containsExactly(listOf("1.a"), listOf("1.a", "1.b"), listOf("2.a", "2.b"))
  }

  @Test
  fun cancellingTheLastCollection_cancelsTheProducer_keepsItsChunks_andStartsTheGcTimer() =
      runTest {
        val q = quarry()
        var producerCancelled = false
        val source =
            streamSource(StandardTestDispatcher(testScheduler)) {
              flow<String> {
                emit("a")
                try {
                  awaitCancellation()
                } finally {
                  producerCancelled = true
                }
              }
            }
        val first = launch(start = CoroutineStart.UNDISPATCHED) { q.streamedFlow(key, source).collect {} }
        val seen = mutableListOf<List<String>>()
        val second =
            launch(start = CoroutineStart.UNDISPATCHED) {
              q.streamedFlow(key, source).collect { seen.add(it) }
            }
        runCurrent()
        assertThat(seen).containsExactly(listOf("a"))
        assertThat(observers(q)).isEqualTo(2)

        first.cancelAndJoin()
        runCurrent()
        assertThat(producerCancelled).describedAs("another collector still wants the stream").isFalse()
        assertThat(fetchStatus(q)).isEqualTo(FetchStatus.FETCHING)

        second.cancelAndJoin()
        runCurrent()
        assertThat(observers(q)).isZero()
        assertThat(producerCancelled).describedAs("the last collection's end cancels the producer").isTrue()
        assertThat(fetchStatus(q)).isEqualTo(FetchStatus.IDLE)
        assertThat(q.queries().getQueryData<List<String>>(key)).describedAs("chunks written stay").hasValue(listOf("a"))

        time.advance(Duration.ofMinutes(5)) // gcTime after the last observer left
        assertThat(q.queries().getQueryData<List<String>>(key)).isEmpty()
      }

  @Test
  fun asStreamSource_aProducerThatThrows_failsTheAttempt_andKeepsTheChunksItSent() = runTest {
    val q = quarry()
    val source =
        flow<String> {
              emit("a")
              throw IllegalStateException("model overloaded")
            }
            .asStreamSource(StandardTestDispatcher(testScheduler))
    val options =
        QueryOptions.builder(key, StreamedQuery.of(source)).retry(0).build()
    val results = mutableListOf<dev.quarry.cache.QueryResult<List<String>>>()
    val job = launch(start = CoroutineStart.UNDISPATCHED) { q.observe(options).collect { results.add(it) } }
    runCurrent()
    val last = results.last()
    assertThat(last.isError).isTrue()
    assertThat(last.error().orElseThrow()).hasMessage("model overloaded")
    assertThat(last.data()).hasValue(listOf("a"))
    job.cancelAndJoin()
  }
}
