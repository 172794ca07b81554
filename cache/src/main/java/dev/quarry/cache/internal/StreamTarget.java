package dev.quarry.cache.internal;

import dev.quarry.cache.QueryContext;
import dev.quarry.core.Registration;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a streamed query function needs from the fetch that called it, beyond the public {@link
 * QueryContext}: the query's state and progressive writes that stop with the fetch. None of these
 * reads the signal, so a stream that never reads it is not cancelled when its last observer leaves
 * (as for any query function).
 *
 * <p>Thread-safe; valid for one attempt.
 */
public interface StreamTarget {
  /**
   * The target behind a context the cache made.
   *
   * @throws IllegalArgumentException if {@code context} was not made by a Quarry query client
   */
  static StreamTarget of(QueryContext context) {
    if (context instanceof StreamTarget target) {
      return target;
    }
    throw new IllegalArgumentException(
        "a streamed query function must be called by a QueryClient, not with "
            + context.getClass().getName());
  }

  /** Whether the query settled a fetch before, with data or an error (TanStack's isFetched). */
  boolean isFetched();

  /** Puts the query back to its reset state, still fetching; ignored once the fetch ended. */
  void resetForStream();

  /**
   * Writes {@code updater}'s value as the query's data while this fetch is current.
   *
   * @return false if the fetch was cancelled or replaced (nothing written)
   */
  <D> boolean write(Function<Optional<D>, D> updater);

  /** The query's data now. */
  <D> Optional<D> data();

  /** Whether the fetch was cancelled; not a read of the signal. */
  boolean isCancelled();

  /** The client's scheduler, for timers of the stream (reconnection delays). */
  dev.quarry.core.Scheduler scheduler();

  /** Runs {@code callback} when the fetch is cancelled; not a read of the signal. */
  Registration onCancel(Runnable callback);

  /** Reports a chunk folded by this attempt to the client's stats listeners; any thread. */
  void chunkReceived();

  /** Reports a resumed connection of this attempt to the client's stats listeners; any thread. */
  void resumed();
}
