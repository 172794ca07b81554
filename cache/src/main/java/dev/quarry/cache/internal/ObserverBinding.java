package dev.quarry.cache.internal;

import dev.quarry.cache.ResultProperty;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * What an observer's current options bind it to: the query, the options it pushes into it and how
 * it turns the query's state into a result. Immutable; {@code setOptions} swaps the whole binding
 * at once, so a result is never computed from one binding's query and another's {@code select}.
 *
 * @param notifyOn the result properties whose change notifies listeners; null for all
 */
record ObserverBinding<T, R>(
    Query<T> query,
    QueryConfig<T> config,
    Resolved settings,
    Function<? super T, ? extends R> select,
    @Nullable UnaryOperator<Optional<T>> placeholder,
    @Nullable Set<ResultProperty> notifyOn,
    Supplier<Query<T>> rebuild) {}
