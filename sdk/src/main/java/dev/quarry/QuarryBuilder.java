package dev.quarry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryCacheCallbacks;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.internal.Assembly;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link Quarry}. Everything is optional; what is not given is created and owned by the
 * facade. Not thread-safe.
 */
public final class QuarryBuilder {
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
  private final Map<String, @Nullable Supplier<?>> realtimeNamespaces = new LinkedHashMap<>();
  private QueryDefaults queryDefaults = QueryDefaults.none();
  private UnaryOperator<JsonHttp.Builder> httpCustomizer = UnaryOperator.identity();
  private @Nullable Path persistence;
  private @Nullable QueryCacheCallbacks queryCacheCallbacks;
  private @Nullable MutationCacheConfig mutationCacheConfig;

  QuarryBuilder() {}

  /**
   * The base URL that {@link Quarry#http()} resolves paths against.
   *
   * @throws IllegalArgumentException if it is not an http(s) URL
   */
  public QuarryBuilder baseUrl(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    JsonHttp.builder().baseUrl(baseUrl); // validates, naming the option
    this.baseUrl = baseUrl;
    return this;
  }

  /** Further settings of {@link Quarry#http()} (headers, authorization, timeouts). */
  public QuarryBuilder http(UnaryOperator<JsonHttp.Builder> customizer) {
    this.httpCustomizer = Objects.requireNonNull(customizer, "http");
    return this;
  }

  /** The OkHttp client for HTTP and WebSocket (default: one the facade creates and stops). */
  public QuarryBuilder httpClient(OkHttpClient client) {
    this.okHttp = Objects.requireNonNull(client, "httpClient");
    return this;
  }

  /** The Jackson mapper (default: unknown properties ignored, modules on the class path). */
  public QuarryBuilder objectMapper(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "objectMapper");
    return this;
  }

  /**
   * The clock and scheduler for every timer (default the system clock and a scheduler thread the
   * facade owns); tests pass {@code VirtualTime} for both.
   */
  public QuarryBuilder time(Clock clock, Scheduler scheduler) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /**
   * Where every listener, observer and callback runs (default one daemon thread {@code
   * quarry-callbacks-...}); for example {@code SwingUtilities::invokeLater} or {@code
   * Platform::runLater}.
   */
  public QuarryBuilder callbackExecutor(Executor executor) {
    this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
    return this;
  }

  /** Where errors from user code and unreported failures go (default logging). */
  public QuarryBuilder errorHandler(ErrorHandler handler) {
    this.errorHandler = Objects.requireNonNull(handler, "errorHandler");
    return this;
  }

  /** The connectivity to share (default one the facade creates). */
  public QuarryBuilder connectivity(Connectivity connectivity) {
    this.connectivity = Objects.requireNonNull(connectivity, "connectivity");
    return this;
  }

  /**
   * Whether the realtime connection sets {@link Quarry#connectivity()} (default true); false when
   * the application owns it (a network callback, a health check).
   */
  public QuarryBuilder connectivityFromRealtime(boolean fromRealtime) {
    this.connectivityFromRealtime = fromRealtime;
    return this;
  }

  /**
   * A realtime connection with these options; the facade's clock, scheduler, callback executor,
   * error handler, OkHttp client and mapper replace theirs.
   */
  public QuarryBuilder realtime(RealtimeOptions options) {
    this.realtime = Objects.requireNonNull(options, "realtime");
    return this;
  }

  /** A realtime connection to {@code uri}, customized: {@code r -> r.auth(...)}. */
  public QuarryBuilder realtime(URI uri, UnaryOperator<RealtimeOptions.Builder> customizer) {
    Objects.requireNonNull(customizer, "realtime customizer");
    return realtime(customizer.apply(RealtimeOptions.builder(uri)).build());
  }

  /**
   * Another namespace on the realtime connection (socket.io multiplexing: one Engine.IO
   * connection), with the realtime options' auth; its client is {@link Quarry#realtime(String)} and
   * its topics are bound with {@link Quarry#bind(String, Topic)}. Needs {@link #realtime}.
   */
  public QuarryBuilder realtimeNamespace(String namespace) {
    realtimeNamespaces.put(Objects.requireNonNull(namespace, "namespace"), null);
    return this;
  }

  /** Like {@link #realtimeNamespace(String)}, its CONNECT carrying what {@code auth} supplies. */
  public QuarryBuilder realtimeNamespace(String namespace, Supplier<?> auth) {
    realtimeNamespaces.put(
        Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(auth, "auth"));
    return this;
  }

  /** Whether {@link #build()} starts connecting the realtime client (default true). */
  public QuarryBuilder connectRealtime(boolean connect) {
    this.connectRealtime = connect;
    return this;
  }

  /** Client-wide query defaults. */
  public QuarryBuilder queryDefaults(QueryDefaults defaults) {
    this.queryDefaults = Objects.requireNonNull(defaults, "queryDefaults");
    return this;
  }

  /** Client-wide query defaults: {@code d -> d.staleTime(Duration.ofMinutes(5)).retry(3)}. */
  public QuarryBuilder queryDefaults(UnaryOperator<QueryDefaults.Builder> customizer) {
    Objects.requireNonNull(customizer, "queryDefaults");
    return queryDefaults(customizer.apply(QueryDefaults.builder()).build());
  }

  /**
   * Callbacks for the outcome of every fetch of every query (TanStack's {@code new QueryCache({
   * onSuccess, onError, onSettled })}), for example one place that shows every load error. They run
   * once per fetch outcome on the callback executor, never under a Quarry lock; one that throws
   * goes to the error handler and changes nothing else. See {@link QueryCacheCallbacks}. Default:
   * none.
   */
  public QuarryBuilder queryCacheCallbacks(QueryCacheCallbacks callbacks) {
    this.queryCacheCallbacks = Objects.requireNonNull(callbacks, "queryCacheCallbacks");
    return this;
  }

  /**
   * Callbacks that run for every mutation, before the mutation's own ones and awaited (TanStack's
   * {@code new MutationCache({ onMutate, onError, onSuccess, onSettled })}); they run on the
   * callback executor. See {@link MutationCacheConfig} for what a failing one does. Default: none.
   */
  public QuarryBuilder mutationCacheConfig(MutationCacheConfig config) {
    this.mutationCacheConfig = Objects.requireNonNull(config, "mutationCacheConfig");
    return this;
  }

  /**
   * A directory for durable state: the mutation outbox ({@code outbox.mv}) and the stores made with
   * {@link Quarry#store(String, Object, Class)} ({@code stores/<name>.json}). Created if missing.
   *
   * @throws IllegalArgumentException if it exists and is not a directory
   */
  public QuarryBuilder persistence(Path directory) {
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
    return new Quarry(
        Assembly.assemble(
            new Assembly.Settings(
                baseUrl,
                okHttp,
                mapper,
                clock,
                scheduler,
                callbackExecutor,
                errorHandler,
                connectivity,
                connectivityFromRealtime,
                realtime,
                connectRealtime,
                queryDefaults,
                httpCustomizer,
                persistence,
                new LinkedHashMap<>(realtimeNamespaces),
                queryCacheCallbacks,
                mutationCacheConfig)));
  }
}
