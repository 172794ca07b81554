package dev.quarry.cache.internal;

import dev.quarry.cache.NetworkMode;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.util.function.BinaryOperator;

/**
 * The query-level options a fetch or an observer pushes into its query: last writer wins, except
 * gcTime, which only grows (spec 2.5 step 2).
 */
record QueryConfig<T>(
    FetchBehavior<T> behavior,
    RetryPolicy retry,
    NetworkMode networkMode,
    Duration gcTime,
    BinaryOperator<T> sharing) {}
