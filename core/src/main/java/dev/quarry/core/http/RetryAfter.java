package dev.quarry.core.http;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that says how long to wait before the next attempt, as HTTP's {@code Retry-After}
 * header does. {@link HttpStatusException} implements it for 429 and 503; any exception may.
 *
 * <p>Quarry's retry loop (query and mutation retries) asks every failure it is about to retry: when
 * the requested delay is longer than the delay of the {@link dev.quarry.core.RetryPolicy}, the next
 * attempt waits the requested delay instead, but never longer than {@link #MAX_REQUESTED_DELAY}, so
 * a server cannot park a retry for a day. A shorter requested delay does not shorten the policy's.
 * Whether to retry at all is still the policy's decision.
 *
 * <p>Implementations must be immutable and must not block; the method is called on Quarry's
 * threads.
 *
 * <pre>{@code
 * final class Throttled extends RuntimeException implements RetryAfter {
 *   public Optional<Duration> requestedRetryDelay() { return Optional.of(Duration.ofSeconds(30)); }
 * }
 * }</pre>
 */
public interface RetryAfter {
  /** The longest requested delay that is honoured: 5 minutes; a longer one waits this long. */
  Duration MAX_REQUESTED_DELAY = Duration.ofMinutes(5);

  /**
   * How long the source of this failure asked to wait before the next attempt; empty if it did not
   * say. Never negative.
   */
  Optional<Duration> requestedRetryDelay();
}
