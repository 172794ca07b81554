package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.DehydratedState;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.InfiniteData;
import dev.quarry.cache.InfiniteQueryObserver;
import dev.quarry.cache.InfiniteQueryOptions;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.ListenerSet;
import dev.quarry.core.internal.Owned;
import dev.quarry.core.internal.SubsystemErrors;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The {@link QueryClient}: the cache of {@link Query} objects on Caffeine, and its wiring. */
public final class RealQueryClient implements QueryClient {
  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor callbackExecutor;

  /** What this client created (scheduler, callback thread) and stops when it closes. */
  private final Owned owned;

  private final ErrorHandler errorHandler;
  private final Connectivity connectivity;
  private final DefaultsLayers defaults;
  private final ObjectMapper mapper;
  private final @Nullable JsonHttp http;
  private final Pipeline pipeline;
  private final ListenerSet<QueryCacheEvent> events;
  private final QueryStore store;
  private final ReconnectWiring reconnect;
  private final CacheCallbacks cacheCallbacks;
  private final FetchStats stats;
  private final GcQueue gcQueue;

  /**
   * {@link #CLOSED} once {@link #close} began, {@link #STATS} while a stats listener is registered:
   * what a fresh {@code fetchQuery} hit checks, in one load of this object's own field. Set and
   * cleared with compare-and-set ({@link #FLAGS}).
   */
  private volatile int flags;

  private static final int CLOSED = 1;
  private static final int STATS = 2;
  private static final VarHandle FLAGS;

