/**
 * The machinery behind {@link dev.quarry.cache.QueryClient}: queries with their serialized state
 * machine, observers, the Caffeine-backed cache and its timers. Not API: anything here may change
 * in any release.
 */
@NullMarked
package dev.quarry.cache.internal;

import org.jspecify.annotations.NullMarked;
