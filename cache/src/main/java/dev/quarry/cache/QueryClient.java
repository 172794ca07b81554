package dev.quarry.cache;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.internal.ClientConfig;
import dev.quarry.cache.internal.RealQueryClient;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonHttp;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A cache of server state with TanStack Query v5 semantics: cached, deduplicated, retried fetches;
 * stale-while-revalidate; observers; invalidation; garbage collection; infinite queries; hydration.
 *
 * <pre>{@code
 * QueryClient client = QueryClient.builder()
 *     .defaults(QueryDefaults.builder().staleTime(Duration.ofMinutes(5)).build())
 *     .build();
 * var todos = QueryOptions.of(QueryKey.of("todos"), ctx -> api.todos());
 * client.fetchQuery(todos).thenAccept(this::show);          // fetched once, then cached
 * try (var o = client.observe(todos, r -> render(r))) { ... } // live results
 * client.invalidateQueries(QueryFilters.prefix(QueryKey.of("todos")));
 * client.close();
 * }</pre>
 *
 * <h2>staleTime versus gcTime</h2>
 *
 * Two independent clocks run for every cached query:
 *
 * <ul>
 *   <li><b>staleTime</b> (default 0) says how long data counts as <em>fresh</em>. Fresh data is
 *       served from the cache without asking the server; stale data is still served, but a mount,
 *       focus, reconnect or {@code fetchQuery} also refetches it. Staleness is inclusive: data is
 *       stale once {@code now >= dataUpdatedAt + staleTime}.
 *   <li><b>gcTime</b> (default 5 minutes) says how long a query <em>nobody observes</em> stays in
 *       memory. The timer starts when the query is created, when its last observer leaves and when
 *       a fetch ends; a query that is observed or fetching is never collected. Collected data is
 *       gone: the next use starts from "no data" and fetches.
 * </ul>
 *
 * <pre>{@code
 * // staleTime 1 min, gcTime 10 min:
 * //  t=0      fetch -> data cached, fresh
 * //  t=30s    observe -> cached data, no request (fresh)
 * //  t=90s    observe -> cached data shown at once AND a background refetch (stale)
 * //  t=95s    last observer closes -> gc timer starts (10 min)
 * //  t=11m35s query removed; the next observe shows "pending" and fetches
 * }</pre>
 *
 * So staleTime trades freshness for requests, gcTime trades memory for instant display.
 *
 * <h2>Threads, errors, nullness</h2>
 *
 * Every method may be called from any thread. State changes of one query are serialized; no user
 * code (query functions, updaters, {@code select}, listeners, predicates) runs while a Quarry lock
 * is held. Listeners and observers run on the callback executor, in order per listener; an
 * exception they throw goes to the {@link ErrorHandler} and delivery to others continues.
 *
 * <p>The futures this client returns ({@code fetchQuery}, {@code prefetchQuery}, {@code
 * ensureQueryData}, {@code fetchInfiniteQuery}, {@code invalidateQueries}, {@code refetchQueries},
 * {@code cancelQueries}, {@code resetQueries}) are <em>not</em> completed through the callback
 * executor: one that settles later completes on the thread that produced its outcome (the thread
 * that completed the query function's stage, for example OkHttp's dispatcher thread for a {@link
 * JsonHttp} call; the scheduler thread for a retry; the calling thread for a cancel), with no
 * hand-off in between, once the query's state holds the outcome. A dependent stage attached with
 * {@code thenApply} or {@code thenAccept} therefore runs on that thread: keep it short, or attach
 * it with an {@code ...Async} variant and your own executor (for example {@code
 * thenAcceptAsync(this::show, SwingUtilities::invokeLater)}). A future that is already complete
 * when returned (a fresh hit) runs dependent stages on the caller's thread. Data is never {@code
 * null}: "no data" is {@link Optional#empty()}, and a query function completing with {@code null}
 * fails the fetch (not retried).
 *
 * <h2>Lifecycle</h2>
 *
 * The client listens to its {@link Connectivity} from {@code build()} (refetch on reconnect and
 * focus, resume paused retries, after the {@linkplain #addReconnectBarrier reconnect barriers}).
 * {@link #close()} stops listening, cancels timers and stops the threads the client created (not an
 * executor or scheduler it was given).
 *
 * <p><b>After {@code close()}</b>, as for every Quarry client: {@code close()} again does nothing;
 * a call that starts new work throws {@link IllegalStateException} saying the client is closed;
 * work in flight when it closed completes exceptionally, never stays pending; what can still be
 * read answers from what is left.
 */
public interface QueryClient extends AutoCloseable {

  /** A builder with the defaults described on each method. */
  static Builder builder() {
    return new Builder();
  }

  // ---- reading and writing the cache

  /**
   * Fetches the query unless its cached data is fresh (by its staleTime, default 0), and completes
   * with the data. Joins a fetch in flight. Retries only if a retry policy was set in the options
   * or defaults (TanStack: {@code retry: false} for {@code fetchQuery}). Fails with the last error,
   * or {@link CancelledException}.
   *
   * <p>Thread: a fresh hit returns a completed future. Otherwise the future completes on the thread
   * that produced the outcome (the one that completed the query function's stage, the scheduler
   * thread after a retry's delay, or the thread that cancelled), without a hand-off to the callback
   * executor, so stages chained without an executor run there; observers of the query still hear of
   * it on the callback executor. See "Threads, errors, nullness" above.
   */
  <T> CompletableFuture<T> fetchQuery(QueryOptions<T> options);

  /**
   * {@link #fetchQuery}, but never fails and completes with nothing; on the thread that {@code
   * fetchQuery}'s future would complete on.
   */
  CompletableFuture<Void> prefetchQuery(QueryOptions<?> options);

  /**
   * The cached data (initial data counts) whatever its staleness, or {@link #fetchQuery} (whose
   * future completes on the thread that produced the data, see there).
   */
  <T> CompletableFuture<T> ensureQueryData(QueryOptions<T> options);

  /**
   * {@link #ensureQueryData(QueryOptions)} with TanStack's {@code revalidateIfStale}: when true and
   * the cached data is stale by the options' staleTime, the cached data is returned at once and a
   * background {@link #prefetchQuery} refreshes it. Without cached data it fetches like {@code
   * fetchQuery}.
   */
  <T> CompletableFuture<T> ensureQueryData(QueryOptions<T> options, boolean revalidateIfStale);

  /** The data of the query with exactly this key; creates nothing. Unchecked type. */
  <T> Optional<T> getQueryData(QueryKey key);

  /**
   * The data of the query with exactly this key, if it is a {@code type}.
   *
   * @throws ClassCastException if the data is of another type
   */
  <T> Optional<T> getQueryData(QueryKey key, Class<T> type);

  /**
   * The data of the query with exactly this typed key, of the key's type; creates nothing. The type
   * is inferred from the key: {@code Optional<List<Todo>> todos = client.getQueryData(TODOS)}.
   *
   * @throws ClassCastException if the cached data is not of the key's type (see {@link
   *     TypedKey#cast}), naming the key, the declared type and the class found
   */
  default <T> Optional<T> getQueryData(TypedKey<T> key) {
    return this.<Object>getQueryData(key.key()).map(key::cast);
  }

  /**
   * The data of the query of {@code options}, of the options' type (TanStack's {@code
   * getQueryData(queryOptions.queryKey)}); creates nothing. Checked as {@link
   * #getQueryData(TypedKey)} when the options have a {@linkplain QueryOptions#typedKey() typed
   * key}, unchecked otherwise.
   *
   * @throws ClassCastException if the options have a typed key and the data is not of its type
   */
  default <T> Optional<T> getQueryData(QueryOptions<T> options) {
    return this.<Object>getQueryData(options.key()).map(options::castData);
  }

  /** The state of the query with exactly this key. */
  <T> Optional<QueryState<T>> getQueryState(QueryKey key);

  /** The data of every matching query that has data, in insertion order. */
  <T> Map<QueryKey, T> getQueriesData(QueryFilters filters);

  /**
   * Stores {@code value} as the query's data (a manual success: status success, not invalidated,
   * dataUpdatedAt now). Creates the query with its defaults if needed. Does not cancel a running
   * fetch, whose result overwrites this value when it lands.
   *
   * @return the stored value (the old instance if equal)
   */
  <T> Optional<T> setQueryData(QueryKey key, T value);

  /**
   * Stores {@code updater.apply(currentData)}; an empty result is a no-op that creates nothing. The
   * updater runs outside any lock and may be called again if the data changed concurrently. It sees
   * the shown data, pending optimistic changes included, and its result is taken as the new server
   * data under those changes; to write beneath them use {@code
   * MutationClient.setQueryDataUnderLayers}.
   */
  <T> Optional<T> setQueryData(QueryKey key, Function<Optional<T>, Optional<T>> updater);

  /**
   * {@link #setQueryData(QueryKey, Object)} through a typed key, so the value's type is checked by
   * the compiler (a {@code TypedKey<List<Todo>>} takes a {@code List<Todo>}) and, against erased or
   * raw types, at run time.
   *
   * @return the stored value (the old instance if equal)
   * @throws ClassCastException if {@code value} is not of the key's type
   */
  default <T> Optional<T> setQueryData(TypedKey<T> key, T value) {
    return setQueryData(key.key(), key.cast(value));
  }

  /**
   * Replaces the data of a typed key with {@code update(old)} if it has data; does nothing (and
   * creates nothing) otherwise, or when {@code update} returns {@code null}. The data's type is
   * inferred from the key: {@code client.updateQueryData(TODOS, list -> plus(list, todo))}. As
   * {@link #setQueryData(QueryKey, Function)}, the function runs outside any lock and may run again
   * if the data changed concurrently. (A typed form of {@code setQueryData(key, updater)} cannot
   * share its name with {@link #setQueryData(TypedKey, Object)}: Java could not tell a lambda from
   * a value of the key's type.)
   *
   * @return the stored value, or empty if nothing was written
   * @throws ClassCastException if the cached data is not of the key's type (the function is not
   *     called and nothing is written), naming the key, the declared type and the class found
   */
  default <T> Optional<T> updateQueryData(TypedKey<T> key, UnaryOperator<T> update) {
    Objects.requireNonNull(update, "update");
    return this.<Object>setQueryData(
            key.key(), old -> old.map(data -> update.apply(key.cast(data))))
        .map(key::cast);
  }

  /** {@link #setQueryData(QueryKey, Function)} on every existing matching query. */
  <T> Map<QueryKey, T> setQueriesData(
      QueryFilters filters, Function<Optional<T>, Optional<T>> updater);

  // ---- bulk operations

  /**
   * Marks every matching query invalidated, then refetches the matching ones of the filters'
   * refetch type (default: active), restarting running fetches that have data. Completes when the
   * refetches settle; never fails.
   */
  CompletableFuture<Void> invalidateQueries(QueryFilters filters);

  /**
   * {@link #invalidateQueries(QueryFilters)} with TanStack's {@code cancelRefetch} option (true in
   * the one-argument form): when false, a matching query that is already fetching keeps its fetch
   * and the returned future waits for it instead of cancelling it and starting another. The queries
   * are marked invalidated either way. Completes when the refetches settle; never fails.
   */
  CompletableFuture<Void> invalidateQueries(QueryFilters filters, boolean cancelRefetch);

  /**
   * Refetches every matching query that is not disabled or static, restarting running fetches that
   * have data; never fails.
   */
  CompletableFuture<Void> refetchQueries(QueryFilters filters);

  /**
   * {@link #refetchQueries(QueryFilters)} with TanStack's {@code cancelRefetch} option: when false,
   * a matching query that is already fetching keeps its fetch and the returned future waits for it
   * (join) instead of cancelling it and starting another. Completes when every refetch settled;
   * never fails.
   */
  CompletableFuture<Void> refetchQueries(QueryFilters filters, boolean cancelRefetch);

  /**
   * Cancels the running fetch of every matching query, restoring the state from before it (and
   * idle). Completes once they settled; never fails.
   */
  CompletableFuture<Void> cancelQueries(QueryFilters filters);

  /**
   * {@link #cancelQueries(QueryFilters)} with TanStack's {@code revert} option. With {@code revert}
   * true it is {@code cancelQueries(filters)}. With false the state is not restored: each cancelled
   * query goes to status error with a {@link CancelledException} (its {@code revert()} false) as
   * its error, keeps its data, and is idle; it can be fetched again. Callers waiting for the fetch
   * get that exception. Completes once they settled; never fails.
   */
  CompletableFuture<Void> cancelQueries(QueryFilters filters, boolean revert);

  /**
   * Resets every matching query to its initial state (initial data if configured), cancelling
   * fetches silently, then refetches the active ones.
   */
  CompletableFuture<Void> resetQueries(QueryFilters filters);

  /** Removes every matching query, cancelling fetches silently. */
  void removeQueries(QueryFilters filters);

  /** How many matching queries are fetching (paused ones are not counted). */
  int isFetching(QueryFilters filters);

  /** Removes every query. */
  void clear();

  /**
   * Sets defaults for every key that starts with {@code prefix}. Matching entries apply in
   * registration order (later wins) over the client defaults; re-registering a prefix replaces its
   * entry.
   */
  void setQueryDefaults(QueryKey prefix, QueryDefaults defaults);

  /** The merged per-key defaults for {@code key} (without the client defaults). */
  QueryDefaults getQueryDefaults(QueryKey key);

  // ---- observers and events

  /**
   * Observes a query: {@link #createObserver(QueryOptions)} then {@link
   * QueryObserver#subscribe(Consumer)}; see {@link QueryObserver}.
   */
  <T> QueryObserver<T> observe(QueryOptions<T> options, Consumer<QueryResult<T>> listener);

  /**
   * Observes a query through {@code select}, which is memoized per data instance; a throwing select
   * produces an error result that keeps the last selected data. Each new selected value is
   * structurally shared with the previous one ({@link QueryOptions#replaceEqualDeep}): unchanged
   * parts keep their instance, and a value equal to the previous one is the previous instance, so
   * listeners are not told of it. With {@code structuralSharing(false)} the selected value is used
   * as {@code select} returned it; a custom sharing function applies to the query's data only (it
   * is typed to it), selected values are then shared with {@code replaceEqualDeep}.
   */
  <T, R> QueryObserver<R> observe(
      QueryOptions<T> options,
      Function<? super T, ? extends R> select,
      Consumer<QueryResult<R>> listener);

  /**
   * An observer of the query without listeners (TanStack's {@code new QueryObserver(client,
   * options)}): the query is built in the cache, nothing is fetched until the first {@link
   * QueryObserver#subscribe}; {@link QueryObserver#refetch()} works before that. Close it when
   * done.
   */
  <T> QueryObserver<T> createObserver(QueryOptions<T> options);

  /**
   * {@link #createObserver(QueryOptions)} through {@code select}, memoized per data instance as in
   * {@link #observe(QueryOptions, Function, Consumer)}.
   */
  <T, R> QueryObserver<R> createObserver(
      QueryOptions<T> options, Function<? super T, ? extends R> select);

  /** Fetches an infinite query like {@link #fetchQuery}. */
  <T, P> CompletableFuture<InfiniteData<T, P>> fetchInfiniteQuery(
      InfiniteQueryOptions<T, P> options);

  /** Observes an infinite query: {@link #createInfiniteObserver} then subscribe. */
  <T, P> InfiniteQueryObserver<T, P> observeInfinite(
      InfiniteQueryOptions<T, P> options, Consumer<QueryResult<InfiniteData<T, P>>> listener);

  /**
   * An observer of an infinite query without listeners; see {@link #createObserver(QueryOptions)}.
   * {@link InfiniteQueryObserver#fetchNextPage()} works before it is subscribed.
   */
  <T, P> InfiniteQueryObserver<T, P> createInfiniteObserver(InfiniteQueryOptions<T, P> options);

  /**
   * Listens to cache events (TanStack Query's cache events: added, removed, updated, observer added
   * and removed), in order, on the callback executor.
   */
  Registration subscribe(Consumer<QueryCacheEvent> listener);

  /**
   * Registers a listener for measurements: cache hits and each fetch's outcome and exact duration,
   * for monitoring; see {@link QueryStatsListener} for when and on which thread it is called. The
   * handle removes it (idempotent).
   *
   * @throws IllegalStateException if the client is closed
   */
  Registration addStatsListener(QueryStatsListener listener);

  /** A snapshot of every cached query, in insertion order. */
  List<QuerySnapshot> snapshot();

  /**
   * Snapshots of the queries matching {@code filters} (TanStack's {@code queryCache.findAll}), in
   * insertion order; {@code findAll(QueryFilters.all())} equals {@link #snapshot()}. Each snapshot
   * is a copy taken now: it does not follow later changes. Never null; empty if nothing matches.
   */
  List<QuerySnapshot> findAll(QueryFilters filters);

  /**
   * Registers a step that runs, and is awaited, whenever connectivity comes online or focus
   * returns, before queries refetch and paused retries continue. Steps run in registration order,
   * concurrently; a failed step is reported and does not stop the others.
   */
  Registration addReconnectBarrier(Supplier<? extends CompletionStage<?>> step);

  // ---- hydration

  /** Dehydrates every successful query that did not opt out ({@code dehydrate(false)}). */
  DehydratedState dehydrate();

  /** Dehydrates every successful query matching {@code filter} that did not opt out. */
  DehydratedState dehydrate(Predicate<QuerySnapshot> filter);

  /**
   * Hydrates {@code state}, decoding each entry's data with the {@code dataType} of its key's
   * defaults; entries without one are reported to the error handler and skipped.
   */
  void hydrate(DehydratedState state);

  /**
   * Hydrates a state written by {@link DehydratedState#toJson()}; see {@link
   * #hydrate(DehydratedState)}.
   *
   * @throws IllegalArgumentException if {@code json} is not a dehydrated state
   */
  default void hydrate(String json) {
    hydrate(DehydratedState.fromJson(json));
  }

  /** Hydrates {@code state}, decoding data with {@code types} (empty: use the defaults). */
  void hydrate(DehydratedState state, Function<QueryKey, Optional<JavaType>> types);

  /** The connectivity the client follows. */
  Connectivity connectivity();

  /**
   * Stops the client: stops following connectivity, removes every query (running fetches are
   * cancelled silently, so their futures fail with {@link CancelledException}), and stops the
   * scheduler and callback threads the client created, waiting at most about a second for them. An
   * executor or scheduler given to the builder is left running. Idempotent. Using the client
   * afterwards is not supported.
   */
  @Override
  void close();

  /** Builds a {@link QueryClient}; not thread-safe. */
  final class Builder {
    private @Nullable Clock clock;
    private @Nullable Scheduler scheduler;
    private @Nullable Executor callbackExecutor;
    private ErrorHandler errorHandler = ErrorHandler.logging();
    private @Nullable Connectivity connectivity;
    private @Nullable JsonHttp http;
    private QueryDefaults defaults = QueryDefaults.none();
    private long maximumSize = -1;
    private @Nullable ObjectMapper objectMapper;
    private @Nullable QueryCacheCallbacks cacheCallbacks;

    Builder() {}

    /** The clock (default the system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The scheduler for every timer (default a scheduler thread the client owns). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where listeners and observers run (default one daemon thread {@code
     * quarry-cache-callbacks-...} that {@link QueryClient#close()} stops).
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /** Where errors from user code go (default logging). */
    public Builder errorHandler(ErrorHandler handler) {
      this.errorHandler = Objects.requireNonNull(handler, "errorHandler");
      return this;
    }

    /** The online and focus state to follow (default {@link Connectivity#create()}). */
    public Builder connectivity(Connectivity connectivity) {
      this.connectivity = Objects.requireNonNull(connectivity, "connectivity");
      return this;
    }

    /**
     * The HTTP client handed to query functions as {@link QueryContext#http()}; not closed by the
     * query client.
     */
    public Builder http(JsonHttp http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** Client-wide defaults for every query. */
    public Builder defaults(QueryDefaults defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

    /**
     * Bounds the number of cached queries; never evicts a query that is observed or fetching.
     *
     * @throws IllegalArgumentException if negative, naming {@code maximumSize}
     */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 0) {
        throw new IllegalArgumentException(
            "maximumSize must not be negative but was " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** The Jackson mapper for hydration (default a plain {@code ObjectMapper}). */
    public Builder objectMapper(ObjectMapper mapper) {
      this.objectMapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /**
     * Callbacks called once per fetch outcome of any query (TanStack's {@code QueryCache} config
     * {@code onSuccess}, {@code onError}, {@code onSettled}); see {@link QueryCacheCallbacks}.
     * Default none; a second call replaces the first.
     */
    public Builder cacheCallbacks(QueryCacheCallbacks callbacks) {
      this.cacheCallbacks = Objects.requireNonNull(callbacks, "cacheCallbacks");
      return this;
    }

    /** The client. */
    public QueryClient build() {
      return new RealQueryClient(
          new ClientConfig(
              clock,
              scheduler,
              callbackExecutor,
              errorHandler,
              connectivity,
              http,
              defaults,
              maximumSize,
              objectMapper,
              cacheCallbacks));
    }
  }
}
