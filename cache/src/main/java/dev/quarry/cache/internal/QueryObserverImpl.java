package dev.quarry.cache.internal;

import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatus;
import dev.quarry.cache.RefetchMode;
import dev.quarry.cache.ResultProperty;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.Cancellable;
import dev.quarry.core.Registration;
import dev.quarry.core.internal.SerialExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An observer of one query (spec 2.9). It is created without listeners (TanStack's {@code new
 * QueryObserver}): it builds its query but is not attached to it, so it neither fetches nor keeps
 * the query from gc. The first listener attaches it (and fetches on mount if due), the last one
 * leaving detaches it. {@link #setOptions} swaps its {@link ObserverBinding} as one value and moves
 * it to another query when the key changed.
 *
 * <p>Results are computed on the client's {@link Pipeline}, one state change at a time, and handed
 * to the listeners through one {@link SerialExecutor} on the callback executor, so listeners see
 * changed results only, in order.
 *
 * <p>Locks: {@link #membership} guards which query the observer is attached to and the binding
 * swap; under it only the query's own lock is taken (never the other way round) and no user code
 * runs: the pipeline is flushed and cancellations run after it is released. Fields marked
 * "pipeline" are touched only by pipeline tasks, which never run concurrently.
 */
class QueryObserverImpl<T, R> implements QueryObserver<R> {
  final RealQueryClient client;
  private final SerialExecutor delivery;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object membership = new Object();
  private final List<Listener<R>> listeners = new CopyOnWriteArrayList<>();

  private volatile ObserverBinding<?, R> binding;
  private volatile QueryResult<R> current;
  private volatile int mountCount;

  // membership
  private @Nullable Query<?> attachedTo;

  // pipeline
  private @Nullable QueryResult<R> last;
  private @Nullable Object memoData;
  private @Nullable R memoSelected;
  private @Nullable Object memoSelect;
  private Optional<?> lastDefinedData = Optional.empty();
  private @Nullable Cancellable staleTimer;
  private @Nullable Cancellable intervalTimer;

  QueryObserverImpl(RealQueryClient client, ObserverBinding<T, R> binding) {
    this.client = client;
    this.binding = binding;
    this.mountCount = updates(binding.query().state());
    this.delivery =
        new SerialExecutor(
            client.callbackExecutor(), client.errorHandler(), "observer of " + binding.query().key);
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
            binding.settings().enabled());
  }

  /** Computes the first result without attaching (an observer starts without listeners). */
  void start() {
    refreshOn(binding.query());
  }

  /** Queues a recomputation of this observer's result from {@code q}'s current state. */
  @SuppressWarnings({"unchecked", "rawtypes"}) // the binding's query and this observer agree
  private void refreshOn(Query<?> q) {
    ((Query) q).refresh(this);
  }

  private static int updates(QueryState<?> s) {
    return s.dataUpdateCount() + s.errorUpdateCount();
  }

  /** The query this observer currently reads. */
  Query<?> query() {
    return binding.query();
  }

  Resolved settings() {
    return binding.settings();
  }

  boolean isEnabled() {
    return enabled(binding);
  }

  boolean isStatic() {
    return staleTime(binding).isStatic();
  }

  boolean isClosed() {
    return closed.get();
  }

  /** {@code enabled} of {@code b} for its query now (it may be a function of the query). */
  private boolean enabled(ObserverBinding<?, R> b) {
    return b.settings().enabledFor(b.query(), client.errorHandler());
  }

  /** staleTime of {@code b} for its query now (it may be a function of the query). */
  private StaleTime staleTime(ObserverBinding<?, R> b) {
    return b.settings().staleTimeFor(b.query(), client.errorHandler());
  }

  /** This observer's view of staleness (spec 2.3): a disabled observer is never stale. */
  boolean isStale(QueryState<?> s, long now) {
    return isStale(binding, s, now);
  }

  private boolean isStale(ObserverBinding<?, R> b, QueryState<?> s, long now) {
    if (!enabled(b)) {
      return false;
    }
    if (s.data().isEmpty()) {
      return true;
    }
    StaleTime st = staleTime(b);
    if (st.isStatic()) {
      return false;
    }
    return s.isInvalidated() || st.isStaleAt(s.dataUpdatedAt(), now);
  }

  private boolean shouldFetchOnMount(ObserverBinding<?, R> b, QueryState<?> s) {
    if (!enabled(b)) {
      return false;
    }
    if (s.data().isEmpty()) {
      return !(s.status() == QueryStatus.ERROR && !b.settings().retryOnMount());
    }
    return allows(b, b.settings().refetchOnMount(), s);
  }

  private boolean allows(ObserverBinding<?, R> b, RefetchMode mode, QueryState<?> s) {
    if (mode == RefetchMode.NEVER || !enabled(b) || staleTime(b).isStatic()) {
      return false;
    }
    return mode == RefetchMode.ALWAYS || isStale(b, s, client.clock().currentTimeMillis());
  }

  boolean shouldFetchOnReconnect() {
    ObserverBinding<?, R> b = binding;
    return allows(b, b.settings().refetchOnReconnect(), b.query().state());
  }

  boolean shouldFetchOnFocus() {
    ObserverBinding<?, R> b = binding;
    return allows(b, b.settings().refetchOnWindowFocus(), b.query().state());
  }

  // ---------------------------------------------------------------- listeners

  @Override
  public Registration subscribe(Consumer<QueryResult<R>> listener) {
    Objects.requireNonNull(listener, "listener");
    Listener<R> l = new Listener<>(listener);
    Runnable after;
    boolean first;
    synchronized (membership) {
      if (closed.get()) {
        throw new IllegalStateException(
            "observer of " + binding.query().key + " is closed: create a new one to subscribe");
      }
      first = listeners.isEmpty();
      listeners.add(l);
      after = reattachLocked();
    }
    after.run();
    ObserverBinding<?, R> b = binding;
    if (first && shouldFetchOnMount(b, b.query().state())) {
      fetchInBackground();
    }
    refreshOn(b.query()); // computes the result and primes the new listener
    return () -> unsubscribe(l);
  }

  private void unsubscribe(Listener<R> l) {
    if (!l.closed.compareAndSet(false, true)) {
      return;
    }
    Runnable after;
    synchronized (membership) {
      listeners.remove(l);
      after = reattachLocked();
    }
    after.run();
    if (listeners.isEmpty()) {
      client.pipeline().enqueue(this::cancelTimers);
      client.pipeline().flush();
    }
  }

  @Override
  public boolean hasListeners() {
    return !listeners.isEmpty();
  }

  /**
   * Makes the attachment match "has listeners and is open" for the current binding. Under {@link
   * #membership}; returns what runs after it is released.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Runnable reattachLocked() {
    ObserverBinding<?, R> b = binding;
    Query<?> want = !closed.get() && !listeners.isEmpty() ? b.query() : null;
    Query<?> have = attachedTo;
    Runnable detach = () -> {};
    if (have != null && have != want) {
      detach = ((Query) have).detach(this);
      attachedTo = null;
    }
    if (want != null) {
      ((Query) want).attach(this, b.config()); // also pushes changed options into the same query
      attachedTo = want;
    }
    Runnable finish = detach;
    return () -> {
      finish.run();
      client.pipeline().flush();
    };
  }

  // ---------------------------------------------------------------- options

  @Override
  public <U> void setOptions(QueryOptions<U> options, Function<? super U, ? extends R> select) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(select, "select");
    if (binding.query().infinite) {
      throw new UnsupportedOperationException(
          "observer of infinite query "
              + binding.query().key
              + " takes InfiniteQueryOptions: use setOptions(InfiniteQueryOptions)");
    }
    rebind(Observers.bind(client, options, select));
  }

  /**
   * Replaces the binding; while subscribed, fetches if the query changed or the observer was
   * disabled, and the new view of it is stale (spec 2.9, option changes).
   */
  void rebind(ObserverBinding<?, R> next) {
    ObserverBinding<?, R> prev;
    Runnable after;
    synchronized (membership) {
      if (closed.get()) {
        throw new IllegalStateException(
            "observer of " + binding.query().key + " is closed: setOptions needs an open one");
      }
      prev = binding;
      binding = next;
      if (next.query() != prev.query()) {
        mountCount = updates(next.query().state());
      }
      after = reattachLocked();
    }
    after.run();
    boolean subscribed = hasListeners();
    if (subscribed
        && (next.query() != prev.query() || !enabled(prev))
        && isStale(next, next.query().state(), client.clock().currentTimeMillis())) {
      fetchInBackground();
    }
    refreshOn(next.query());
  }

  // ---------------------------------------------------------------- fetching

  /** Fetches through this observer's options; never fails. */
  CompletableFuture<@Nullable Object> executeFetch(
      boolean cancelRefetch, @Nullable FetchDirection direction) {
    if (client.isClosed()) {
      return CompletableFuture.completedFuture(null);
    }
    ObserverBinding<?, R> b = binding;
    if (b.query().isRemoved() && !closed.get()) {
      b = rebuild(b);
    }
    return fetch(b, cancelRefetch, direction).handle((v, e) -> null);
  }

  private static <X> CompletableFuture<X> fetch(
      ObserverBinding<X, ?> b, boolean cancelRefetch, @Nullable FetchDirection direction) {
    return b.query().fetch(b.config(), cancelRefetch, direction);
  }

  /** The query was collected or removed: builds it again, as TanStack's observer does. */
  private <X> ObserverBinding<?, R> rebuild(ObserverBinding<X, R> old) {
    Query<X> fresh = old.rebuild().get();
    if (fresh == old.query()) {
      return old;
    }
    ObserverBinding<X, R> next =
        new ObserverBinding<>(
            fresh,
            old.config(),
            old.settings(),
            old.select(),
            old.placeholder(),
            old.notifyOn(),
            old.rebuild());
    Runnable after;
    synchronized (membership) {
      if (binding != old) {
        return binding; // setOptions won meanwhile
      }
      binding = next;
      after = reattachLocked();
    }
    after.run();
    return next;
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
    return refetch(true);
  }

  @Override
  public CompletableFuture<QueryResult<R>> refetch(boolean cancelRefetch) {
    return afterFetch(executeFetch(cancelRefetch, null));
  }

  /**
   * This observer's result once {@code fetch} settled, recomputed from its query's state (an
   * observer without listeners is not told of state changes), completed on the callback executor.
   */
  CompletableFuture<QueryResult<R>> afterFetch(CompletableFuture<@Nullable Object> fetch) {
    return fetch.thenCompose(
        x -> {
          CompletableFuture<QueryResult<R>> result = new CompletableFuture<>();
          Query<?> q = binding.query();
          refreshOn(q);
          q.afterNotifications(
              () -> result.completeAsync(() -> current, client.callbackExecutor()));
          return result;
        });
  }

  @Override
  public void close() {
    Runnable after;
    synchronized (membership) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      for (Listener<R> l : listeners) {
        l.closed.set(true);
      }
      listeners.clear();
      after = reattachLocked();
    }
    after.run();
    client.pipeline().enqueue(this::cancelTimers);
    client.pipeline().flush();
  }

  // ---------------------------------------------------------------- pipeline

  /** A state change of the observed query; runs on the pipeline. */
  void onQueryUpdate(Query<?> from, QueryState<?> s) {
    ObserverBinding<?, R> b = binding;
    if (closed.get() || from != b.query()) {
      return;
    }
    QueryResult<R> r = compute(b, s);
    boolean subscribed = hasListeners();
    if (subscribed) {
      scheduleTimers(b, s);
    }
    QueryResult<R> previous = last;
    boolean changed = !r.equals(previous);
    if (changed) {
      last = r;
      current = r;
    }
    Set<ResultProperty> props = b.notifyOn();
    boolean notify =
        changed
            && (previous == null
                || props == null
                || props.stream().anyMatch(p -> !p.valueIn(previous).equals(p.valueIn(r))));
    for (Listener<R> l : listeners) {
      if (!l.primed) {
        l.primed = true; // a new listener gets the current result first, changed or not
        deliver(l, r);
      } else if (notify) {
        deliver(l, r);
      }
    }
    if (changed && subscribed) {
      client.emit(new QueryCacheEvent.ObserverResultsUpdated(from.key));
    }
  }

  private void deliver(Listener<R> l, QueryResult<R> r) {
    delivery.execute(
        () -> {
          if (!l.closed.get()) {
            l.fn.accept(r);
          }
        });
  }

  @SuppressWarnings("unchecked") // the binding's query holds data of the binding's type
  private <X> QueryResult<R> compute(ObserverBinding<X, R> b, QueryState<?> raw) {
    QueryState<X> s = (QueryState<X>) raw;
    long now = client.clock().currentTimeMillis();
    QueryStatus status = s.status();
    Optional<Throwable> error = s.error();
    Optional<R> data = Optional.empty();
    boolean isPlaceholder = false;
    if (s.data().isPresent()) {
      lastDefinedData = s.data();
      try {
        data = Optional.of(selectMemo(b, s.data().get()));
      } catch (RuntimeException e) {
        status = QueryStatus.ERROR;
        error = Optional.of(e);
        data = Optional.ofNullable(memoSelected);
      }
    } else if (status == QueryStatus.PENDING && b.placeholder() != null) {
      try {
        Optional<X> ph =
            Objects.requireNonNull(b.placeholder().apply((Optional<X>) lastDefinedData));
        if (ph.isPresent()) {
          data = Optional.of(Objects.requireNonNull(b.select().apply(ph.get()), "select result"));
          status = QueryStatus.SUCCESS;
          isPlaceholder = true;
        }
      } catch (RuntimeException e) {
        client.errorHandler().safeHandle("placeholderData of " + b.query().key, e);
      }
    }
    int fetched = updates(s);
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
        isStale(b, s, now),
        isPlaceholder,
        enabled(b));
  }

  /**
   * {@code select}, memoized per data instance and select function, its result structurally shared
   * with the previous one: unchanged parts keep their instance, and a result equal to the previous
   * one is the previous instance. With structural sharing off, the select's own result; a custom
   * sharing function is typed to the query's data, not to the selected value, so selected values
   * are shared with {@link ReplaceEqualDeep} then.
   */
  private <X> R selectMemo(ObserverBinding<X, R> b, X data) {
    R previous = memoSelected;
    if (data == memoData && previous != null && b.select() == memoSelect) {
      return previous;
    }
    R selected = Objects.requireNonNull(b.select().apply(data), "select result");
    R kept =
        previous == null || b.settings().sharing() == ReplaceEqualDeep.NONE
            ? selected
            : ReplaceEqualDeep.share(previous, selected);
    memoData = data;
    memoSelect = b.select();
    memoSelected = kept;
    return kept;
  }

  private void scheduleTimers(ObserverBinding<?, R> b, QueryState<?> s) {
    cancelTimers();
    Resolved settings = b.settings();
    long now = client.clock().currentTimeMillis();
    StaleTime st = staleTime(b);
    boolean enabled = enabled(b);
    if (enabled && s.data().isPresent() && !s.isInvalidated() && !st.isInfinite()) {
      long until = st.millisUntilStale(s.dataUpdatedAt(), now);
      if (until > 0) {
        staleTimer =
            client
                .scheduler()
                .schedule(
                    Duration.ofMillis(until + 1),
                    () -> {
                      if (!closed.get() && !client.isClosed()) {
                        refreshOn(binding.query());
                      }
                    });
      }
    }
    Duration interval = settings.refetchInterval();
    if (enabled && !interval.isZero()) {
      intervalTimer =
          client
              .scheduler()
              .schedule(
                  interval,
                  () -> {
                    if (closed.get() || client.isClosed() || !hasListeners()) {
                      return;
                    }
                    if (settings.refetchIntervalInBackground()
                        || client.connectivity().isFocused()) {
                      fetchInBackground();
                    } else {
                      refreshOn(binding.query()); // re-arms the interval
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
    return "QueryObserver{" + binding.query().key + ", listeners=" + listeners.size() + "}";
  }

  /** One subscribed listener; {@code primed} once it received its first result (pipeline). */
  private static final class Listener<R> {
    final Consumer<QueryResult<R>> fn;
    final AtomicBoolean closed = new AtomicBoolean();
    boolean primed;

    Listener(Consumer<QueryResult<R>> fn) {
      this.fn = fn;
    }
  }
}
