package dev.quarry.cache;

import dev.quarry.core.Registration;
import java.util.Optional;

/**
 * Tells a query function that its fetch was cancelled (TanStack's {@code AbortSignal}).
 *
 * <p>Reading the signal from the {@link QueryContext} is recorded: when the last observer of a
 * query leaves while a fetch runs, the fetch is cancelled (and the state reverted) only if the
 * function read its signal; otherwise the attempt is allowed to finish and its result is cached.
 * Independently of the signal, the future a query function returned is cancelled with {@code
 * cancel(true)} when its fetch is cancelled, which cancels an SDK HTTP call.
 *
 * <pre>{@code
 * QueryFunction<Report> fn = ctx -> {
 *   CancellationSignal signal = ctx.signal();
 *   return CompletableFuture.supplyAsync(() -> slowReport(signal::isCancelled), pool);
 * };
 * }</pre>
 *
 * <p>Thread-safe. Callbacks registered with {@link #onCancel} run once, on the thread that cancels,
 * outside any Quarry lock; an exception they throw goes to the client's error handler.
 */
public interface CancellationSignal {
  /** Whether the fetch was cancelled. */
  boolean isCancelled();

  /** Why the fetch was cancelled, once it was. */
  Optional<CancelledException> reason();

  /**
   * Runs {@code callback} when the fetch is cancelled, or at once if it already was.
   *
   * @return a handle that unregisters the callback
   */
  Registration onCancel(Runnable callback);
}
