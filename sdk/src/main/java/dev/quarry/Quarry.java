package dev.quarry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.DehydratedState;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.internal.Assembly;
import dev.quarry.internal.RealtimeMonitor;
import dev.quarry.internal.RealtimeNamespaces;
import dev.quarry.optimistic.DehydratedMutations;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.Topic;
import dev.quarry.store.Store;
import dev.quarry.store.StoreRegistry;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The embeddable Quarry client: a query cache, mutations with an offline outbox, client-state
 * stores and (optionally) a realtime connection, sharing one OkHttp client, one {@code
 * ObjectMapper}, one clock and scheduler, one callback executor, one error handler and one {@link
 * Connectivity}, and wired together.
 *
 * <pre>{@code
 * Quarry quarry = Quarry.builder()
 *     .baseUrl("https://studio.example.com/api/")
 *     .realtime(URI.create("https://studio.example.com"), r -> r.auth(() -> Map.of("token", token)))
 *     .queryDefaults(d -> d.staleTime(Duration.ofMinutes(5)).gcTime(Duration.ofMinutes(30)).retry(3))
 *     .callbackExecutor(SwingUtilities::invokeLater)
 *     .persistence(appDir.resolve("quarry"))
 *     .build();
 *
 * var episodes = quarry.query(QueryKey.of("episodes", pid), http -> http.get("projects/" + pid + "/episodes", EPISODES));
 * quarry.fetch(episodes).thenAccept(this::show);             // cached, deduplicated, retried
 * Registration s = quarry.observe(episodes, this::render);   // status, data, error, fetching, stale ...
 *
 * quarry.bind(Topic.of("execution", "executionId", id))      // realtime keeps the cache fresh
 *     .append("agent-event", AgentEvent.class, QueryKey.of("execution", id, "events"));
 * quarry.close();
 * }</pre>
 *
 * <h2>Wiring</h2>
 *
 * <ul>
 *   <li>The realtime connection's state feeds {@link #connectivity()} (connected: online;
 *       reconnecting or disconnected: offline), unless {@link
 *       QuarryBuilder#connectivityFromRealtime connectivityFromRealtime(false)} leaves it to the
 *       application.
 *   <li>When connectivity comes back (or focus returns), paused mutations are resumed first (a
 *       {@linkplain QueryClient#addReconnectBarrier reconnect barrier} of the cache) and only then
 *       do active stale queries refetch.
 *   <li>With {@link QuarryBuilder#persistence persistence}, a persistent mutation that fails
 *       retryably (a transport failure or timeout, 5xx, 408, 429) pauses with its outbox record
 *       kept and is retried with backoff, on reconnect and on {@code mutations().resumeOutbox()},
 *       until the server accepts or refuses it (see {@link MutationOptions}); a reconnect's refetch
 *       waits for it only until its attempt fails again.
 *   <li>A realtime gap (a reconnect that did not recover the session) invalidates the queries bound
 *       to that topic with {@link #bind(Topic)}, so the observed ones refetch.
 * </ul>
 *
 * <h2>Threads, errors, lifecycle</h2>
 *
 * Thread-safe. Every listener, observer and callback runs on the callback executor (default: one
 * daemon thread {@code quarry-callbacks-...}), in order per listener, never under a Quarry lock and
 * never on the OkHttp reader thread; an exception from user code goes to the error handler. Bad
 * configuration fails at {@link QuarryBuilder#build()} with {@link IllegalArgumentException} naming
 * the option. {@link #close()} closes the realtime connection, the mutation and query clients, the
 * stores made by {@link #store}, the bindings, feeds and progress streams, and stops every thread
 * the facade created (not an executor, scheduler, OkHttp client or connectivity it was given).
 * Idempotent.
 *
 * <p><b>After {@code close()}</b>, as for every Quarry client: {@code close()} again does nothing;
 * a call that starts new work throws {@link IllegalStateException} saying the client is closed;
 * work in flight when it closed completes exceptionally, never stays pending; what can still be
 * read answers from what is left.
 */
public final class Quarry implements AutoCloseable {
  /** Every part, and the one list of what the facade created and stops on close. */
  private final Assembly parts;

  private final AtomicBoolean closed = new AtomicBoolean();

  Quarry(Assembly parts) {
    this.parts = parts;
  }

  /** A builder with the defaults described on its methods. */
  public static QuarryBuilder builder() {
    return new QuarryBuilder();
  }

  // ------------------------------------------------------------------ parts

  /** The query cache. */
  public QueryClient queries() {
    return parts.queries();
  }

  /** The mutation client (with the outbox when {@link QuarryBuilder#persistence} is set). */
  public MutationClient mutations() {
    return parts.mutations();
  }

  /**
   * The realtime client.
   *
   * @throws IllegalStateException if the facade was built without {@link QuarryBuilder#realtime}
   */
  public RealtimeClient realtime() {
    return parts.requireRealtime().client();
  }

  /**
   * The realtime client of {@code namespace}: the main one, or one added with {@link
   * QuarryBuilder#realtimeNamespace}; all share one connection.
   *
   * @throws IllegalArgumentException if the facade has no such namespace
   * @throws IllegalStateException if the facade was built without {@link QuarryBuilder#realtime}
   */
  public RealtimeClient realtime(String namespace) {
    RealtimeNamespaces n = parts.requireNamespaces();
    return namespace.equals(n.main()) ? realtime() : n.client(namespace);
  }

  /** Whether the facade has a realtime connection. */
  public boolean hasRealtime() {
    return parts.realtime() != null;
  }

  /** The online and focus state every part follows. */
  public Connectivity connectivity() {
    return parts.connectivity();
  }

  /** JSON over HTTP against the base URL, on the shared OkHttp client. */
  public JsonHttp http() {
    return parts.http();
  }

  /** The shared Jackson mapper. */
  public ObjectMapper objectMapper() {
    return parts.mapper();
  }

  /** The shared clock. */
  public Clock clock() {
    return parts.clock();
  }

  /** The stores created with {@link #store}. */
  public StoreRegistry stores() {
    return parts.stores();
  }

  // ------------------------------------------------------------------ shortcuts

  /**
   * Query options whose function calls {@link #http()}: {@code quarry.query(key, http ->
   * http.get("episodes", EPISODES))}.
   */
  public <T> QueryOptions<T> query(
      QueryKey key, Function<? super JsonHttp, ? extends CompletionStage<T>> fetch) {
    Objects.requireNonNull(fetch, "fetch");
    return QueryOptions.of(key, ctx -> fetch.apply(ctx.http()));
  }

  /**
   * Query options on a typed key whose function calls {@link #http()}, TanStack's {@code
   * queryOptions()}: the data type comes from the key, and {@link #getQueryData(QueryOptions)} and
   * the other typed methods infer it: {@code quarry.query(TODOS, http -> http.get("todos",
   * TODOS.type()))}.
   */
  public <T> QueryOptions<T> query(
      TypedKey<T> key, Function<? super JsonHttp, ? extends CompletionStage<T>> fetch) {
    Objects.requireNonNull(fetch, "fetch");
    return QueryOptions.of(key, ctx -> fetch.apply(ctx.http()));
  }

  /** {@link QueryClient#fetchQuery}: cached, deduplicated, retried per the defaults. */
  public <T> CompletableFuture<T> fetch(QueryOptions<T> options) {
    return parts.queries().fetchQuery(options);
  }

  /** {@link QueryClient#observe}: the listener gets every result on the callback executor. */
  public <T> QueryObserver<T> observe(QueryOptions<T> options, Consumer<QueryResult<T>> listener) {
    return parts.queries().observe(options, listener);
  }

  /** The cached data of {@code key}. */
  public <T> Optional<T> getQueryData(QueryKey key) {
    return parts.queries().getQueryData(key);
  }

  /**
   * The cached data of a typed key, of its type (inferred: no type argument, no cast).
   *
   * @throws ClassCastException if the cached data is not of the key's type, naming the key, the
   *     declared type and the class found
   */
  public <T> Optional<T> getQueryData(TypedKey<T> key) {
    return parts.queries().getQueryData(key);
  }

  /**
   * The cached data of the query of {@code options}, of the options' type; checked when the options
   * have a {@linkplain QueryOptions#typedKey() typed key} (see {@link
   * QueryClient#getQueryData(QueryOptions)}).
   */
  public <T> Optional<T> getQueryData(QueryOptions<T> options) {
    return parts.queries().getQueryData(options);
  }

  /**
   * Stores {@code value} as the server data of {@code key} ({@link
   * QueryClient#setQueryData(QueryKey, Object)}). If optimistic changes of pending mutations are
   * shown on the key, the value becomes their new base: they are re-applied on top of it, and a
   * rollback keeps the value (see {@link MutationClient#setQueryDataUnderLayers(QueryKey,
   * Function)}); changes of succeeded mutations still waiting for server data are dropped, as the
   * value is taken as the server's.
   *
   * @return the stored value (with the pending changes shown on top)
   */
  public <T> Optional<T> setQueryData(QueryKey key, T value) {
    return parts.mutations().setQueryDataUnderLayers(key, value);
  }

  /**
   * Replaces the data of {@code key} with {@code update(old)} if it has data; does nothing (and
   * creates nothing) otherwise. The function may run more than once under contention. If optimistic
   * changes of pending mutations are shown on the key, {@code old} is the server data under them
   * (with the changes of succeeded mutations) and the result becomes their new base, so a rollback
   * keeps it (see {@link MutationClient#setQueryDataUnderLayers(QueryKey, Function)}).
   *
   * @return the stored value (with the pending changes shown on top)
   */
  public <T> Optional<T> updateQueryData(QueryKey key, UnaryOperator<T> update) {
    Objects.requireNonNull(update, "update");
    return parts.mutations().<T>setQueryDataUnderLayers(key, old -> old.map(update));
  }

  /** Invalidates every query under {@code prefix}; the observed ones refetch. */
  public CompletableFuture<Void> invalidate(QueryKey prefix) {
    return parts.queries().invalidateQueries(QueryFilters.prefix(prefix));
  }

  /**
   * {@link #setQueryData(QueryKey, Object)} on a typed key: the value must be of the key's type.
   *
   * @throws ClassCastException if {@code value} or the stored result is not of the key's type
   *     (possible only through raw types or another writer), naming the key and both types
   */
  public <T> Optional<T> setQueryData(TypedKey<T> key, T value) {
    return parts.mutations().setQueryDataUnderLayers(key.key(), key.cast(value)).map(key::cast);
  }

  /**
   * {@link #updateQueryData(QueryKey, UnaryOperator)} on a typed key: {@code update} gets the data
   * as the key's type, inferred from the key ({@code quarry.updateQueryData(TODOS, list ->
   * plus(list, todo))}).
   *
   * @throws ClassCastException if the cached data is not of the key's type (the function is not
   *     called and nothing is written), naming the key, the declared type and the class found
   */
  public <T> Optional<T> updateQueryData(TypedKey<T> key, UnaryOperator<T> update) {
    Objects.requireNonNull(update, "update");
    return parts
        .mutations()
        .<Object>setQueryDataUnderLayers(
            key.key(), old -> old.map(data -> update.apply(key.cast(data))))
        .map(key::cast);
  }

  /** {@link #invalidate(QueryKey)} on the key of {@code key} and every key under it. */
  public CompletableFuture<Void> invalidate(TypedKey<?> key) {
    return invalidate(key.key());
  }

  /**
   * Writes out the successful queries ({@link QueryClient#dehydrate()}) and the paused mutations
   * ({@link MutationClient#dehydrate()}) together. Any thread; calls no user code.
   */
  public Dehydrated dehydrate() {
    return new Dehydrated(parts.queries().dehydrate(), parts.mutations().dehydrate());
  }

  /**
   * Reads back what {@link #dehydrate()} wrote, on this or another facade: the queries as {@link
   * QueryClient#hydrate(DehydratedState)} does, then the mutations as {@link
   * MutationClient#hydrate(DehydratedMutations)} does; a hydrated paused mutation continues with
   * the function of its key's {@code setMutationDefaults} when paused mutations resume (on
   * reconnect, focus or {@code mutations().resumePausedMutations()}). Entries that cannot be read
   * are reported to the error handler and skipped. Any thread.
   *
   * @throws IllegalStateException if the facade is closed
   */
  public void hydrate(Dehydrated state) {
    Objects.requireNonNull(state, "state");
    parts.queries().hydrate(state.queries());
    parts.mutations().hydrate(state.mutations());
  }

  /** A mutation handle on the shared mutation client. */
  public <V, R, C> MutationObserver<V, R, C> mutation(MutationOptions<V, R, C> options) {
    return parts.mutations().mutation(options);
  }

  /**
   * A store named {@code name}, registered with {@link #stores()} (shown by the inspector), whose
   * listeners run on the callback executor; closed with the facade.
   *
   * @throws IllegalArgumentException if the name is taken or invalid
   */
  public <S> Store<S> store(String name, S initialState) {
    return store(name, initialState, UnaryOperator.identity());
  }

  /**
   * A store like {@link #store(String, Object)} that, when the facade has a {@linkplain
   * QuarryBuilder#persistence persistence directory}, keeps its state in {@code stores/<name>.json}
   * there (restored at creation, written after each change; a corrupt file is reported and set
   * aside, and the initial state is used). Without a directory the store is in memory only.
   *
   * <pre>{@code
   * Store<Layout> layout = quarry.store("layout", Layout.DEFAULT, Layout.class);
   * }</pre>
   */
  public <S> Store<S> store(String name, S initialState, Class<S> stateType) {
    requireOpen();
    return parts.persistedStore(name, initialState, stateType);
  }

  /** Like {@link #store(String, Object)}, with more store options (persistence, ...). */
  public <S> Store<S> store(
      String name, S initialState, UnaryOperator<Store.Builder<S>> customizer) {
    requireOpen();
    return parts.store(name, initialState, customizer);
  }

  /** A view whose keys start with {@code prefix}. */
  public KeyPrefixView view(QueryKey prefix) {
    return new KeyPrefixView(this, prefix);
  }

  // ------------------------------------------------------------------ realtime integrations

  /**
   * Declares realtime-to-cache rules for {@code topic}; see {@link TopicBinding}.
   *
   * @throws IllegalStateException if the facade has no realtime connection
   */
  public TopicBinding bind(Topic topic) {
    requireOpen();
    return parts.requireBindings().bind(topic);
  }

  /**
   * Declares realtime-to-cache rules for {@code topic} of {@code namespace} (the main one or one
   * added with {@link QuarryBuilder#realtimeNamespace}); see {@link TopicBinding}.
   *
   * @throws IllegalArgumentException if the facade has no such namespace
   * @throws IllegalStateException if the facade has no realtime connection
   */
  public TopicBinding bind(String namespace, Topic topic) {
    requireOpen();
    RealtimeNamespaces n = parts.requireNamespaces();
    return namespace.equals(n.main()) ? bind(topic) : n.bind(namespace, topic);
  }

  /**
   * Declares bindings once for every key under {@code prefix}: when a key under it gains its first
   * observer, {@code topicOf} names its topic (empty: none); the first time a topic is named, a
   * {@link #bind(Topic) binding} is made for it and {@code rules} declares its rules; the observed
   * key is bound to it (live: the topic is subscribed while such keys are observed, and a gap
   * invalidates them). Closing the handle closes every binding it made.
   *
   * <pre>{@code
   * quarry.bindEach(QueryKey.of("execution"),
   *     key -> Optional.of(Topic.of("execution", "executionId", (String) key.parts().get(1))),
   *     (topic, b) -> {
   *       String id = topic.params().get("executionId").asText();
   *       b.append("agent-event", AgentEvent.class, QueryKey.of("execution", id, "events"));
   *     });
   * }</pre>
   *
   * <p>{@code topicOf} and {@code rules} run on the callback executor; an exception from them is
   * reported to the error handler.
   *
   * @throws IllegalStateException if the facade has no realtime connection
   */
  public Registration bindEach(
      QueryKey prefix,
      Function<QueryKey, Optional<Topic>> topicOf,
      BiConsumer<Topic, TopicBinding> rules) {
    requireOpen();
    return parts.requireBindings().bindEach(prefix, topicOf, rules);
  }

  /**
   * A notification feed of at most {@code capacity} items, fed by {@code event} (any topic) when
   * the facade has a realtime connection; see {@link Notifications}.
   *
   * @throws IllegalArgumentException if {@code capacity} is below 1
   */
  public <N> Notifications<N> notifications(String event, Class<N> type, int capacity) {
    requireOpen();
    return parts.notifications(event, type, capacity);
  }

  /** Streamed queries and their sources (server-sent events, topics); see {@link Streams}. */
  public Streams streams() {
    return new Streams(this::realtime);
  }

  /**
   * The {@code event}s of {@code topic} read by {@link Progress#fromJson}; see {@link
   * ProgressStream}.
   *
   * @throws IllegalStateException if the facade has no realtime connection
   */
  public ProgressStream progress(Topic topic, String event) {
    return progress(topic, event, Progress::fromJson);
  }

  /** Like {@link #progress(Topic, String)} with a parser of the event's first argument. */
  public ProgressStream progress(Topic topic, String event, Function<JsonNode, Progress> parser) {
    requireOpen();
    return parts.progress(topic, event, parser);
  }

  /** The devtools view of this facade. */
  public Inspector inspector() {
    return parts.inspector();
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this Quarry is closed");
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Stops everything the facade created; see the class documentation. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      parts.close();
    }
  }

  @Override
  public String toString() {
    RealtimeMonitor r = parts.realtime();
    return "Quarry{realtime="
        + (r == null ? "none" : r.client().state())
        + ", closed="
        + closed.get()
        + "}";
  }
}
