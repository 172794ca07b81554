package dev.quarry.cache.internal;

import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryResult;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatus;
import dev.quarry.cache.RefetchMode;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.Cancellable;
import dev.quarry.core.internal.SerialExecutor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An observer of one query (spec 2.9). Results are computed on the client's {@link Pipeline}, one
 * state change at a time, and handed to the listener through its own {@link SerialExecutor} on the
 * callback executor, so the listener sees changed results only, in order.
 *
 * <p>Fields marked "pipeline" are touched only by pipeline tasks, which never run concurrently.
 */
class QueryObserverImpl<T, R> implements QueryObserver<R> {
  final RealQueryClient client;
  final QueryConfig<T> config;
  final Resolved settings;
  private final Function<? super T, ? extends R> select;
  private final @Nullable UnaryOperator<Optional<T>> placeholder;
  private final Consumer<QueryResult<R>> listener;
  private final SerialExecutor delivery;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Supplier<Query<T>> rebuild;

  volatile Query<T> query;
  private volatile QueryResult<R> current;
  private volatile int mountCount;

  // pipeline
  private @Nullable QueryResult<R> last;
  private @Nullable T memoData;
  private @Nullable R memoSelected;
  private Optional<T> lastDefinedData = Optional.empty();
  private @Nullable Cancellable staleTimer;
  private @Nullable Cancellable intervalTimer;

  QueryObserverImpl(
      RealQueryClient client,
      Query<T> query,
      QueryConfig<T> config,
      Resolved settings,
      Function<? super T, ? extends R> select,
      @Nullable UnaryOperator<Optional<T>> placeholder,
      Consumer<QueryResult<R>> listener,
      Supplier<Query<T>> rebuild) {
    this.client = client;
    this.query = query;
    this.config = config;
    this.settings = settings;
    this.select = select;
    this.placeholder = placeholder;
    this.listener = listener;
    this.rebuild = rebuild;
    this.delivery =
        new SerialExecutor(
            client.callbackExecutor(), client.errorHandler(), "observer of " + query.key);
    this.current =
        new QueryResult<>(
            QueryStatus.PENDING,
            FetchStatus.IDLE,
            Optional.empty(),
            0,
            Optional.empty(),
            0,
            0,
            0,
            Optional.empty(),
            false,
            false,
            false,
            false,
            settings.enabled());
  }

  /** Attaches, fetches on mount if due (spec 2.9), and queues the first result. */
  void start() {
    Query<T> q = query;
    QueryState<T> s = q.addObserver(this, config);
    if (shouldFetchOnMount(s)) {
      fetchInBackground();
    }
    q.refresh(this);
  }

  /** Called under the query lock when attached: counts for {@code isFetchedAfterMount}. */
  void mounted(QueryState<T> s) {
    mountCount = s.dataUpdateCount() + s.errorUpdateCount();
  }

  boolean isEnabled() {
    return settings.enabled();
  }

  boolean isStatic() {
    return settings.staleTime().isStatic();
  }

  boolean isClosed() {
    return closed.get();
  }

  /** This observer's view of staleness (spec 2.3): a disabled observer is never stale. */
  boolean isStale(QueryState<T> s, long now) {
    if (!settings.enabled()) {
      return false;
    }
    if (s.data().isEmpty()) {
      return true;
    }
    StaleTime st = settings.staleTime();
    if (st.isStatic()) {
      return false;
    }
    return s.isInvalidated() || st.isStaleAt(s.dataUpdatedAt(), now);
  }

  private boolean shouldFetchOnMount(QueryState<T> s) {
    if (!settings.enabled()) {
      return false;
    }
    if (s.data().isEmpty()) {
      return !(s.status() == QueryStatus.ERROR && !settings.retryOnMount());
    }
    return allows(settings.refetchOnMount(), s);
  }

  private boolean allows(RefetchMode mode, QueryState<T> s) {
    if (!settings.enabled() || settings.staleTime().isStatic() || mode == RefetchMode.NEVER) {
      return false;
    }
    return mode == RefetchMode.ALWAYS || isStale(s, client.clock().currentTimeMillis());
  }

  boolean shouldFetchOnReconnect() {
    return allows(settings.refetchOnReconnect(), query.state());
  }

  boolean shouldFetchOnFocus() {
    return allows(settings.refetchOnWindowFocus(), query.state());
  }

  /** Fetches through this observer's options; never fails. */
  CompletableFuture<@Nullable Object> executeFetch(
      boolean cancelRefetch, @Nullable FetchDirection direction) {
    Query<T> q = query;
    if (client.isClosed()) {
      return CompletableFuture.completedFuture(null);
    }
    if (q.isRemoved() && !closed.get()) {
      Query<T> fresh = rebuild.get();
      if (fresh != q) {
        query = fresh;
        fresh.addObserver(this, config);
        q = fresh;
      }
    }
    return q.fetch(config, cancelRefetch, direction).handle((v, e) -> null);
  }