  static {
    try {
      FLAGS = MethodHandles.lookup().findVarHandle(RealQueryClient.class, "flags", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Creates the client from the builder's settings. */
  public RealQueryClient(ClientConfig config) {
    this.errorHandler = SubsystemErrors.of(config.errorHandler(), "dev.quarry.cache");
    this.clock = config.clock() != null ? config.clock() : Clock.system();
    this.owned = new Owned("query client", errorHandler);
    this.callbackExecutor =
        config.callbackExecutor() != null
            ? config.callbackExecutor()
            : owned.singleThreadExecutor("cache-callbacks");
    this.scheduler =
        config.scheduler() != null
            ? config.scheduler()
            : owned.add("scheduler", RealScheduler.create(errorHandler));
    this.connectivity =
        config.connectivity() != null ? config.connectivity() : Connectivity.create();
    this.defaults = new DefaultsLayers(config.defaults());
    this.http = config.http();
    this.mapper = config.objectMapper() != null ? config.objectMapper() : Defaults.objectMapper();
    this.pipeline = new Pipeline(errorHandler);
    this.events = new ListenerSet<>(callbackExecutor, errorHandler, "query cache");
    this.cacheCallbacks =
        new CacheCallbacks(config.cacheCallbacks(), pipeline, callbackExecutor, errorHandler);
    this.stats =
        new FetchStats(callbackExecutor, errorHandler, clock, active -> setFlag(STATS, active));
    this.gcQueue = new GcQueue(clock, scheduler);
    this.store = new QueryStore(this, config.maximumSize());
    this.reconnect = new ReconnectWiring(this, connectivity, errorHandler);
  }

  // ---------------------------------------------------------------- plumbing for queries

  Clock clock() {
    return clock;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Executor callbackExecutor() {
    return callbackExecutor;
  }

  ErrorHandler errorHandler() {
    return errorHandler;
  }

  @Override
  public Connectivity connectivity() {
    return connectivity;
  }

  Pipeline pipeline() {
    return pipeline;
  }

  JsonHttp http() {
    JsonHttp h = http;
    if (h == null) {
      throw new IllegalStateException(
          "no HTTP client configured: build the QueryClient with .http(jsonHttp)");
    }
    return h;
  }

  CacheCallbacks cacheCallbacks() {
    return cacheCallbacks;
  }

  FetchStats stats() {
    return stats;
  }

  GcQueue gcQueue() {
    return gcQueue;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** Emits a cache event; called only from pipeline tasks, which keeps their order. */
  void emit(QueryCacheEvent event) {
    events.emit(event);
  }

  boolean isClosed() {
    return (flags & CLOSED) != 0;
  }

  /** The after-close contract: new work is refused. */
  private void requireOpen() {
    requireOpen(flags);
  }

  private static void requireOpen(int flags) {
    if ((flags & CLOSED) != 0) {
      throw new IllegalStateException("the QueryClient is closed");
    }
  }

  /** Sets or clears {@code bit} of {@link #flags}; true if this call changed it. */
  private boolean setFlag(int bit, boolean on) {
    while (true) {
      int f = flags;
      int next = on ? f | bit : f & ~bit;
      if (f == next) {
        return false;
      }
      if (FLAGS.compareAndSet(this, f, next)) {
        return true;
      }
    }
  }

  /** Re-weighs a query whose pinned state changed, so a size bound never evicts it. */
  void repin(Query<?> q) {
    store.repin(q);
  }

  /** The gc timer fired on an unobserved, idle query. */
  void collect(Query<?> q) {
    store.remove(q);
  }

  QueryDefaults merged(QueryKey key, QueryDefaults explicit) {
    return defaults.merged(key, explicit);
  }

  <T> @Nullable Query<T> find(QueryKey key) {
    return store.find(key);
  }

  /** Under {@code q}'s lock, while it is the live query of its key: its data is now {@code d}. */
  void indexData(Query<?> q, Optional<?> d) {
    store.indexData(q, d);
  }

  /** Under {@code q}'s lock, once it was removed: its data leaves the index. */
  void unindexData(Query<?> q) {
    store.unindexData(q);
  }

  <T> Query<T> getOrCreate(
      QueryKey key, Resolved settings, Supplier<QueryState<T>> initial, boolean infinite) {
    return store.getOrCreate(key, settings, initial, infinite);
  }

  <T> Supplier<QueryState<T>> initialState(QueryOptions<T> options) {
    return () ->
        options
            .initialData()
            .map(
                d ->
                    QueryState.withInitialData(
                        d, options.initialDataUpdatedAt().orElse(clock.currentTimeMillis())))
            .orElseGet(QueryState::initial);
  }

  <T> Query<T> build(QueryOptions<T> options, Resolved settings) {
    Supplier<QueryState<T>> initial = initialState(options);
    Query<T> q = getOrCreate(options.key(), settings, initial, false);
    if (options.hasInitialData()) {
      q.rememberInitialData(initial);
      if (q.state().data().isEmpty()) {
        q.initialize(initial.get());
      }
    }
    return q;
  }

  <T> QueryConfig<T> config(QueryOptions<T> options, Resolved r) {
    return new QueryConfig<>(
        FetchBehavior.plain(options.function()),
        r.retry(),
        r.networkMode(),
        r.gcTime(),
        options.structuralSharing().orElseGet(r::sharingOf));
  }

  List<Query<?>> all() {
    return store.all();
  }

  List<Query<?>> matching(QueryFilters f) {
    return store.findAll(f);
  }

  @Override
  public Registration addReconnectBarrier(Supplier<? extends CompletionStage<?>> step) {
    requireOpen();
    return reconnect.addBarrier(step);
  }

  // ---------------------------------------------------------------- reading and writing

  /**
   * On an existing query the settings resolved for the same options instance are reused, their
   * gcTime already offered (see {@link DefaultsLayers}), so a fresh hit completes without merging,
   * locking or touching the notification pipeline: it changes no state.
   */
  @Override
  public <T> CompletableFuture<T> fetchQuery(QueryOptions<T> options) {
    int f = flags;
    requireOpen(f);
    Query<T> q = find(options.key());
    if (q != null) {
      DefaultsLayers.Memo m = defaults.forFetch(q, options, options.key(), options.settings());
      QueryState<T> s = q.state();
      if (s.data().isPresent() && !isStale(q, s, m.staleTime())) {
        if ((f & STATS) != 0) {
          stats.hit(q.key);
        }
        return CompletableFuture.completedFuture(s.data().get());
      }
      return fetchBuilt(options, m.resolved());
    }
    return fetchBuilt(options, Resolved.of(merged(options.key(), options.settings()), false));
  }

  private <T> CompletableFuture<T> fetchBuilt(QueryOptions<T> options, Resolved r) {
    Query<T> q = build(options, r);
    QueryState<T> s = q.state();
    if (s.data().isPresent() && !isStale(q, s, r.staleTime())) {
      stats.hit(q.key);
      return CompletableFuture.completedFuture(s.data().get());
    }
    return q.fetch(config(options, r), false, null);
  }

  /** Spec 2.3, in its order; the clock is read only for a finite staleTime. */
  boolean isStale(Query<?> q, QueryState<?> s, StaleTime staleTime) {
    if (s.data().isEmpty()) {
      return true;
    }
    StaleTime t = Resolved.resolve(staleTime, q, errorHandler);
    if (t.isStatic()) {
      return false;
    }
    if (s.isInvalidated()) {
      return true;
    }
    return !t.isInfinite() && t.isStaleAt(s.dataUpdatedAt(), clock.currentTimeMillis());
  }

  @Override
  public CompletableFuture<Void> prefetchQuery(QueryOptions<?> options) {
    requireOpen();
    return fetchQuery(options).handle((v, e) -> null);
  }

  @Override
  public <T> CompletableFuture<T> ensureQueryData(QueryOptions<T> options) {
    requireOpen();
    return ensureQueryData(options, false);
  }

  @Override
  @SuppressWarnings("FutureReturnValueIgnored") // the background refetch never fails
  public <T> CompletableFuture<T> ensureQueryData(
      QueryOptions<T> options, boolean revalidateIfStale) {
    requireOpen();
    Query<T> existing = find(options.key());
    Resolved r =
        existing != null
            ? defaults.forFetch(existing, options, options.key(), options.settings()).resolved()
            : Resolved.of(merged(options.key(), options.settings()), false);
    Query<T> q = build(options, r);
    QueryState<T> s = q.state();
    Optional<T> data = s.data();
    if (data.isEmpty()) {
      return q.fetch(config(options, r), false, null);
    }
    stats.hit(q.key);
    if (revalidateIfStale && isStale(q, s, r.staleTime())) {
      prefetchQuery(options);
    }
    return CompletableFuture.completedFuture(data.get());
  }

  @Override
  public <T> Optional<T> getQueryData(QueryKey key) {
    return store.data(key);
  }

  @Override
  public <T> Optional<T> getQueryData(QueryKey key, Class<T> type) {
    return this.<Object>getQueryData(key).map(type::cast);
  }

  @Override
  public <T> Optional<QueryState<T>> getQueryState(QueryKey key) {
    Query<T> q = find(key);
    return q == null ? Optional.empty() : Optional.of(q.state());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Map<QueryKey, T> getQueriesData(QueryFilters filters) {
    Map<QueryKey, T> out = new LinkedHashMap<>();
    for (Query<?> q : matching(filters)) {
      q.state().data().ifPresent(d -> out.put(q.key, (T) d));
    }
    return out;
  }

  @Override
  public <T> Optional<T> setQueryData(QueryKey key, T value) {
    requireOpen();
    java.util.Objects.requireNonNull(value, "value");
    return setQueryData(key, (Optional<T> old) -> Optional.of(value));
  }

  @Override
  public <T> Optional<T> setQueryData(QueryKey key, Function<Optional<T>, Optional<T>> updater) {
    requireOpen();
    Query<T> existing = find(key);
    Optional<T> previous = existing == null ? Optional.empty() : existing.state().data();
    Optional<T> next = updater.apply(previous);
    if (next.isEmpty()) {
      return Optional.empty();
    }
    Resolved r = Resolved.of(merged(key, QueryDefaults.none()), true);
    Query<T> q = getOrCreate(key, r, QueryState::initial, false);
    q.shareAsDefaults(r.sharingOf());
    if (q != existing) {
      previous = q.state().data();
      if (previous.isPresent()) {
        next = updater.apply(previous);
        if (next.isEmpty()) {
          return Optional.empty();
        }
      }
    }
    return q.setData(previous, next.get(), updater, clock.currentTimeMillis());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Map<QueryKey, T> setQueriesData(
      QueryFilters filters, Function<Optional<T>, Optional<T>> updater) {
    requireOpen();
    Map<QueryKey, T> out = new LinkedHashMap<>();
    for (Query<?> raw : matching(filters)) {
      Query<T> q = (Query<T>) raw;
      Optional<T> previous = q.state().data();
      Optional<T> next = updater.apply(previous);
      if (next.isPresent()) {
        q.setData(previous, next.get(), updater, clock.currentTimeMillis())
            .ifPresent(v -> out.put(q.key, v));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- bulk operations

  @Override
  public CompletableFuture<Void> invalidateQueries(QueryFilters filters) {
    return invalidateQueries(filters, true);
  }

  @Override
  public CompletableFuture<Void> invalidateQueries(QueryFilters filters, boolean cancelRefetch) {
    List<Query<?>> matched = matching(filters);
    for (Query<?> q : matched) {
      q.invalidate();
    }
    QueryFilters.RefetchType type =
        filters
            .refetchType()
            .orElse(
                switch (filters.type()) {
                  case ALL -> QueryFilters.RefetchType.ACTIVE;
                  case ACTIVE -> QueryFilters.RefetchType.ACTIVE;
                  case INACTIVE -> QueryFilters.RefetchType.INACTIVE;
                });
    if (type == QueryFilters.RefetchType.NONE) {
      return CompletableFuture.completedFuture(null);
    }
    List<Query<?>> toRefetch = new ArrayList<>();
    for (Query<?> q : matched) {
      boolean active = QueryViews.isActive(q);
      if (type == QueryFilters.RefetchType.ALL
          || (type == QueryFilters.RefetchType.ACTIVE) == active) {
        toRefetch.add(q);
      }
    }
    return refetch(toRefetch, cancelRefetch);
  }

  @Override
  public CompletableFuture<Void> refetchQueries(QueryFilters filters) {
    return refetch(matching(filters));
  }

  @Override
  public CompletableFuture<Void> refetchQueries(QueryFilters filters, boolean cancelRefetch) {
    return refetch(matching(filters), cancelRefetch);
  }

  private CompletableFuture<Void> refetch(List<Query<?>> queries) {
    return refetch(queries, true);
  }

  private CompletableFuture<Void> refetch(List<Query<?>> queries, boolean cancelRefetch) {
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (Query<?> q : queries) {
      if (QueryViews.isDisabled(q) || QueryViews.isStatic(q)) {
        continue;
      }
      CompletableFuture<?> f = q.fetch(null, cancelRefetch, null).handle((v, e) -> null);
      all.add(
          q.state().fetchStatus() == FetchStatus.PAUSED
              ? CompletableFuture.completedFuture(null)
              : f);
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletableFuture<Void> cancelQueries(QueryFilters filters) {
    return cancelQueries(filters, true);
  }

  @Override
  public CompletableFuture<Void> cancelQueries(QueryFilters filters, boolean revert) {
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (Query<?> q : matching(filters)) {
      all.add(q.cancel(revert));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletableFuture<Void> resetQueries(QueryFilters filters) {
    List<Query<?>> matched = matching(filters);
    for (Query<?> q : matched) {
      resetOne(q);
    }
    List<Query<?>> active = new ArrayList<>();
    for (Query<?> q : matched) {
      if (QueryViews.isActive(q)) {
        active.add(q);
      }
    }
    return refetch(active);
  }

  /** Back to the initial data of the query's own latest options, observed or not. */
  private <T> void resetOne(Query<T> q) {
    q.reset(q.resetState());
  }

  @Override
  public void removeQueries(QueryFilters filters) {
    for (Query<?> q : matching(filters)) {
      collect(q);
    }
  }

  @Override
  public int isFetching(QueryFilters filters) {
    return matching(filters.fetchStatus(FetchStatus.FETCHING)).size();
  }

  @Override
  public void clear() {
    removeQueries(QueryFilters.all());
  }

  @Override
  public void setQueryDefaults(QueryKey prefix, QueryDefaults d) {
    requireOpen();
    java.util.Objects.requireNonNull(prefix, "prefix");
    java.util.Objects.requireNonNull(d, "defaults");
    defaults.put(prefix, d);
  }

  @Override
  public QueryDefaults getQueryDefaults(QueryKey key) {
    return defaults.forKey(key);
  }

  // ---------------------------------------------------------------- observers and events

  @Override
  public <T> QueryObserver<T> observe(QueryOptions<T> options, Consumer<QueryResult<T>> listener) {
    requireOpen();
    return observe(options, Function.<T>identity(), listener);
  }

  @Override
  public <T, R> QueryObserver<R> observe(
      QueryOptions<T> options,
      Function<? super T, ? extends R> select,
      Consumer<QueryResult<R>> listener) {
    requireOpen();
    java.util.Objects.requireNonNull(listener, "listener");
    QueryObserver<R> o = createObserver(options, select);
    o.subscribe(listener);
    return o;
  }

  @Override
  public <T> QueryObserver<T> createObserver(QueryOptions<T> options) {
    requireOpen();
    return createObserver(options, Function.<T>identity());
  }

  @Override
  public <T, R> QueryObserver<R> createObserver(
      QueryOptions<T> options, Function<? super T, ? extends R> select) {
    requireOpen();
    java.util.Objects.requireNonNull(select, "select");
    QueryObserverImpl<T, R> o =
        new QueryObserverImpl<>(this, Observers.bind(this, options, select));
    o.start();
    return o;
  }

  @Override
  public <T, P> CompletableFuture<InfiniteData<T, P>> fetchInfiniteQuery(
      InfiniteQueryOptions<T, P> options) {
    requireOpen();
    Resolved r = Resolved.of(merged(options.key(), options.settings()), false);
    Query<InfiniteData<T, P>> q = getOrCreate(options.key(), r, QueryState::initial, true);
    QueryState<InfiniteData<T, P>> s = q.state();
    if (s.data().isPresent() && !isStale(q, s, r.staleTime())) {
      stats.hit(q.key);
      return CompletableFuture.completedFuture(s.data().get());
    }
    return q.fetch(InfiniteBehavior.config(options, r), false, null);
  }

  @Override
  public <T, P> InfiniteQueryObserver<T, P> observeInfinite(
      InfiniteQueryOptions<T, P> options, Consumer<QueryResult<InfiniteData<T, P>>> listener) {
    requireOpen();
    java.util.Objects.requireNonNull(listener, "listener");
    InfiniteQueryObserver<T, P> o = createInfiniteObserver(options);
    o.subscribe(listener);
    return o;
  }

  @Override
  public <T, P> InfiniteQueryObserver<T, P> createInfiniteObserver(
      InfiniteQueryOptions<T, P> options) {
    requireOpen();
    InfiniteObserverImpl<T, P> o = new InfiniteObserverImpl<>(this, options);
    o.start();
    return o;
  }

  @Override
  public Registration subscribe(Consumer<QueryCacheEvent> listener) {
    requireOpen();
    return events.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public Registration addStatsListener(dev.quarry.cache.QueryStatsListener listener) {
    requireOpen();
    return stats.add(listener);
  }

  @Override
  public List<QuerySnapshot> snapshot() {
    return snapshots(all());
  }

  @Override
  public List<QuerySnapshot> findAll(QueryFilters filters) {
    return snapshots(matching(filters));
  }

  private static List<QuerySnapshot> snapshots(List<Query<?>> queries) {
    List<QuerySnapshot> out = new ArrayList<>(queries.size());
    for (Query<?> q : queries) {
      out.add(QueryViews.snapshot(q));
    }
    return out;
  }

  // ---------------------------------------------------------------- hydration

  @Override
  public DehydratedState dehydrate() {
    return dehydrate(s -> true);
  }

  @Override
  public DehydratedState dehydrate(Predicate<QuerySnapshot> filter) {
    return Hydration.dehydrate(this, all(), filter);
  }

  @Override
  public void hydrate(DehydratedState state) {
    requireOpen();
    hydrate(state, key -> Optional.empty());
  }

  @Override
  public void hydrate(DehydratedState state, Function<QueryKey, Optional<JavaType>> types) {
    requireOpen();
    Hydration.hydrate(this, state, types);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void close() {
    if (!setFlag(CLOSED, true)) {
      return;
    }
    reconnect.close();
    clear();
    owned.close();
  }

  @Override
  public String toString() {
    return "QueryClient{queries=" + store.size() + "}";
  }
}
