/**
 * Quarry's query cache: a {@link dev.quarry.cache.QueryClient} with the semantics of TanStack Query
 * v5 (stale-while-revalidate, deduplicated fetches, retries, garbage collection, observers,
 * infinite queries and hydration).
 *
 * <p>Where to start:
 *
 * <ul>
 *   <li>{@link dev.quarry.cache.QueryClient}: the cache and every operation on it; its class
 *       documentation explains staleTime versus gcTime;
 *   <li>{@link dev.quarry.cache.QueryOptions} (with {@link dev.quarry.cache.QueryFunction} and
 *       {@link dev.quarry.cache.QueryContext}) and {@link dev.quarry.cache.QueryDefaults}: what to
 *       fetch and how;
 *   <li>{@link dev.quarry.cache.QueryState} (the cached state) and {@link
 *       dev.quarry.cache.QueryResult} (what an {@link dev.quarry.cache.QueryObserver} sees);
 *   <li>{@link dev.quarry.cache.QueryFilters} for bulk operations, {@link
 *       dev.quarry.cache.QueryCacheEvent} for listening, {@link dev.quarry.cache.QuerySnapshot} for
 *       inspecting;
 *   <li>{@link dev.quarry.cache.InfiniteQueryOptions} and {@link dev.quarry.cache.InfiniteData} for
 *       paged data; {@link dev.quarry.cache.DehydratedState} to persist the cache;
 *   <li>{@link dev.quarry.cache.StreamedQuery} with a {@link dev.quarry.cache.StreamSource}: a
 *       query whose data grows chunk by chunk as a stream arrives.
 * </ul>
 *
 * <p>Everything here is thread-safe; the machinery lives in {@code dev.quarry.cache.internal}.
 */
@NullMarked
package dev.quarry.cache;

import org.jspecify.annotations.NullMarked;