  /** A fetch that joins one in flight, for mount, interval, reconnect and focus. */
  @SuppressWarnings("FutureReturnValueIgnored") // never fails; the outcome is in the state
  void fetchInBackground() {
    executeFetch(false, null);
  }

  @Override
  public QueryResult<R> currentResult() {
    return current;
  }

  @Override
  public CompletableFuture<QueryResult<R>> refetch() {
    return afterFetch(executeFetch(true, null));
  }

  /**
   * This observer's result once {@code fetch} settled and its notifications were processed,
   * completed on the callback executor.
   */
  CompletableFuture<QueryResult<R>> afterFetch(CompletableFuture<@Nullable Object> fetch) {
    return fetch.thenCompose(
        x -> {
          CompletableFuture<QueryResult<R>> result = new CompletableFuture<>();
          query.afterNotifications(
              () -> result.completeAsync(() -> current, client.callbackExecutor()));
          return result;
        });
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    query.removeObserver(this);
    client.pipeline().enqueue(this::cancelTimers);
    client.pipeline().flush();
  }

  // ---------------------------------------------------------------- pipeline

  /** A state change of the observed query; runs on the pipeline. */
  void onQueryUpdate(Query<T> from, QueryState<T> s) {
    if (closed.get() || from != query) {
      return;
    }
    QueryResult<R> r = compute(s);
    scheduleTimers(s);
    if (!r.equals(last)) {
      last = r;
      current = r;
      delivery.execute(
          () -> {
            if (!closed.get()) {
              listener.accept(r);
            }
          });
      client.emit(new QueryCacheEvent.ObserverResultsUpdated(from.key));
    }
  }

  private QueryResult<R> compute(QueryState<T> s) {
    long now = client.clock().currentTimeMillis();
    QueryStatus status = s.status();
    Optional<Throwable> error = s.error();
    Optional<R> data = Optional.empty();
    boolean isPlaceholder = false;
    if (s.data().isPresent()) {
      lastDefinedData = s.data();
      try {
        data = Optional.of(selectMemo(s.data().get()));
      } catch (RuntimeException e) {
        status = QueryStatus.ERROR;
        error = Optional.of(e);
        data = Optional.ofNullable(memoSelected);
      }
    } else if (status == QueryStatus.PENDING && placeholder != null) {
      try {
        Optional<T> ph = Objects.requireNonNull(placeholder.apply(lastDefinedData));
        if (ph.isPresent()) {
          data = Optional.of(Objects.requireNonNull(select.apply(ph.get()), "select result"));
          status = QueryStatus.SUCCESS;
          isPlaceholder = true;
        }
      } catch (RuntimeException e) {
        client.errorHandler().safeHandle("placeholderData of " + query.key, e);
      }
    }
    int fetched = s.dataUpdateCount() + s.errorUpdateCount();
    return new QueryResult<>(
        status,
        s.fetchStatus(),
        data,
        s.dataUpdatedAt(),
        error,
        s.errorUpdatedAt(),
        s.errorUpdateCount(),
        s.fetchFailureCount(),
        s.fetchFailureReason(),
        fetched > 0,
        fetched > mountCount,
        isStale(s, now),
        isPlaceholder,
        settings.enabled());
  }

  /** {@code select}, memoized per data instance, its result kept when equal (spec 2.9). */
  private R selectMemo(T data) {
    R previous = memoSelected;
    if (data == memoData && previous != null) {
      return previous;
    }
    R selected = Objects.requireNonNull(select.apply(data), "select result");
    R kept = previous != null && previous.equals(selected) ? previous : selected;
    memoData = data;
    memoSelected = kept;
    return kept;
  }

  private void scheduleTimers(QueryState<T> s) {
    cancelTimers();
    long now = client.clock().currentTimeMillis();
    StaleTime st = settings.staleTime();
    if (settings.enabled() && s.data().isPresent() && !s.isInvalidated() && !st.isInfinite()) {
      long until = st.millisUntilStale(s.dataUpdatedAt(), now);
      if (until > 0) {
        staleTimer =
            client
                .scheduler()
                .schedule(
                    Duration.ofMillis(until + 1),
                    () -> {
                      if (!closed.get() && !client.isClosed()) {
                        query.refresh(this);
                      }
                    });
      }
    }
    Duration interval = settings.refetchInterval();
    if (settings.enabled() && !interval.isZero()) {
      intervalTimer =
          client
              .scheduler()
              .schedule(
                  interval,
                  () -> {
                    if (closed.get() || client.isClosed()) {
                      return;
                    }
                    if (settings.refetchIntervalInBackground()
                        || client.connectivity().isFocused()) {
                      fetchInBackground();
                    } else {
                      query.refresh(this); // re-arms the interval
                    }
                  });
    }
  }

  private void cancelTimers() {
    Cancellable t = staleTimer;
    staleTimer = null;
    if (t != null) {
      t.cancel();
    }
    t = intervalTimer;
    intervalTimer = null;
    if (t != null) {
      t.cancel();
    }
  }

  @Override
  public String toString() {
    return "QueryObserver{" + query.key + "}";
  }
}
