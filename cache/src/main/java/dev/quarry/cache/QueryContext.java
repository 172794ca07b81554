package dev.quarry.cache;

import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import java.util.Optional;

/**
 * What a {@link QueryFunction} receives: the key, a cancellation signal and, for infinite queries,
 * the page parameter and direction, and the SDK's HTTP client.
 *
 * <pre>{@code
 * QueryFunction<Episode> fn = ctx -> ctx.http().get("episodes/" + ctx.key().parts().get(1), Episode.class);
 * }</pre>
 *
 * <p>Reading {@link #signal()} is recorded: a function that never reads it is not cancelled when
 * its last observer leaves; its attempt finishes and is cached. Valid for one attempt; thread-safe.
 */
public interface QueryContext {
  /** The key of the query being fetched. */
  QueryKey key();

  /** The fetch's cancellation signal; the first read is recorded. */
  CancellationSignal signal();

  /** The page parameter of an infinite query's page fetch; empty for ordinary queries. */
  Optional<Object> pageParam();

  /**
   * The direction of an infinite query's page fetch: {@link FetchDirection#FORWARD} for the first
   * page, for {@code fetchNextPage} and for every page of a refetch (as TanStack Query passes
   * {@code 'forward'}), {@link FetchDirection#BACKWARD} for {@code fetchPreviousPage}; empty for a
   * query that is not infinite.
   */
  Optional<FetchDirection> direction();

  /**
   * The client's HTTP client ({@code QueryClient.Builder.http}). A future it returns is cancelled
   * with the fetch, which cancels the HTTP call.
   *
   * @throws IllegalStateException if the client was built without one
   */
  JsonHttp http();
}
