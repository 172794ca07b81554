package dev.quarry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.DehydratedState;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.Owned;
import dev.quarry.internal.Bindings;
import dev.quarry.internal.FacadeInspector;
import dev.quarry.internal.RealNotifications;
import dev.quarry.internal.RealProgressStream;
import dev.quarry.internal.RealtimeMonitor;
import dev.quarry.optimistic.DehydratedMutations;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.store.Store;
import dev.quarry.store.StorePersistence;
import dev.quarry.store.StoreRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

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
 *       reconnecting or disconnected: offline), unless {@link Builder#connectivityFromRealtime
 *       connectivityFromRealtime(false)} leaves it to the application.
 *   <li>When connectivity comes back (or focus returns), paused mutations are resumed first (a
 *       {@linkplain QueryClient#addReconnectBarrier reconnect barrier} of the cache) and only then
 *       do active stale queries refetch.
 *   <li>With {@link Builder#persistence persistence}, a persistent mutation that fails retryably (a
 *       transport failure or timeout, 5xx, 408, 429) pauses with its outbox record kept and is
 *       retried with backoff, on reconnect and on {@code mutations().resumeOutbox()}, until the
 *       server accepts or refuses it (see {@link MutationOptions}); a reconnect's refetch waits for
 *       it only until its attempt fails again.
 *   <li>A realtime gap (a reconnect that did not recover the session) invalidates the queries bound
 *       to that topic with {@link #bind(Topic)}, so the observed ones refetch.
 * </ul>
 *
 * <h2>Threads, errors, lifecycle</h2>
 *
 * Thread-safe. Every listener, observer and callback runs on the callback executor (default: one
 * daemon thread {@code quarry-callbacks-...}), in order per listener, never under a Quarry lock and
 * never on the OkHttp reader thread; an exception from user code goes to the error handler. Bad
 * configuration fails at {@link Builder#build()} with {@link IllegalArgumentException} naming the
 * option. {@link #close()} closes the realtime connection, the mutation and query clients, the
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
  private final Clock clock;
  private final Executor callbackExecutor;
  private final ErrorHandler errorHandler;
  private final ObjectMapper mapper;
  private final Connectivity connectivity;
  private final JsonHttp http;
  private final QueryClient queries;
  private final MutationClient mutations;
  private final @Nullable RealtimeMonitor realtime;
  private final StoreRegistry stores = new StoreRegistry();
  private final @Nullable Path persistence;

  /** What the facade created (threads, HTTP, the clients) and stops on close, in reverse order. */
  private final Owned owned;

  private final @Nullable Bindings bindings;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Inspector inspector;

  private Quarry(Builder b) {
    this.errorHandler = b.errorHandler;
    this.persistence = b.persistence;
    this.owned = new Owned("facade", errorHandler);
    try {
      this.mapper = b.mapper != null ? b.mapper : Defaults.objectMapper();
      this.callbackExecutor =
          b.callbackExecutor != null ? b.callbackExecutor : owned.singleThreadExecutor("callbacks");
      Scheduler scheduler;
      if (b.scheduler != null && b.clock != null) {
        this.clock = b.clock;
        scheduler = b.scheduler;
      } else {
        this.clock = Clock.system();
        scheduler = owned.add("scheduler", RealScheduler.create(errorHandler));
      }
      OkHttpClient okHttp = b.okHttp != null ? b.okHttp : Defaults.okHttpClient(owned);
      this.connectivity =
          b.connectivity != null
              ? b.connectivity
              : Connectivity.create(callbackExecutor, errorHandler);

      JsonHttp.Builder hb = JsonHttp.builder().client(okHttp).objectMapper(mapper).clock(clock);
      if (b.baseUrl != null) {
        hb.baseUrl(b.baseUrl);
      }
      this.http = owned.add("HTTP", b.httpCustomizer.apply(hb).build());

      this.queries =
          QueryClient.builder()
              .clock(clock)
              .scheduler(scheduler)
              .callbackExecutor(callbackExecutor)
              .errorHandler(errorHandler)
              .connectivity(connectivity)
              .objectMapper(mapper)
              .http(http)
              .defaults(b.queryDefaults)
              .build();
      owned.add("query client", queries);

      // Given the query client, the mutation client applies optimistic layers to it and registers
      // "resume paused mutations" as its reconnect barrier: on reconnect and focus, paused
      // mutations resume and settle before active stale queries refetch.
      MutationClient.Builder mb =
          MutationClient.builder()
              .queryClient(queries)
              .clock(clock)
              .scheduler(scheduler)
              .callbackExecutor(callbackExecutor)
              .errorHandler(errorHandler)
              .connectivity(connectivity)
              .http(http)
              .objectMapper(mapper);
      if (b.persistence != null) {
        mb.outbox(b.persistence.resolve("outbox.mv"));
      }
      this.mutations = owned.add("mutation client", mb.build());

      if (b.realtime != null) {
        RealtimeOptions.Builder rb =
            b.realtime
                .newBuilder()
                .time(clock, scheduler)
                .callbackExecutor(callbackExecutor)
                .errorHandler(errorHandler)
                .httpClient(okHttp.newBuilder().readTimeout(Duration.ZERO).build())
                .objectMapper(mapper);
        RealtimeClient client = owned.add("realtime client", RealtimeClient.create(rb.build()));
        this.realtime =
            owned.add(
                "realtime monitor",
                new RealtimeMonitor(
                    client, clock, b.connectivityFromRealtime ? connectivity : null));
        this.bindings =
            owned.add(
                "topic bindings",
                new Bindings(queries, mutations, realtime, mapper, clock, scheduler, errorHandler));
        if (b.connectRealtime) {
          client.connect();
        }
      } else {
        this.realtime = null;
        this.bindings = null;
      }
      this.inspector = new FacadeInspector(queries, mutations, realtime, stores, clock, mapper);
    } catch (RuntimeException | Error e) {
      owned.close();
      throw e;
    }
  }

  /** A builder with the defaults described on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ parts

  /** The query cache. */
  public QueryClient queries() {
    return queries;
  }

  /** The mutation client (with the outbox when {@link Builder#persistence} is set). */
  public MutationClient mutations() {
    return mutations;
  }

  /**
   * The realtime client.
   *
   * @throws IllegalStateException if the facade was built without {@link Builder#realtime}
   */
  public RealtimeClient realtime() {
    return requireRealtime().client();
  }

  /** Whether the facade has a realtime connection. */
  public boolean hasRealtime() {
    return realtime != null;
  }

  /** The online and focus state every part follows. */
  public Connectivity connectivity() {
    return connectivity;
  }

  /** JSON over HTTP against the base URL, on the shared OkHttp client. */
  public JsonHttp http() {
    return http;
  }

  /** The shared Jackson mapper. */
  public ObjectMapper objectMapper() {
    return mapper;
  }

  /** The shared clock. */
  public Clock clock() {
    return clock;
  }

  /** The stores created with {@link #store}. */
  public StoreRegistry stores() {
    return stores;
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

  /** {@link QueryClient#fetchQuery}: cached, deduplicated, retried per the defaults. */
  public <T> CompletableFuture<T> fetch(QueryOptions<T> options) {
    return queries.fetchQuery(options);
  }

  /** {@link QueryClient#observe}: the listener gets every result on the callback executor. */
  public <T> QueryObserver<T> observe(QueryOptions<T> options, Consumer<QueryResult<T>> listener) {
    return queries.observe(options, listener);
  }

  /** The cached data of {@code key}. */
  public <T> Optional<T> getQueryData(QueryKey key) {
    return queries.getQueryData(key);
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
    return mutations.setQueryDataUnderLayers(key, value);
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
    return mutations.<T>setQueryDataUnderLayers(key, old -> old.map(update));
  }

  /** Invalidates every query under {@code prefix}; the observed ones refetch. */
  public CompletableFuture<Void> invalidate(QueryKey prefix) {
    return queries.invalidateQueries(QueryFilters.prefix(prefix));
  }

  /**
   * Writes out the successful queries ({@link QueryClient#dehydrate()}) and the paused mutations
   * ({@link MutationClient#dehydrate()}) together. Any thread; calls no user code.
   */
  public Dehydrated dehydrate() {
    return new Dehydrated(queries.dehydrate(), mutations.dehydrate());
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
    queries.hydrate(state.queries());
    mutations.hydrate(state.mutations());
  }

  /** A mutation handle on the shared mutation client. */
  public <V, R, C> MutationObserver<V, R, C> mutation(MutationOptions<V, R, C> options) {
    return mutations.mutation(options);
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
   * Builder#persistence persistence directory}, keeps its state in {@code stores/<name>.json} there
   * (restored at creation, written after each change; a corrupt file is reported and set aside, and
   * the initial state is used). Without a directory the store is in memory only.
   *
   * <pre>{@code
   * Store<Layout> layout = quarry.store("layout", Layout.DEFAULT, Layout.class);
   * }</pre>
   */
  public <S> Store<S> store(String name, S initialState, Class<S> stateType) {
    Path dir = persistence;
    if (dir == null) {
      return store(name, initialState);
    }
    Path file = dir.resolve("stores").resolve(name + ".json");
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("persistence: cannot create " + file.getParent(), e);
    }
    StorePersistence<S> persisted =
        StorePersistence.<S>file(file, stateType).withObjectMapper(mapper);
    return store(name, initialState, b -> b.persistence(persisted));
  }

  /** Like {@link #store(String, Object)}, with more store options (persistence, ...). */
  public <S> Store<S> store(
      String name, S initialState, UnaryOperator<Store.Builder<S>> customizer) {
    requireOpen();
    Store<S> store =
        customizer
            .apply(
                Store.builder(initialState)
                    .name(name)
                    .callbackExecutor(callbackExecutor)
                    .errorHandler(errorHandler))
            .registry(stores)
            .build();
    owned.add("store " + store, store);
    return store;
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
    return requireBindings().bind(topic);
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
    return requireBindings().bindEach(prefix, topicOf, rules);
  }

  /**
   * A notification feed of at most {@code capacity} items, fed by {@code event} (any topic) when
   * the facade has a realtime connection; see {@link Notifications}.
   *
   * @throws IllegalArgumentException if {@code capacity} is below 1
   */
  public <N> Notifications<N> notifications(String event, Class<N> type, int capacity) {
    requireOpen();
    RealNotifications<N> feed =
        new RealNotifications<>(capacity, clock, callbackExecutor, errorHandler);
    if (realtime != null) {
      feed.addSource(realtime.client().on(event, type, feed::post));
    }
    owned.add("notification feed", feed);
    return feed;
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
    RealProgressStream stream =
        new RealProgressStream(
            requireRealtime(), topic, event, parser, callbackExecutor, errorHandler);
    owned.add("progress stream", stream);
    return stream;
  }

  /** The devtools view of this facade. */
  public Inspector inspector() {
    return inspector;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this Quarry is closed");
    }
  }

  private Bindings requireBindings() {
    requireRealtime();
    return Objects.requireNonNull(bindings, "bindings");
  }

  private RealtimeMonitor requireRealtime() {
    RealtimeMonitor r = realtime;
    if (r == null) {
      throw new IllegalStateException(
          "this Quarry has no realtime connection: configure Quarry.builder().realtime(...)");
    }
    return r;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Stops everything the facade created; see the class documentation. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    owned.close();
  }

  @Override
  public String toString() {
    return "Quarry{realtime="
        + (realtime == null ? "none" : realtime.client().state())
        + ", closed="
        + closed.get()
        + "}";
  }

  /**
   * Builds a {@link Quarry}. Everything is optional; what is not given is created and owned by the
   * facade. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String baseUrl;
    private @Nullable OkHttpClient okHttp;
    private @Nullable ObjectMapper mapper;
    private @Nullable Clock clock;
    private @Nullable Scheduler scheduler;
    private @Nullable Executor callbackExecutor;
    private ErrorHandler errorHandler = ErrorHandler.logging();
    private @Nullable Connectivity connectivity;
    private boolean connectivityFromRealtime = true;
    private @Nullable RealtimeOptions realtime;
    private boolean connectRealtime = true;
    private QueryDefaults queryDefaults = QueryDefaults.none();
    private UnaryOperator<JsonHttp.Builder> httpCustomizer = UnaryOperator.identity();
    private @Nullable Path persistence;

    Builder() {}

    /**
     * The base URL that {@link #http()} resolves paths against.
     *
     * @throws IllegalArgumentException if it is not an http(s) URL
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl");
      JsonHttp.builder().baseUrl(baseUrl); // validates, naming the option
      this.baseUrl = baseUrl;
      return this;
    }

    /** Further settings of {@link #http()} (headers, authorization, timeouts). */
    public Builder http(UnaryOperator<JsonHttp.Builder> customizer) {
      this.httpCustomizer = Objects.requireNonNull(customizer, "http");
      return this;
    }

    /** The OkHttp client for HTTP and WebSocket (default: one the facade creates and stops). */
    public Builder httpClient(OkHttpClient client) {
      this.okHttp = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** The Jackson mapper (default: unknown properties ignored, modules on the class path). */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /**
     * The clock and scheduler for every timer (default the system clock and a scheduler thread the
     * facade owns); tests pass {@code VirtualTime} for both.
     */
    public Builder time(Clock clock, Scheduler scheduler) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where every listener, observer and callback runs (default one daemon thread {@code
     * quarry-callbacks-...}); for example {@code SwingUtilities::invokeLater} or {@code
     * Platform::runLater}.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /** Where errors from user code and unreported failures go (default logging). */
    public Builder errorHandler(ErrorHandler handler) {
      this.errorHandler = Objects.requireNonNull(handler, "errorHandler");
      return this;
    }

    /** The connectivity to share (default one the facade creates). */
    public Builder connectivity(Connectivity connectivity) {
      this.connectivity = Objects.requireNonNull(connectivity, "connectivity");
      return this;
    }

    /**
     * Whether the realtime connection sets {@link #connectivity()} (default true); false when the
     * application owns it (a network callback, a health check).
     */
    public Builder connectivityFromRealtime(boolean fromRealtime) {
      this.connectivityFromRealtime = fromRealtime;
      return this;
    }

    /**
     * A realtime connection with these options; the facade's clock, scheduler, callback executor,
     * error handler, OkHttp client and mapper replace theirs.
     */
    public Builder realtime(RealtimeOptions options) {
      this.realtime = Objects.requireNonNull(options, "realtime");
      return this;
    }

    /** A realtime connection to {@code uri}, customized: {@code r -> r.auth(...)}. */
    public Builder realtime(URI uri, UnaryOperator<RealtimeOptions.Builder> customizer) {
      Objects.requireNonNull(customizer, "realtime customizer");
      return realtime(customizer.apply(RealtimeOptions.builder(uri)).build());
    }

    /** Whether {@link #build()} starts connecting the realtime client (default true). */
    public Builder connectRealtime(boolean connect) {
      this.connectRealtime = connect;
      return this;
    }

    /** Client-wide query defaults. */
    public Builder queryDefaults(QueryDefaults defaults) {
      this.queryDefaults = Objects.requireNonNull(defaults, "queryDefaults");
      return this;
    }

    /** Client-wide query defaults: {@code d -> d.staleTime(Duration.ofMinutes(5)).retry(3)}. */
    public Builder queryDefaults(UnaryOperator<QueryDefaults.Builder> customizer) {
      Objects.requireNonNull(customizer, "queryDefaults");
      return queryDefaults(customizer.apply(QueryDefaults.builder()).build());
    }

    /**
     * A directory for durable state: the mutation outbox ({@code outbox.mv}) and the stores made
     * with {@link Quarry#store(String, Object, Class)} ({@code stores/<name>.json}). Created if
     * missing.
     *
     * @throws IllegalArgumentException if it exists and is not a directory
     */
    public Builder persistence(Path directory) {
      Objects.requireNonNull(directory, "persistence");
      if (Files.exists(directory) && !Files.isDirectory(directory)) {
        throw new IllegalArgumentException("persistence must be a directory but was " + directory);
      }
      this.persistence = directory;
      return this;
    }

    /**
     * Builds and starts the facade (connecting the realtime client unless told not to).
     *
     * @throws UncheckedIOException if the persistence directory cannot be created
     */
    public Quarry build() {
      Path dir = persistence;
      if (dir != null) {
        try {
          Files.createDirectories(dir);
        } catch (IOException e) {
          throw new UncheckedIOException("persistence: cannot create " + dir, e);
        }
      }
      return new Quarry(this);
    }
  }
}
