package dev.quarry.cache.internal;

import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.InfiniteData;
import dev.quarry.cache.InfiniteQueryObserver;
import dev.quarry.cache.InfiniteQueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.cache.QueryState;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** An observer of an infinite query: an ordinary observer plus page fetching (spec 3). */
final class InfiniteObserverImpl<T, P>
    extends QueryObserverImpl<InfiniteData<T, P>, InfiniteData<T, P>>
    implements InfiniteQueryObserver<T, P> {
  private volatile InfiniteQueryOptions<T, P> options;

  InfiniteObserverImpl(RealQueryClient client, InfiniteQueryOptions<T, P> options) {
    super(client, Observers.bindInfinite(client, options));
    this.options = options;
  }

  @Override
  public void setOptions(InfiniteQueryOptions<T, P> options) {
    Objects.requireNonNull(options, "options");
    this.options = options;
    rebind(Observers.bindInfinite(client, options));
  }

  @Override
  public CompletableFuture<QueryResult<InfiniteData<T, P>>> fetchNextPage() {
    return afterFetch(executeFetch(true, FetchDirection.FORWARD));
  }

  @Override
  public CompletableFuture<QueryResult<InfiniteData<T, P>>> fetchPreviousPage() {
    return afterFetch(executeFetch(true, FetchDirection.BACKWARD));
  }

  @SuppressWarnings("unchecked") // an infinite observer's query holds pages
  private QueryState<InfiniteData<T, P>> state() {
    return (QueryState<InfiniteData<T, P>>) query().state();
  }

  @Override
  public boolean hasNextPage() {
    Optional<InfiniteData<T, P>> d = state().data();
    return d.isPresent() && InfiniteBehavior.nextParam(options, d.get()).isPresent();
  }

  @Override
  public boolean hasPreviousPage() {
    Optional<InfiniteData<T, P>> d = state().data();
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
    QueryState<InfiniteData<T, P>> s = state();
    return s.fetchStatus() == FetchStatus.FETCHING
        && s.fetchDirection().equals(Optional.of(direction));
  }
}
