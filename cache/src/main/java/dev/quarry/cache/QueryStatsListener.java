package dev.quarry.cache;

import dev.quarry.core.QueryKey;
import java.time.Duration;

/**
 * Measurements of a {@link QueryClient} for monitoring (for example Micrometer meters), registered
 * with {@link QueryClient#addStatsListener}. Each method has a no-op default, so implement only
 * what you need:
 *
 * <pre>{@code
 * Registration r = client.addStatsListener(new QueryStatsListener() {
 *   @Override
 *   public void onFetchEnded(QueryKey key, FetchOutcome outcome, Duration duration) {
 *     timers.record(key.parts().get(0), outcome, duration);
 *   }
 * });
 * }</pre>
 *
 * <p>Threads: called on the client's callback executor, never under a Quarry lock; a fetch's end is
 * handed to that executor before the fetch's future completes. The duration is measured with the
 * client's clock where the fetch starts and ends, so a busy callback executor delays the call but
 * does not change the figure. An exception thrown here goes to the client's error handler and
 * changes nothing else. Arguments are never null.
 */
public interface QueryStatsListener {
  /** How a fetch ended. */
  enum FetchOutcome {
    /** The query function returned data, which was stored. */
    SUCCESS,
    /** The last attempt failed (retries exhausted, or an error that is not retried). */
    ERROR,
    /** The fetch was cancelled, replaced by another fetch, reset or removed before it ended. */
    CANCELLED
  }

  /**
   * A read was answered from the cache without starting a fetch: {@code fetchQuery}, {@code
   * prefetchQuery}, {@code fetchInfiniteQuery} on fresh data, or {@code ensureQueryData} on cached
   * data.
   */
  default void onCacheHit(QueryKey key) {}

  /**
   * A fetch of {@code key} ended, {@code duration} after it started (retry delays and time paused
   * waiting for the network included). Called once per fetch, however many callers joined it.
   */
  default void onFetchEnded(QueryKey key, FetchOutcome outcome, Duration duration) {}

  /**
   * A {@link StreamedQuery} of {@code key} received one chunk and folded it (into the cache, or
   * aside in {@link StreamRefetchMode#REPLACE} mode). Chunks that arrive after the fetch was
   * cancelled or replaced are not counted. Called once per chunk, so keep it cheap.
   */
  default void onStreamChunk(QueryKey key) {}

  /**
   * A stream source of {@code key} reconnected within one fetch attempt to resume where it broke
   * ({@link SseSource} after a broken or failed connection, sending {@code Last-Event-ID} when it
   * has received an event ID). The first connection of an attempt is not a resume; a retry of the
   * query (a new attempt) is not one either.
   */
  default void onStreamResumed(QueryKey key) {}
}
