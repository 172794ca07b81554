package dev.quarry.cache;

import java.util.concurrent.CompletableFuture;

/**
 * An observer of an infinite query, returned by {@link QueryClient#observeInfinite} (subscribed) or
 * {@link QueryClient#createInfiniteObserver} (without listeners).
 *
 * <pre>{@code
 * InfiniteQueryObserver<Page, Integer> o = client.observeInfinite(feed, r -> render(r));
 * if (o.hasNextPage()) o.fetchNextPage();
 * }</pre>
 *
 * <p>Thread-safe; see {@link QueryObserver} for the lifecycle.
 *
 * @param <T> the page type
 * @param <P> the page parameter type
 */
public interface InfiniteQueryObserver<T, P> extends QueryObserver<InfiniteData<T, P>> {
  /**
   * Replaces the options, with the same rules as {@link QueryObserver#setOptions(QueryOptions,
   * java.util.function.Function)}: a new key moves the observer to that query.
   *
   * @throws IllegalStateException if the observer was closed
   */
  void setOptions(InfiniteQueryOptions<T, P> options);

  /**
   * Fetches the page after the last one and appends it (restarting a running refetch). Does nothing
   * when there is no next page. Works with or without listeners. Never fails; errors are in the
   * result.
   */
  CompletableFuture<QueryResult<InfiniteData<T, P>>> fetchNextPage();

  /** Fetches the page before the first one and prepends it; see {@link #fetchNextPage()}. */
  CompletableFuture<QueryResult<InfiniteData<T, P>>> fetchPreviousPage();

  /** Whether the loaded pages have a next page. False without data. */
  boolean hasNextPage();

  /** Whether the loaded pages have a previous page. False without data. */
  boolean hasPreviousPage();

  /** Whether a forward page fetch is running. */
  boolean isFetchingNextPage();

  /** Whether a backward page fetch is running. */
  boolean isFetchingPreviousPage();
}
