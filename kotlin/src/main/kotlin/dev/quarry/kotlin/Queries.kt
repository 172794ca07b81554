package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.cache.FetchStatus
import dev.quarry.cache.QueryClient
import dev.quarry.cache.QueryFilters
import dev.quarry.cache.QueryOptions
import dev.quarry.cache.QueryResult
import dev.quarry.core.QueryKey
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/**
 * How many [QueryResult]s an [observe] flow holds for a collector that has not taken them yet.
 * Beyond it the oldest waiting result is dropped: results are states, not events, and the latest
 * one is never dropped.
 */
public const val QUERY_RESULT_BUFFER: Int = 64

/**
 * [QueryClient.fetchQuery] as a suspend function: returns the cached data if it is fresh, joins a
 * fetch in flight, or fetches (retrying as the options or defaults say).
 *
 * **Threads.** Suspends without blocking; resumes on the caller's dispatcher.
 *
 * **Errors.** Throws what the fetch failed with (the query function's exception, an
 * `HttpStatusException`, or [dev.quarry.cache.CancelledException] when the fetch was cancelled and
 * there was no data to revert to), unwrapped from `CompletionException`.
 *
 * **Cancellation.** Cancelling the calling coroutine stops the wait at once. The fetch itself is
 * cancelled too (its [dev.quarry.cache.CancellationSignal] fires, an HTTP call made through
 * `ctx.http()` is cancelled, and the query's state is reverted as by
 * [QueryClient.cancelQueries]) when nobody else wants it: the query has no observer and no other
 * coroutine is suspended in `awaitFetch` on the same fetch. A Java caller waiting on the same
 * fetch through `fetchQuery` is not seen; it then gets the reverted data, or
 * [dev.quarry.cache.CancelledException] if there was none.
 *
 * ```kotlin
 * val episodes: List<Episode> = quarry.queries().awaitFetch(episodesQuery)
 * ```
 */
public suspend fun <T : Any> QueryClient.awaitFetch(options: QueryOptions<T>): T {
  val future = fetchQuery(options)
  if (future.isDone) {
    return awaitShared(future)
  }
  Waiters.enter(future)
  var cancelled = false
  try {
    return awaitShared(future)
  } catch (e: CancellationException) {
    cancelled = true
    if (Waiters.leave(future) == 0) {
      cancelIfUnobserved(this, options.key(), future)
    }
    throw e
  } finally {
    if (!cancelled) {
      Waiters.leave(future)
    }
  }
}

/** [QueryClient.awaitFetch] on the facade's query cache; see there. */
public suspend fun <T : Any> Quarry.awaitFetch(options: QueryOptions<T>): T = queries().awaitFetch(options)

/**
 * Query options that GET [path] (resolved against the facade's base URL) and decode the JSON body
 * into [T], generic arguments included: `quarry.query<List<Episode>>(key, "episodes")`.
 *
 * Pure: builds options, fetches nothing. The options' function fails with the HTTP exceptions of
 * [dev.quarry.core.http.JsonHttp] (status, I/O, decoding).
 */
public inline fun <reified T : Any> Quarry.query(key: QueryKey, path: String): QueryOptions<T> {
  val type = jsonTypeOf<T>()
  return QueryOptions.of(key) { ctx -> ctx.http().get(path, type) }
}

/**
 * Fetches [path] as [T] under [key] through the cache: `quarry.awaitFetch<List<Episode>>(key,
 * "episodes")`. The same as `awaitFetch(query<T>(key, path))`; see [QueryClient.awaitFetch] for
 * threads, errors and cancellation.
 */
public suspend inline fun <reified T : Any> Quarry.awaitFetch(key: QueryKey, path: String): T =
    awaitFetch(query<T>(key, path))

/**
 * The results of [options] as a cold flow. Each collection attaches its own
 * [dev.quarry.cache.QueryObserver] (which fetches if the data is missing or stale, as any observer
 * does) and emits its results, the current one first; cancelling the collection closes the
 * observer, which starts the query's gc timer when it was the last one.
 *
 * **Threads.** Results are produced on Quarry's callback executor and collected on the
 * collector's dispatcher. **Buffering.** At most [QUERY_RESULT_BUFFER] results wait for a slow
 * collector; then the oldest is dropped, never the latest (like the store's listeners, a slow
 * collector skips intermediate states). **Errors.** A failed fetch is a result with
 * `isError()`; the flow itself only fails if observing throws (a closed client). It never
 * completes on its own.
 *
 * ```kotlin
 * quarry.observe(episodesQuery).collect { r -> r.data().ifPresent(::render) }
 * ```
 */
public fun <T : Any> QueryClient.observe(options: QueryOptions<T>): Flow<QueryResult<T>> =
    callbackFlow {
          val observer = observe(options) { result -> trySend(result) }
          awaitClose { observer.close() }
        }
        .buffer(QUERY_RESULT_BUFFER, BufferOverflow.DROP_OLDEST)

/** [QueryClient.observe] (the flow) on the facade's query cache; see there. */
public fun <T : Any> Quarry.observe(options: QueryOptions<T>): Flow<QueryResult<T>> =
    queries().observe(options)

/**
 * Coroutines waiting per fetch. A fetch is identified by its future: the cache hands the same
 * future to every caller that joins a running fetch. Entries leave with their last waiter, so the
 * map holds only fetches in flight.
 */
internal object Waiters {
  private val counts = ConcurrentHashMap<CompletableFuture<*>, AtomicInteger>()

  fun enter(future: CompletableFuture<*>) {
    counts.compute(future) { _, c -> (c ?: AtomicInteger()).also { it.incrementAndGet() } }
  }

  /** Returns how many still wait. */
  fun leave(future: CompletableFuture<*>): Int {
    var left = 0
    counts.computeIfPresent(future) { _, c ->
      left = c.decrementAndGet()
      if (left == 0) null else c
    }
    return left
  }

  /** Fetches with a waiting coroutine (for tests). */
  fun size(): Int = counts.size
}

private fun cancelIfUnobserved(client: QueryClient, key: QueryKey, future: CompletableFuture<*>) {
  if (future.isDone) {
    return
  }
  val query = client.snapshot().firstOrNull { it.key() == key } ?: return
  if (query.observerCount() == 0 && query.fetchStatus() != FetchStatus.IDLE) {
    client.cancelQueries(QueryFilters.exact(key))
  }
}
