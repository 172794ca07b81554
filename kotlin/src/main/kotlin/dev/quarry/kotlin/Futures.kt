package dev.quarry.kotlin

import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * Waits for [future] without ever cancelling it.
 *
 * kotlinx-coroutines' own `await()` cancels the future when the waiting coroutine is cancelled.
 * Quarry's futures are shared (every caller that joins a running fetch gets the same one), so
 * cancelling one would fail it for everyone; here the caller only stops waiting.
 */
internal suspend fun <T> awaitShared(future: CompletableFuture<T>): T {
  if (future.isDone) {
    return try {
      future.join()
    } catch (e: CompletionException) {
      throw unwrap(e)
    }
  }
  return suspendCancellableCoroutine { cont ->
    future.whenComplete { value, error ->
      if (error == null) {
        cont.resume(value)
      } else {
        cont.resumeWithException(unwrap(error))
      }
    }
  }
}

private fun unwrap(e: Throwable): Throwable {
  var t = e
  while ((t is CompletionException || t is ExecutionException) && t.cause != null) {
    t = t.cause!!
  }
  return t
}
