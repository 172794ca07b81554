package dev.quarry.cache;

import java.util.concurrent.CompletionStage;

/**
 * Fetches a query's data: TanStack's {@code queryFn}.
 *
 * <pre>{@code
 * QueryFunction<Episode> fn = ctx -> ctx.http().get("episodes/" + id, Episode.class);
 * QueryFunction<Integer> now = ctx -> CompletableFuture.completedFuture(42);
 * }</pre>
 *
 * <p>Called on the thread that starts the fetch or on a timer thread, never while a Quarry lock is
 * held. An exception thrown here, or a failed stage, counts as a failed attempt (retried per the
 * retry policy). Completing with {@code null} is an error that is not retried: Quarry's "no data"
 * is a state of its own, never a {@code null} value. When the fetch is cancelled the returned
 * stage's {@code toCompletableFuture()} is cancelled with {@code cancel(true)}.
 *
 * @param <T> the data type
 */
@FunctionalInterface
public interface QueryFunction<T> {
  /** Starts fetching; the stage completes with the data. */
  CompletionStage<T> fetch(QueryContext context) throws Exception;

  /**
   * TanStack's {@code skipToken}: the function of a query that must not fetch yet (for example
   * while a parameter is missing). An observer whose options carry it is disabled (it never
   * fetches, {@code isEnabled()} false, never stale) until {@code setOptions} gives it a real
   * function; a query that only has it counts as disabled for {@code refetchQueries}. A fetch that
   * reaches it anyway ({@code fetchQuery}, {@code refetch()}) fails with a {@link
   * dev.quarry.core.QuarryException} naming the key; retried like any failure.
   *
   * <pre>{@code
   * QueryFunction<Episode> fn = id == null ? QueryFunction.skipToken() : ctx -> api.episode(id);
   * }</pre>
   *
   * @return always the same instance; compare with {@link #isSkipToken}
   */
  @SuppressWarnings("unchecked")
  static <T> QueryFunction<T> skipToken() {
    return (QueryFunction<T>) SkipToken.INSTANCE;
  }

  /** Whether {@code function} is {@link #skipToken()}. */
  static boolean isSkipToken(QueryFunction<?> function) {
    return function == SkipToken.INSTANCE;
  }
}
