package dev.quarry.kotlin

import java.time.Duration
import java.util.concurrent.Callable
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.awaitility.Awaitility.await

/** How long a test waits for something a real server, socket or thread does. */
val REAL_WAIT: Duration = Duration.ofSeconds(20)

/**
 * Waits (really, bounded by [REAL_WAIT]) for [condition], off the test's thread so that the
 * coroutines of `runTest` keep running meanwhile.
 */
suspend fun awaitReal(condition: () -> Boolean) {
  withContext(Dispatchers.IO) { await().atMost(REAL_WAIT).until(Callable { condition() }) }
}

