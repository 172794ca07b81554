package dev.quarry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Inspector;
import dev.quarry.Notifications;
import dev.quarry.Progress;
import dev.quarry.ProgressStream;
import dev.quarry.cache.QueryCacheCallbacks;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.Owned;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeConnection;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.store.Store;
import dev.quarry.store.StorePersistence;
import dev.quarry.store.StoreRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * What a {@code Quarry} facade is made of, and the one place that makes it: {@link #assemble}
 * creates what the settings do not give (threads, scheduler, OkHttp client, connectivity), builds
 * the HTTP, query, mutation and realtime clients on the shared parts, connects them (the realtime
 * state feeds connectivity, the mutation client's reconnect barrier runs before query refetches,
 * topic bindings invalidate on a gap) and keeps everything it created in one {@link Owned} list,
 * which {@link #close()} stops in reverse order. Later resources made through the facade (stores,
 * feeds, progress streams) join the same list.
 *
 * <p>Thread-safe once assembled: the parts are final; the owned list is {@link Owned}'s.
 */
public final class Assembly implements AutoCloseable {

  /**
   * What {@code QuarryBuilder} collected; {@code null} means "create and own one".
   *
   * @param persistence the durable-state directory, created by {@link #assemble} if missing
   */
  public record Settings(
      @Nullable String baseUrl,
      @Nullable OkHttpClient okHttp,
      @Nullable ObjectMapper mapper,
      @Nullable Clock clock,
      @Nullable Scheduler scheduler,
      @Nullable Executor callbackExecutor,
      ErrorHandler errorHandler,
      @Nullable Connectivity connectivity,
      boolean connectivityFromRealtime,
      @Nullable RealtimeOptions realtime,
      boolean connectRealtime,
      QueryDefaults queryDefaults,
      UnaryOperator<JsonHttp.Builder> httpCustomizer,
      @Nullable Path persistence,
      Map<String, @Nullable Supplier<?>> realtimeNamespaces,
      @Nullable QueryCacheCallbacks queryCacheCallbacks,
      @Nullable MutationCacheConfig mutationCacheConfig) {}

  private final Owned owned;
  private final ErrorHandler errorHandler;
  private final @Nullable Path persistence;
  private final ObjectMapper mapper;
  private final Executor callbackExecutor;
  private final Clock clock;
  private final Connectivity connectivity;
  private final JsonHttp http;
  private final QueryClient queries;
  private final MutationClient mutations;
  private final @Nullable RealtimeMonitor realtime;
  private final @Nullable Bindings bindings;
  private final @Nullable RealtimeNamespaces namespaces;
  private final StoreRegistry stores = new StoreRegistry();
  private final Inspector inspector;

  /**
   * Builds and connects every part, and starts connecting the realtime client if the settings say
   * so. On failure, what was already created is stopped before the exception propagates.
   *
   * @throws UncheckedIOException if the persistence directory cannot be created
   */
  public static Assembly assemble(Settings s) {
    Path dir = s.persistence();
    if (dir != null) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("persistence: cannot create " + dir, e);
      }
    }
    Owned owned = new Owned("facade", s.errorHandler());
    try {
      return new Assembly(s, owned);
    } catch (RuntimeException | Error e) {
      owned.close();
      throw e;
    }
  }

  private Assembly(Settings s, Owned owned) {
    this.owned = owned;
    this.errorHandler = s.errorHandler();
    this.persistence = s.persistence();
    ObjectMapper givenMapper = s.mapper();
    this.mapper = givenMapper != null ? givenMapper : Defaults.objectMapper();
    Executor givenExecutor = s.callbackExecutor();
    this.callbackExecutor =
        givenExecutor != null ? givenExecutor : owned.singleThreadExecutor("callbacks");
    Scheduler scheduler;
    Clock givenClock = s.clock();
    Scheduler givenScheduler = s.scheduler();
    if (givenScheduler != null && givenClock != null) {
      this.clock = givenClock;
      scheduler = givenScheduler;
    } else {
      this.clock = Clock.system();
      scheduler = owned.add("scheduler", RealScheduler.create(errorHandler));
    }
    OkHttpClient givenOkHttp = s.okHttp();
    OkHttpClient okHttp = givenOkHttp != null ? givenOkHttp : Defaults.okHttpClient(owned);
    Connectivity givenConnectivity = s.connectivity();
    this.connectivity =
        givenConnectivity != null
            ? givenConnectivity
            : Connectivity.create(callbackExecutor, errorHandler);

    JsonHttp.Builder hb = JsonHttp.builder().client(okHttp).objectMapper(mapper).clock(clock);
    String baseUrl = s.baseUrl();
    if (baseUrl != null) {
      hb.baseUrl(baseUrl);
    }
    this.http = owned.add("HTTP", s.httpCustomizer().apply(hb).build());

    QueryClient.Builder qb =
        QueryClient.builder()
            .clock(clock)
            .scheduler(scheduler)
            .callbackExecutor(callbackExecutor)
            .errorHandler(errorHandler)
            .connectivity(connectivity)
            .objectMapper(mapper)
            .http(http)
            .defaults(s.queryDefaults());
    QueryCacheCallbacks queryCallbacks = s.queryCacheCallbacks();
    if (queryCallbacks != null) {
      qb.cacheCallbacks(queryCallbacks);
    }
    this.queries = owned.add("query client", qb.build());

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
    Path dir = s.persistence();
    if (dir != null) {
      mb.outbox(dir.resolve("outbox.mv"));
    }
    MutationCacheConfig mutationCallbacks = s.mutationCacheConfig();
    if (mutationCallbacks != null) {
      mb.cacheConfig(mutationCallbacks);
    }
    this.mutations = owned.add("mutation client", mb.build());

    RealtimeOptions realtimeOptions = s.realtime();
    if (realtimeOptions != null) {
      RealtimeOptions.Builder rb =
          realtimeOptions
              .newBuilder()
              .time(clock, scheduler)
              .callbackExecutor(callbackExecutor)
              .errorHandler(errorHandler)
              .httpClient(okHttp.newBuilder().readTimeout(Duration.ZERO).build())
              .objectMapper(mapper);
      RealtimeOptions ro = rb.build();
      RealtimeConnection connection =
          owned.add("realtime connection", RealtimeConnection.create(ro));
      RealtimeClient client = connection.namespace(ro.namespace());
      this.realtime =
          owned.add(
              "realtime monitor",
              new RealtimeMonitor(
                  client, clock, s.connectivityFromRealtime() ? connectivity : null));
      this.bindings =
          owned.add(
              "topic bindings",
              new Bindings(queries, mutations, realtime, mapper, clock, scheduler, errorHandler));
      if (s.connectRealtime()) {
        client.connect();
      }
      this.namespaces =
          owned.add(
              "realtime namespaces",
              new RealtimeNamespaces(
                  connection,
                  ro.namespace(),
                  s.realtimeNamespaces(),
                  m -> new Bindings(queries, mutations, m, mapper, clock, scheduler, errorHandler),
                  clock,
                  s.connectRealtime()));
    } else {
      this.realtime = null;
      this.bindings = null;
      this.namespaces = null;
    }
    this.inspector = new FacadeInspector(queries, mutations, realtime, stores, clock, mapper);
  }

  /** The shared Jackson mapper. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Where every listener and callback runs. */
  public Executor callbackExecutor() {
    return callbackExecutor;
  }

  /** Where errors from user code go. */
  public ErrorHandler errorHandler() {
    return errorHandler;
  }

  /** The shared clock. */
  public Clock clock() {
    return clock;
  }

  /** The shared connectivity. */
  public Connectivity connectivity() {
    return connectivity;
  }

  /** JSON over HTTP on the shared OkHttp client. */
  public JsonHttp http() {
    return http;
  }

  /** The query client. */
  public QueryClient queries() {
    return queries;
  }

  /** The mutation client, with the outbox when there is a persistence directory. */
  public MutationClient mutations() {
    return mutations;
  }

  /** The realtime client with its monitor, or {@code null} without realtime. */
  public @Nullable RealtimeMonitor realtime() {
    return realtime;
  }

  /**
   * The realtime client with its monitor.
   *
   * @throws IllegalStateException without realtime, saying how to configure it
   */
  public RealtimeMonitor requireRealtime() {
    RealtimeMonitor r = realtime;
    if (r == null) {
      throw new IllegalStateException(
          "this Quarry has no realtime connection: configure Quarry.builder().realtime(...)");
    }
    return r;
  }

  /**
   * The topic bindings.
   *
   * @throws IllegalStateException without realtime, as {@link #requireRealtime()}
   */
  public Bindings requireBindings() {
    requireRealtime();
    return Objects.requireNonNull(bindings, "bindings");
  }

  /**
   * The namespaces besides the main one.
   *
   * @throws IllegalStateException without realtime, as {@link #requireRealtime()}
   */
  public RealtimeNamespaces requireNamespaces() {
    requireRealtime();
    return Objects.requireNonNull(namespaces, "namespaces");
  }

  /** The topic bindings, or {@code null} without realtime. */
  public @Nullable Bindings bindings() {
    return bindings;
  }

  /** The registry of the stores made by {@link #store}. */
  public StoreRegistry stores() {
    return stores;
  }

  /** The devtools view. */
  public Inspector inspector() {
    return inspector;
  }

  /** A store registered with {@link #stores()}, on the callback executor, owned. */
  public <S> Store<S> store(
      String name, S initialState, UnaryOperator<Store.Builder<S>> customizer) {
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

  /**
   * A store kept in {@code stores/<name>.json} under the persistence directory, or in memory only
   * without one.
   *
   * @throws UncheckedIOException if the stores directory cannot be created
   */
  public <S> Store<S> persistedStore(String name, S initialState, Class<S> stateType) {
    Path root = persistence;
    if (root == null) {
      return store(name, initialState, UnaryOperator.identity());
    }
    Path file = root.resolve("stores").resolve(name + ".json");
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("persistence: cannot create " + file.getParent(), e);
    }
    StorePersistence<S> persisted =
        StorePersistence.<S>file(file, stateType).withObjectMapper(mapper);
    return store(name, initialState, b -> b.persistence(persisted));
  }

  /** A notification feed fed by {@code event} of any topic when there is realtime; owned. */
  public <N> Notifications<N> notifications(String event, Class<N> type, int capacity) {
    RealNotifications<N> feed =
        new RealNotifications<>(capacity, clock, callbackExecutor, errorHandler);
    RealtimeMonitor r = realtime;
    if (r != null) {
      feed.addSource(r.client().on(event, type, feed::post));
    }
    owned.add("notification feed", feed);
    return feed;
  }

  /**
   * A progress stream of {@code event} on {@code topic}; owned.
   *
   * @throws IllegalStateException without realtime
   */
  public ProgressStream progress(Topic topic, String event, Function<JsonNode, Progress> parser) {
    RealProgressStream stream =
        new RealProgressStream(
            requireRealtime(), topic, event, parser, callbackExecutor, errorHandler);
    owned.add("progress stream", stream);
    return stream;
  }

  /** Stops everything created here, in reverse order of creation. Idempotent. */
  @Override
  public void close() {
    owned.close();
  }
}
