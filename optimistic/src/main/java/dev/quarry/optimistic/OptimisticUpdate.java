package dev.quarry.optimistic;

import dev.quarry.core.QueryKey;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One optimistic change a mutation declares: which cached query it affects (computed from the
 * variables) and how it changes that query's data. Declared with {@link
 * MutationOptions.Builder#optimistic(Function, BiFunction)}; applied by a {@link MutationClient}
 * built with a {@code QueryClient}.
 *
 * <p>The updater must be a pure function of its arguments: it is applied again over fresh server
 * data (a fetch result, or data anyone else writes to the key) while the mutation is pending, and
 * replayed when an overlapping mutation is rolled back, on the callback executor or on a thread
 * that calls {@link MutationClient#setQueryDataUnderLayers(QueryKey, Function)}. Returning {@link
 * Optional#empty()} leaves the data as it is.
 *
 * @param key the affected query key for given variables
 * @param updater the change: current data (empty if none) and variables to new data
 * @param <V> the variables type
 * @param <T> the query's data type
 */
public record OptimisticUpdate<V, T>(
    Function<? super V, QueryKey> key, BiFunction<Optional<T>, ? super V, Optional<T>> updater) {

  /** Checks for null. */
  public OptimisticUpdate {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(updater, "updater");
  }
}
