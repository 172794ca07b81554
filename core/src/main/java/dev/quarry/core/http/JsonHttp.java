package dev.quarry.core.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.Clock;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.Redaction;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * A JSON-over-HTTP client: sends a request, decodes the 2xx response body with Jackson into the
 * requested type, and reports every failure as a typed {@link HttpException}.
 *
 * <pre>{@code
 * JsonHttp http = JsonHttp.builder()
 *     .baseUrl("https://studio.example.com/api/")
 *     .authorization(() -> Optional.of("Bearer " + tokens.current()))
 *     .build();
 * CompletableFuture<Episode> e = http.get("episodes/e1", Episode.class);
 * CompletableFuture<List<Episode>> all = http.get("episodes", JsonType.of(new TypeReference<>() {}));
 * http.withHeader("Idempotency-Key", key).post("episodes", newEpisode, Episode.class);
 * http.close();
 * }</pre>
 *
 * <h2>Paths</h2>
 *
 * A path is resolved against the {@linkplain Builder#baseUrl(String) base URL} as a browser
 * resolves a link (RFC 3986): {@code "episodes/e1"} and {@code "episodes?page=2"} are appended to
 * the base URL's path; a path starting with {@code /} replaces the base URL's path; an absolute
 * {@code http(s)://} URL is used as is. The base URL's path always ends with {@code /} (one is
 * added if missing), so {@code https://host/api} and {@code https://host/api/} are the same base. A
 * path that cannot be resolved throws {@link IllegalArgumentException} immediately.
 *
 * <h2>Results and errors</h2>
 *
 * Each call returns a new future that completes with the decoded body, or exceptionally with {@link
 * HttpStatusException} (status outside 2xx, including a {@code 407} whether or not a proxy sent it;
 * without a proxy OkHttp keeps neither its headers nor its body), {@link HttpIoException}
 * (connection or read failure, timeout) or {@link HttpDecodeException} (empty, non-JSON, too large
 * or malformed body). A JSON {@code null} body is a decode error for every type but {@code Void};
 * {@code Void} accepts any 2xx response and completes with {@code null}. Errors thrown by the
 * {@linkplain Builder#authorization(Supplier) authorization supplier} or by encoding the request
 * body fail the future with a {@link dev.quarry.core.QuarryException} that names the request.
 *
 * <h2>No silent retries of writes</h2>
 *
 * OkHttp repeats some requests on its own, unseen by the caller and by Quarry's retries: after a
 * connection failure (for example a pooled keep-alive connection the server had closed, or one
 * dropped after the request was sent) and after a {@code 408}. For a write that may reach the
 * server twice. So only idempotent methods in the sense of RFC 9110 section 9.2.2 ({@code GET},
 * {@code HEAD}, {@code OPTIONS}, {@code TRACE}, {@code PUT} and {@code DELETE}) are sent through
 * the client as configured; every other method ({@code POST}, {@code PATCH}, custom ones), with or
 * without a body, goes through a client derived once at {@link Builder#build()} with {@code
 * retryOnConnectionFailure(false)}. The derived client shares the pool, dispatcher and
 * interceptors; the given client itself is not changed. Such a request is sent at most once per
 * call: a connection failure completes the future with {@link HttpIoException}, a {@code 408} with
 * {@link HttpStatusException}, and retrying it is the caller's decision (for example with an {@code
 * Idempotency-Key} header). This holds for an owned client and for one given to {@link
 * Builder#client(OkHttpClient)}; a plain {@link Builder#callFactory(Call.Factory)} is used as it is
 * for every method.
 *
 * <h2>Cancellation</h2>
 *
 * {@code cancel(...)} on a returned future (or completing it with a {@link
 * java.util.concurrent.CancellationException}) cancels the OkHttp {@link Call}. Cancelling a future
 * derived from it ({@code thenApply} and so on) does not.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe and immutable. The futures complete on an OkHttp dispatcher thread (named {@code
 * quarry-http-...} for a client this instance created; OkHttp renames the thread {@code OkHttp
 * <url>} while it runs a call), so non-async dependent stages run there too: keep them short, or
 * use the {@code *Async} variants with your executor. No Quarry lock is held while a future
 * completes. The authorization supplier is called on the calling thread.
 *
 * <h2>Lifecycle</h2>
 *
 * An instance built without a client {@linkplain #close() owns} the OkHttp client it creates;
 * closing it cancels calls in flight (their futures are cancelled), shuts down the dispatcher's
 * threads and evicts pooled connections. A client given to the builder is shared and never shut
 * down. After {@code close()}, as for every Quarry client: {@code close()} again does nothing; a
 * call on the instance or its views throws {@link IllegalStateException} saying it is closed; calls
 * in flight when it closed complete exceptionally, never stay pending. Views made with {@link
 * #withHeader} share everything with their parent: their {@code close()} does nothing. Instances
 * built from {@link #newBuilder()} share the client without owning it: their {@code close()} only
 * stops them, and they stop working when the owner is closed.
 *
 * <h2>Logs</h2>
 *
 * The SLF4J logger {@code dev.quarry.http} writes one DEBUG line per request, on the dispatcher
 * thread before its future completes: the method, the URL's path, the status (or the class of the
 * I/O failure) and the duration, for example {@code GET /api/todos -> 200 in 12 ms}. The host, the
 * query, headers and bodies are never written, so no token or payload reaches a log line.
 */
public interface JsonHttp extends AutoCloseable {

  /** Returns a builder with the defaults described on each of its methods. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Sends a request; the verb methods all end here.
   *
   * @param method the HTTP method, for example {@code "GET"}
   * @param path a path or URL, resolved as described in the class documentation
   * @param body the request body, written as JSON; null means no body
   * @param type the type to decode the response body into
   * @throws IllegalArgumentException if the method or path is invalid
   */
  <T> CompletableFuture<T> send(
      String method, String path, @Nullable Object body, JsonType<T> type);

  /** GETs {@code path} and decodes the body into {@code type}. */
  default <T> CompletableFuture<T> get(String path, Class<T> type) {
    return send("GET", path, null, JsonType.of(type));
  }

  /** GETs {@code path} and decodes the body into {@code type}. */
  default <T> CompletableFuture<T> get(String path, JsonType<T> type) {
    return send("GET", path, null, type);
  }

  /** POSTs {@code body} as JSON to {@code path} and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> post(String path, Object body, Class<T> type) {
    return send("POST", path, Objects.requireNonNull(body, "body"), JsonType.of(type));
  }

  /** POSTs {@code body} as JSON to {@code path} and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> post(String path, Object body, JsonType<T> type) {
    return send("POST", path, Objects.requireNonNull(body, "body"), type);
  }

  /** PUTs {@code body} as JSON to {@code path} and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> put(String path, Object body, Class<T> type) {
    return send("PUT", path, Objects.requireNonNull(body, "body"), JsonType.of(type));
  }

  /** PUTs {@code body} as JSON to {@code path} and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> put(String path, Object body, JsonType<T> type) {
    return send("PUT", path, Objects.requireNonNull(body, "body"), type);
  }

  /** PATCHes {@code path} with {@code body} as JSON and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> patch(String path, Object body, Class<T> type) {
    return send("PATCH", path, Objects.requireNonNull(body, "body"), JsonType.of(type));
  }

  /** PATCHes {@code path} with {@code body} as JSON and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> patch(String path, Object body, JsonType<T> type) {
    return send("PATCH", path, Objects.requireNonNull(body, "body"), type);
  }

  /** DELETEs {@code path} and decodes the response into {@code type} ({@code Void.class}: none). */
  default <T> CompletableFuture<T> delete(String path, Class<T> type) {
    return send("DELETE", path, null, JsonType.of(type));
  }

  /** DELETEs {@code path} and decodes the response into {@code type}. */
  default <T> CompletableFuture<T> delete(String path, JsonType<T> type) {
    return send("DELETE", path, null, type);
  }

  /**
   * A raw OkHttp call for a response that is not one JSON document, such as a stream of server-sent
   * events: the path resolved as for {@link #send}, this instance's headers (a view's included) and
   * authorization, the body (if any) written as JSON, through the client {@link #send} would use
   * for this method. The call is not started: the caller enqueues or executes it, reads the
   * response and closes it; no size limit applies to it. A call timeout applies as for {@link
   * #send}: a reader of a long stream cancels it with {@code call.timeout().cancel()} once the
   * response began.
   *
   * @param method the HTTP method, for example {@code "GET"}
   * @param path a path or URL, resolved as described in the class documentation
   * @param body the request body, written as JSON; null means no body
   * @throws IllegalArgumentException if the method or path is invalid
   * @throws IllegalStateException if this instance is closed
   * @throws dev.quarry.core.QuarryException if the authorization supplier or the body encoding
   *     fails (naming the request)
   */
  Call newCall(String method, String path, @Nullable Object body);

  /**
   * A view that sends one more header with every request, replacing a default header of the same
   * name. Shares everything else with this instance; see the class documentation on lifecycle.
   *
   * @throws IllegalArgumentException if the name or value is not a valid header
   */
  JsonHttp withHeader(String name, String value);

  /** A view that sends these headers too; see {@link #withHeader(String, String)}. */
  JsonHttp withHeaders(Map<String, String> headers);

  /**
   * A builder holding this instance's settings, including its headers and client; the client is
   * shared by what it builds and not owned by it.
   */
  Builder newBuilder();

  /**
   * Releases the OkHttp client if this instance owns it (see the class documentation); otherwise
   * does nothing. Idempotent.
   */
  @Override
  void close();

  /**
   * The default retry predicate: true for {@link HttpIoException} and for {@link
   * HttpStatusException} with a 5xx, 408 (request timeout) or 429 status; false for every other
   * status, for decode errors, cancellations and anything else. {@link CompletionException} and
   * {@link ExecutionException} wrappers are looked through.
   */
  static boolean isRetryable(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HttpIoException) {
      return true;
    }
    if (e instanceof HttpStatusException statusError) {
      int status = statusError.status();
      return status >= 500 || status == 408 || status == 429;
    }
    return false;
  }

  /**
   * Builds a {@link JsonHttp}. Not thread-safe; each setter replaces the previous value. Invalid
   * values throw {@link IllegalArgumentException} naming the option and the value, from the setter
   * or from {@link #build()}.
   */
  final class Builder {
    /** The default {@link #maxResponseBytes(long)}: 16 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

    @Nullable HttpUrl baseUrl;
    Call.@Nullable Factory callFactory;
    @Nullable ObjectMapper mapper;
    final Map<String, String> headers = new LinkedHashMap<>();
    Supplier<Optional<String>> authorization = Optional::empty;
    @Nullable Duration callTimeout;
    @Nullable Duration readTimeout;
    long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    Clock clock = Clock.system();

    Builder() {}

    /**
     * The URL that paths are resolved against (see "Paths" on {@link JsonHttp}). Default: none,
     * every path must then be an absolute URL.
     *
     * @throws IllegalArgumentException if it is not an http or https URL, or has a query or
     *     fragment
     */
    public Builder baseUrl(String baseUrl) {
      HttpUrl url = HttpUrl.parse(Objects.requireNonNull(baseUrl, "baseUrl"));
      if (url == null) {
        throw new IllegalArgumentException(
            "baseUrl must be an http or https URL but was '" + Redaction.url(baseUrl) + "'");
      }
      if (url.query() != null || url.fragment() != null) {
        throw new IllegalArgumentException(
            "baseUrl must not have a query or fragment but was '" + Redaction.url(baseUrl) + "'");
      }
      String path = url.encodedPath();
      this.baseUrl = path.endsWith("/") ? url : url.newBuilder().encodedPath(path + "/").build();
      return this;
    }

    /**
     * An OkHttp client to share (its connection pool, dispatcher, interceptors). It is never shut
     * down by {@link JsonHttp#close()}. Requests that are not idempotent go through a client
     * derived from it without OkHttp's own retries (see "No silent retries of writes" on {@link
     * JsonHttp}). Default: a client owned by the {@code JsonHttp}.
     */
    public Builder client(OkHttpClient client) {
      this.callFactory = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * A call factory to share, for example a wrapping or recording one; never closed. {@link
     * #readTimeout(Duration)} needs an {@link OkHttpClient} and cannot be combined with other
     * factories.
     */
    public Builder callFactory(Call.Factory callFactory) {
      this.callFactory = Objects.requireNonNull(callFactory, "callFactory");
      return this;
    }

    /**
     * The mapper that writes request bodies and reads responses. Default: Quarry's default mapper,
     * the same in every Quarry client: it ignores unknown properties (a server that adds a field
     * does not break the client) and registers the Jackson modules found on the class path.
     */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /**
     * A header sent with every request, replacing an earlier value of the same name.
     *
     * @throws IllegalArgumentException if the name or value is not a valid header
     */
    public Builder header(String name, String value) {
      RealJsonHttp.checkHeader("header", name, value);
      headers.put(name, value);
      return this;
    }

    /** Headers sent with every request; see {@link #header(String, String)}. */
    public Builder headers(Map<String, String> headers) {
      headers.forEach(this::header);
      return this;
    }

    /**
     * Called before each request, on the calling thread; a present value is sent as the {@code
     * Authorization} header (for example {@code "Bearer abc"}). It must not block for long. If it
     * throws, that request fails with a {@link dev.quarry.core.QuarryException}. Default: none.
     */
    public Builder authorization(Supplier<Optional<String>> authorization) {
      this.authorization = Objects.requireNonNull(authorization, "authorization");
      return this;
    }

    /**
     * The limit for a whole call: connecting, writing, waiting and reading the body. {@link
     * Duration#ZERO} means none. Default: the client's (none for an owned client).
     *
     * @throws IllegalArgumentException if negative or longer than {@code Integer.MAX_VALUE} ms
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = checkTimeout("callTimeout", timeout);
      return this;
    }

    /**
     * The longest wait for the next bytes while reading a response. {@link Duration#ZERO} means
     * none. Default: the client's (10 s for an owned client).
     *
     * @throws IllegalArgumentException if negative or longer than {@code Integer.MAX_VALUE} ms
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = checkTimeout("readTimeout", timeout);
      return this;
    }

    /**
     * The largest response body that is decoded, in bytes; a larger one fails with {@link
     * HttpDecodeException.Reason#TOO_LARGE} after reading at most this many bytes (none when the
     * server declares the length). Default: {@value #DEFAULT_MAX_RESPONSE_BYTES}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxResponseBytes(long maxResponseBytes) {
      if (maxResponseBytes <= 0) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be > 0 but was " + maxResponseBytes);
      }
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /** The wall clock that {@code Retry-After} dates are measured against. Default: system. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalArgumentException if a read timeout is set with a call factory that is not an
     *     {@link OkHttpClient}
     * @throws IllegalStateException if the class path holds two OkHttp jars (OkHttp 4's {@code
     *     okhttp} beside OkHttp 5's {@code okhttp-jvm}) or an OkHttp older than 4.12; the message
     *     names the jars, the versions and the fix
     */
    public JsonHttp build() {
      if (readTimeout != null && callFactory != null && !(callFactory instanceof OkHttpClient)) {
        throw new IllegalArgumentException(
            "readTimeout needs an OkHttpClient but callFactory is a "
                + callFactory.getClass().getName());
      }
      ObjectMapper m = mapper;
      if (m == null) {
        m = Defaults.objectMapper();
      }
      return RealJsonHttp.create(this, m, Headers.of(headers));
    }

    private static Duration checkTimeout(String option, Duration timeout) {
      Objects.requireNonNull(timeout, option);
      if (timeout.isNegative() || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException(
            option + " must be between 0 and " + Integer.MAX_VALUE + " ms but was " + timeout);
      }
      return timeout;
    }
  }
}
