package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.cache.QueryClient
import dev.quarry.cache.QueryContext
import dev.quarry.cache.QueryOptions
import dev.quarry.cache.StreamRefetchMode
import dev.quarry.cache.StreamSource
import dev.quarry.cache.StreamedQuery
import dev.quarry.core.QueryKey
import java.util.concurrent.Flow as JavaFlow
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.mapNotNull
import kotlinx.coroutines.launch

/**
 * The data of a streamed query ([StreamedQuery], TanStack's `streamedQuery`) as a cold flow: the
 * chunks so far (or the reducer's value) each time a chunk arrives. Each collection attaches its
 * own observer, as [observe] does (which fetches, so opens the stream, when the data is missing or
 * stale); cancelling the collection closes the observer, and when it was the last one and the
 * source reads its cancellation signal (as [SseSource][dev.quarry.cache.SseSource] and
 * [streamSource] do) the stream is cancelled.
 *
 * What a refetch shows follows the query's [StreamRefetchMode]: `RESET` starts again from the
 * first new chunk, `APPEND` goes on from the data already there, `REPLACE` keeps the old data and
 * emits the new whole once the stream ends.
 *
 * **Threads, buffering.** As [observe]: produced on Quarry's callback executor, collected on the
 * collector's dispatcher; a collector that falls behind skips intermediate values (each value holds
 * every chunk before it), never the latest. A value is emitted when the data changes, not on status
 * changes. **Errors.** A failed stream keeps its chunks and does not fail the flow: collect
 * [observe] for the status and error. The flow never completes on its own.
 *
 * ```kotlin
 * quarry.streamedFlow(QueryKey.of("draft", id), quarry.streams().sse("draft/$id", Token::class.java))
 *     .collect { tokens -> render(tokens) }
 * ```
 */
public fun <D : Any> QueryClient.streamedFlow(options: QueryOptions<D>): Flow<D> =
    observe(options).mapNotNull { it.data().orElse(null) }.distinctUntilChanged { a, b -> a === b }

/**
 * A streamed query of [source] under [key], whose data is the list of chunks so far, as a flow:
 * see [QueryClient.streamedFlow].
 */
public fun <C : Any> Quarry.streamedFlow(
    key: QueryKey,
    source: StreamSource<C>,
    refetchMode: StreamRefetchMode = StreamRefetchMode.RESET,
): Flow<List<C>> =
    queries()
        .streamedFlow(
            QueryOptions.of(key, StreamedQuery.builder(source).refetchMode(refetchMode).build()))

/**
 * A [StreamSource] fed by a Kotlin flow, so that a coroutine producer can feed a streamed query:
 * each fetch attempt calls [producer] with its context and collects the flow it returns in a new
 * coroutine on [context] (a retry calls it again). Each element is a chunk, in order; the flow
 * completing ends the stream, the flow throwing fails the attempt (and the query's retry rules
 * apply).
 *
 * **Cancellation.** The source reads the attempt's cancellation signal, so the last observer
 * leaving (a cancelled [streamedFlow] collection), `cancelQueries` or a refetch that restarts the
 * fetch cancels the coroutine collecting the flow. A cancelled [context] (its [Job]) fails the
 * attempt.
 *
 * **Demand.** Honours the subscriber's demand: the collecting coroutine suspends while nothing is
 * requested, so nothing is buffered here (a streamed query requests everything).
 *
 * **Threads.** [producer] runs on the fetching thread; the flow, and so the streamed query's
 * folding of each chunk, on [context]'s dispatcher (`Dispatchers.Default` by default).
 *
 * ```kotlin
 * val tokens = streamSource { ctx -> llm.draft(ctx.key().parts()[1] as String) } // a Flow<Token>
 * quarry.streamedFlow(QueryKey.of("draft", id), tokens).collect(::render)
 * ```
 */
public fun <C : Any> streamSource(
    context: CoroutineContext = Dispatchers.Default,
    producer: (QueryContext) -> Flow<C>,
): StreamSource<C> = StreamSource { ctx ->
  val signal = ctx.signal()
  val publisher = FlowPublisher(producer(ctx), context)
  signal.onCancel(publisher::cancel)
  publisher
}

/**
 * This flow as a [StreamSource]: every fetch attempt collects it again (so it should be cold); see
 * [streamSource] for cancellation, demand and threads.
 */
public fun <C : Any> Flow<C>.asStreamSource(
    context: CoroutineContext = Dispatchers.Default
): StreamSource<C> = streamSource(context) { this }

/**
 * One attempt's flow as a publisher for one subscriber; a second subscriber gets `onError`. The
 * subscriber's calls come from the single collecting coroutine, so they are serialized.
 */
private class FlowPublisher<C : Any>(
    private val flow: Flow<C>,
    private val context: CoroutineContext,
) : JavaFlow.Publisher<C> {
  private val subscribed = AtomicBoolean()
  private val cancelled = AtomicBoolean()
  private val demand = AtomicLong()
  // Wakes the collector when demand arrives or the subscription is cancelled.
  private val wake = Channel<Unit>(Channel.CONFLATED)
  @Volatile private var job: Job? = null

  override fun subscribe(subscriber: JavaFlow.Subscriber<in C>) {
    if (!subscribed.compareAndSet(false, true)) {
      subscriber.onSubscribe(
          object : JavaFlow.Subscription {
            override fun request(n: Long) {}

            override fun cancel() {}
          })
      subscriber.onError(IllegalStateException("a stream source's flow has one subscriber"))
      return
    }
    val scope = CoroutineScope(context)
    val collecting =
        scope.launch(start = CoroutineStart.LAZY) {
          try {
            flow.collect { chunk ->
              while (demand.get() == 0L) {
                wake.receive()
              }
              demand.getAndUpdate { if (it == Long.MAX_VALUE) it else it - 1 }
              subscriber.onNext(chunk)
            }
            if (!cancelled.get()) {
              subscriber.onComplete()
            }
          } catch (e: CancellationException) {
            if (!cancelled.get()) {
              subscriber.onError(e)
            }
            throw e
          } catch (e: Throwable) {
            if (!cancelled.get()) {
              subscriber.onError(e)
            }
          }
        }
    job = collecting
    subscriber.onSubscribe(
        object : JavaFlow.Subscription {
          override fun request(n: Long) {
            if (n <= 0) {
              cancel()
              subscriber.onError(
                  IllegalArgumentException("request($n): demand must be positive"))
              return
            }
            demand.accumulateAndGet(n) { a, b -> if (a + b < 0) Long.MAX_VALUE else a + b }
            wake.trySend(Unit)
          }

          override fun cancel() {
            this@FlowPublisher.cancel()
          }
        })
    if (cancelled.get()) {
      collecting.cancel()
    } else {
      collecting.start()
    }
  }

  fun cancel() {
    if (cancelled.compareAndSet(false, true)) {
      job?.cancel()
    }
  }
}
