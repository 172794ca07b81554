package dev.quarry.cache.internal;

import dev.quarry.cache.InfiniteData;
import dev.quarry.cache.InfiniteQueryOptions;
import dev.quarry.cache.QueryFunction;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryState;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns options into what an observer binds to: merges the defaults, builds (or finds) the query
 * and the options it pushes into it. Used when an observer is created and by {@code setOptions}.
 */
final class Observers {
  private Observers() {}

  static <T, R> ObserverBinding<T, R> bind(
      RealQueryClient client, QueryOptions<T> options, Function<? super T, ? extends R> select) {
    Resolved r =
        Resolved.of(client.merged(options.key(), options.settings()), true)
            .withEnabled(null, QueryFunction.isSkipToken(options.function()));
    Query<T> q = client.build(options, r);
    return new ObserverBinding<>(
        q,
        client.config(options, r),
        r,
        select,
        options.placeholderData().orElse(null),
        options.notifyOnChangeProps().orElse(null),
        () -> client.build(options, r));
  }

  static <T, P> ObserverBinding<InfiniteData<T, P>, InfiniteData<T, P>> bindInfinite(
      RealQueryClient client, InfiniteQueryOptions<T, P> options) {
    Resolved r = Resolved.of(client.merged(options.key(), options.settings()), true);
    Supplier<Query<InfiniteData<T, P>>> build =
        () -> client.getOrCreate(options.key(), r, QueryState::initial, true);
    return new ObserverBinding<>(
        build.get(),
        InfiniteBehavior.config(options, r),
        r,
        Function.identity(),
        null,
        options.notifyOnChangeProps().orElse(null),
        build);
  }
}
