package dev.quarry.cache.internal;

import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.InfiniteData;
import dev.quarry.cache.InfiniteQueryObserver;
import dev.quarry.cache.InfiniteQueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.cache.QueryState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** An observer of an infinite query: an ordinary observer plus page fetching (spec 3). */
final class InfiniteObserverImpl<T, P>
    extends QueryObserverImpl<InfiniteData<T, P>, InfiniteData<T, P>>
    implements InfiniteQueryObserver<T, P> {
  private final InfiniteQueryOptions<T, P> options;

  InfiniteObserverImpl(
      RealQueryClient client,
      Query<InfiniteData<T, P>> query,
      InfiniteQueryOptions<T, P> options,
      Resolved settings,
      Consumer<QueryResult<InfiniteData<T, P>>> listener,
      Supplier<Query<InfiniteData<T, P>>> rebuild) {
    super(
        client,
        query,
        InfiniteBehavior.config(options, settings),
        settings,
        Function.identity(),
        null,
        listener,
        rebuild);
    this.options = options;
  }

  @Override
  public CompletableFuture<QueryResult<InfiniteData<T, P>>> fetchNextPage() {
    return afterFetch(executeFetch(true, FetchDirection.FORWARD));
  }

  @Override
  public CompletableFuture<QueryResult<InfiniteData<T, P>>> fetchPreviousPage() {
    return afterFetch(executeFetch(true, FetchDirection.BACKWARD));
  }

  @Override
  public boolean hasNextPage() {
    Optional<InfiniteData<T, P>> d = query.state().data();
    return d.isPresent() && InfiniteBehavior.nextParam(options, d.get()).isPresent();
  }

  @Override
  public boolean hasPreviousPage() {
    Optional<InfiniteData<T, P>> d = query.state().data();
    return d.isPresent() && InfiniteBehavior.previousParam(options, d.get()).isPresent();
  }

  @Override
  public boolean isFetchingNextPage() {
    return fetching(FetchDirection.FORWARD);
  }

  @Override
  public boolean isFetchingPreviousPage() {
    return fetching(FetchDirection.BACKWARD);
  }

  private boolean fetching(FetchDirection direction) {
    QueryState<InfiniteData<T, P>> s = query.state();
    return s.fetchStatus() == FetchStatus.FETCHING
        && s.fetchDirection().equals(Optional.of(direction));
  }
}
