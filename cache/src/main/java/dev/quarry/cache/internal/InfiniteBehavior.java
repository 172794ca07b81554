package dev.quarry.cache.internal;

import dev.quarry.cache.CancelledException;
import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.InfiniteData;
import dev.quarry.cache.InfiniteQueryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The page walk of an infinite query (spec 3): a directional fetch adds one page at an end
 * (dropping one at the other end beyond {@code maxPages}); any other fetch re-fetches every loaded
 * page in order, recomputing each next parameter, and resumes at the failing page on retry.
 */
final class InfiniteBehavior<T, P> implements FetchBehavior<InfiniteData<T, P>> {
  private final InfiniteQueryOptions<T, P> options;

  InfiniteBehavior(InfiniteQueryOptions<T, P> options) {
    this.options = options;
  }

  static <T, P> QueryConfig<InfiniteData<T, P>> config(
      InfiniteQueryOptions<T, P> options, Resolved r) {
    return new QueryConfig<>(
        new InfiniteBehavior<>(options), r.retry(), r.networkMode(), r.gcTime(), r.sharingOf());
  }

  static <T, P> Optional<P> nextParam(InfiniteQueryOptions<T, P> o, InfiniteData<T, P> d) {
    if (d.pages().isEmpty()) {
      return Optional.empty();
    }
    int last = d.pages().size() - 1;
    return o.getNextPageParam()
        .apply(d.pages().get(last), d.pages(), d.pageParams().get(last), d.pageParams());
  }

  static <T, P> Optional<P> previousParam(InfiniteQueryOptions<T, P> o, InfiniteData<T, P> d) {
    if (d.pages().isEmpty() || o.getPreviousPageParam().isEmpty()) {
      return Optional.empty();
    }
    return o.getPreviousPageParam()
        .get()
        .apply(d.pages().get(0), d.pages(), d.pageParams().get(0), d.pageParams());
  }

  @Override
  public Run<InfiniteData<T, P>> begin(
      Optional<InfiniteData<T, P>> dataAtStart, @Nullable FetchDirection direction) {
    InfiniteData<T, P> old = dataAtStart.orElse(null);
    if (direction != null && old != null && !old.pages().isEmpty()) {
      return env -> fetchMore(env, old, direction);
    }
    int target = old != null && !old.pages().isEmpty() ? old.pages().size() : options.pages();
    P first =
        old != null && !old.pageParams().isEmpty()
            ? old.pageParams().get(0)
            : options.initialPageParam();
    return new Walk(target, first);
  }

  private CompletionStage<InfiniteData<T, P>> fetchMore(
      Env env, InfiniteData<T, P> old, FetchDirection direction) throws Exception {
    boolean forward = direction == FetchDirection.FORWARD;
    Optional<P> param = forward ? nextParam(options, old) : previousParam(options, old);
    if (param.isEmpty()) {
      return CompletableFuture.completedFuture(old);
    }
    P p = param.get();
    return page(env, p, direction).thenApply(page -> add(old, page, p, forward));
  }

  private InfiniteData<T, P> add(InfiniteData<T, P> old, T page, P param, boolean forward) {
    List<T> pages = new ArrayList<>(old.pages());
    List<P> params = new ArrayList<>(old.pageParams());
    if (forward) {
      pages.add(page);
      params.add(param);
    } else {
      pages.add(0, page);
      params.add(0, param);
    }
    Optional<Integer> max = options.maxPages();
    if (max.isPresent() && pages.size() > max.get()) {
      int drop = forward ? 0 : pages.size() - 1;
      pages.remove(drop);
      params.remove(drop);
    }
    return new InfiniteData<>(pages, params);
  }

  private CompletionStage<T> page(Env env, P param, FetchDirection direction) throws Exception {
    return env.track(
        options.pageFunction().fetch(env.context(Optional.of(param), direction), param));
  }

  /** A refetch of {@code target} pages; keeps its progress across retries. */
  private final class Walk implements Run<InfiniteData<T, P>> {
    private final int target;
    private final P first;
    private final List<T> pages = new ArrayList<>();
    private final List<P> params = new ArrayList<>();

    Walk(int target, P first) {
      this.target = target;
      this.first = first;
    }

    @Override
    public CompletionStage<InfiniteData<T, P>> attempt(Env env) throws Exception {
      return step(env);
    }

    private synchronized InfiniteData<T, P> data() {
      return new InfiniteData<>(pages, params);
    }

    private CompletionStage<InfiniteData<T, P>> step(Env env) throws Exception {
      InfiniteData<T, P> sofar = data();
      if (sofar.pages().size() >= target) {
        return CompletableFuture.completedFuture(sofar);
      }
      if (env.isCancelled()) {
        return CompletableFuture.failedFuture(
            new CancelledException("page walk was cancelled", false, false));
      }
      P param;
      if (sofar.pages().isEmpty()) {
        param = first;
      } else {
        Optional<P> next = nextParam(options, sofar);
        if (next.isEmpty()) {
          return CompletableFuture.completedFuture(sofar);
        }
        param = next.get();
      }
      // TanStack passes 'forward' for the first page and for every page of a refetch.
      return page(env, param, FetchDirection.FORWARD)
          .thenCompose(
              page -> {
                synchronized (this) {
                  pages.add(page);
                  params.add(param);
                }
                try {
                  return step(env);
                } catch (Exception e) {
                  return CompletableFuture.failedFuture(e);
                }
              });
    }
  }
}
