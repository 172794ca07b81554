/**
 * Quarry's query cache: a {@link dev.quarry.cache.QueryClient} with the semantics of TanStack Query
 * v5 (stale-while-revalidate, deduplicated fetches, retries, garbage collection, observers,
 * infinite queries and hydration).
 *
 * <p>Start with {@link dev.quarry.cache.QueryClient} and {@link dev.quarry.cache.QueryOptions}.
 * Everything here is thread-safe; the machinery lives in {@code dev.quarry.cache.internal}.
 */
@NullMarked
package dev.quarry.cache;

import org.jspecify.annotations.NullMarked;
