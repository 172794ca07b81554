package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.cache.CancellationSignal
import dev.quarry.cache.FetchStatus
import dev.quarry.cache.QueryOptions
import dev.quarry.cache.QueryStatus
import dev.quarry.core.QueryKey
import dev.quarry.core.http.HttpStatusException
import dev.quarry.testing.VirtualTime
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runTest
import mockwebserver3.Dispatcher
import mockwebserver3.MockResponse
import mockwebserver3.MockWebServer
import mockwebserver3.RecordedRequest
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/** Suspend fetches against a real HTTP server, with Quarry's timers on virtual time. */
class QueriesTest {
  @JvmRecord data class Episode(val number: Int, val title: String)

  private val time = VirtualTime()
  private val server = MockWebServer()
  private val errors = CopyOnWriteArrayList<Throwable>()
  private lateinit var quarry: Quarry
  private val key = QueryKey.of("episodes")

  @BeforeEach
  fun start() {
    server.start()
    quarry =
        Quarry.builder()
            .baseUrl(server.url("/api/").toString())
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .errorHandler { _, e -> errors.add(e) }
            .queryDefaults { d ->
              d.staleTime(Duration.ofMinutes(1)).retry(1).retryDelay(Duration.ofSeconds(10))
            }
            .build()
  }

  @AfterEach
  fun stop() {
    quarry.close()
    server.close()
    assertThat(errors).isEmpty()
    assertThat(Waiters.size()).describedAs("coroutines still counted as waiting").isZero()
  }

  private fun json(body: String, code: Int = 200) =
      MockResponse.Builder()
          .code(code)
          .addHeader("Content-Type", "application/json")
          .body(body)
          .build()

  @Test
  fun awaitFetch_decodesAGenericTypeWithoutAClassArgument_andServesFreshDataFromTheCache() =
      runTest {
        server.enqueue(json("""[{"number":1,"title":"Pilot"}]"""))
        server.enqueue(json("""[{"number":1,"title":"Pilot"},{"number":2,"title":"Two"}]"""))

        val first = quarry.awaitFetch<List<Episode>>(key, "episodes")
        assertThat(first).containsExactly(Episode(1, "Pilot"))
        assertThat(server.takeRequest().target).isEqualTo("/api/episodes")

        time.advance(Duration.ofSeconds(59)) // still fresh: served from the cache
        assertThat(quarry.awaitFetch<List<Episode>>(key, "episodes")).isSameAs(first)
        assertThat(server.requestCount).isEqualTo(1)

        time.advance(Duration.ofSeconds(1)) // stale at staleTime: fetched again
        assertThat(quarry.awaitFetch<List<Episode>>(key, "episodes"))
            .containsExactly(Episode(1, "Pilot"), Episode(2, "Two"))
        assertThat(server.requestCount).isEqualTo(2)
      }

  @Test
  fun awaitFetch_retriesAfterTheVirtualRetryDelay_andThrowsTheLastErrorUnwrapped() = runTest {
    server.enqueue(json("""{"error":"busy"}""", code = 503))
    server.enqueue(json("""[{"number":1,"title":"Pilot"}]"""))
    val fetch = async(start = CoroutineStart.UNDISPATCHED) { quarry.awaitFetch<List<Episode>>(key, "episodes") }

    awaitReal { quarry.queries().getQueryState<Any>(key).map { it.fetchFailureCount() == 1 }.orElse(false) && time.pendingTasks() > 0 }
    time.advance(Duration.ofSeconds(9))
    assertThat(server.requestCount).describedAs("no retry before the delay").isEqualTo(1)
    time.advance(Duration.ofSeconds(1))
    assertThat(fetch.await()).containsExactly(Episode(1, "Pilot"))
    assertThat(server.requestCount).isEqualTo(2)

    // Two failures in a row (retry 1): the last error comes out as itself, not wrapped.
    quarry.queries().removeQueries(dev.quarry.cache.QueryFilters.exact(key))
    server.enqueue(json("{}", code = 500))
    server.enqueue(json("{}", code = 502))
    val failing = async(start = CoroutineStart.UNDISPATCHED) { runCatching { quarry.awaitFetch<List<Episode>>(key, "episodes") } }
    awaitReal { quarry.queries().getQueryState<Any>(key).map { it.fetchFailureCount() == 1 }.orElse(false) && time.pendingTasks() > 0 }
    time.advance(Duration.ofSeconds(10))
    val error = failing.await().exceptionOrNull()
    assertThat(error).isInstanceOf(HttpStatusException::class.java)
    assertThat((error as HttpStatusException).status()).isEqualTo(502)
  }

  /** A server that holds every request until the test releases it. */
  private fun holdRequests(): CountDownLatch {
    val release = CountDownLatch(1)
    server.dispatcher =
        object : Dispatcher() {
          override fun dispatch(request: RecordedRequest): MockResponse {
            release.await(30, TimeUnit.SECONDS)
            return json("""[{"number":1,"title":"Pilot"}]""")
          }
        }
    return release
  }

  private class Recorded {
    val signals = CopyOnWriteArrayList<CancellationSignal>()
    val calls = CopyOnWriteArrayList<CompletableFuture<List<Episode>>>()
  }

  private fun recordingQuery(recorded: Recorded): QueryOptions<List<Episode>> {
    val type = jsonTypeOf<List<Episode>>()
    return QueryOptions.of(key) { ctx ->
      recorded.signals.add(ctx.signal())
      ctx.http().get("slow", type).also { recorded.calls.add(it) }
    }
  }

  @Test
  fun awaitFetch_cancellingTheOnlyWaiter_firesTheSignal_cancelsTheHttpCall_andRevertsTheQuery() =
      runTest {
        val release = holdRequests()
        val recorded = Recorded()
        val job = launch(start = CoroutineStart.UNDISPATCHED) { quarry.awaitFetch(recordingQuery(recorded)) }
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).describedAs("request reached the server").isNotNull()

        job.cancelAndJoin()

        assertThat(recorded.signals.single().isCancelled).isTrue()
        assertThat(recorded.calls.single().isCancelled).describedAs("HTTP call cancelled").isTrue()
        val state = quarry.queries().getQueryState<List<Episode>>(key).orElseThrow()
        assertThat(state.status()).isEqualTo(QueryStatus.PENDING)
        assertThat(state.fetchStatus()).isEqualTo(FetchStatus.IDLE)
        release.countDown()
      }

  @Test
  fun awaitFetch_cancellingOneOfTwoWaiters_leavesTheSharedFetchToTheOther() = runTest {
    val release = holdRequests()
    val recorded = Recorded()
    val options = recordingQuery(recorded)
    val leaving = launch(start = CoroutineStart.UNDISPATCHED) { quarry.awaitFetch(options) }
    val staying = async(start = CoroutineStart.UNDISPATCHED) { quarry.awaitFetch(options) }
    assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull()

    leaving.cancelAndJoin()
    assertThat(recorded.signals.single().isCancelled).isFalse()

    release.countDown()
    assertThat(staying.await()).containsExactly(Episode(1, "Pilot"))
    assertThat(server.requestCount).describedAs("one fetch, shared").isEqualTo(1)
  }

  @Test
  fun awaitFetch_cancelledWhileTheQueryIsObserved_leavesTheFetchToTheObserver() = runTest {
    val release = holdRequests()
    val recorded = Recorded()
    val options = recordingQuery(recorded)
    val observer = quarry.queries().observe(options) {}
    val job = launch(start = CoroutineStart.UNDISPATCHED) { quarry.awaitFetch(options) }
    assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull()

    job.cancelAndJoin()
    assertThat(recorded.signals.single().isCancelled).isFalse()

    release.countDown()
    awaitReal { observer.currentResult().isSuccess }
    assertThat(observer.currentResult().data()).hasValue(listOf(Episode(1, "Pilot")))
    observer.close()
  }
}
