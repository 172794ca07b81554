package dev.quarry.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QuarryException;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.OkHttpCheck;
import dev.quarry.core.internal.Owned;
import dev.quarry.core.internal.Redaction;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link JsonHttp} on OkHttp; a root instance or a view with extra headers. */
final class RealJsonHttp implements JsonHttp {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final int MAX_CACHED_URLS = 256;

  /** What a root instance and all its views share. */
  private static final class Shared {
    /** For idempotent methods: OkHttp may repeat the request after a connection failure. */
    final Call.Factory callFactory;

    /** For every other method: the same client with OkHttp's own retries turned off. */
    final Call.Factory writeFactory;

    /** The factory the builder was given (for newBuilder), or the owned client. */
    final Call.Factory configuredFactory;

    /** What this instance created (its OkHttp client), or nothing when it was given one. */
    final @Nullable Owned owned;

    final ObjectMapper mapper;
    final @Nullable HttpUrl baseUrl;
    final Supplier<Optional<String>> authorization;
    final @Nullable Duration callTimeout;
    final @Nullable Duration readTimeout;
    final long maxResponseBytes;
    final Clock clock;
    final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Resolved URLs by path: parsing a URL costs more than the rest of building a request. Bounded
     * by clearing it when full, so paths with ids in them cannot grow it without end.
     */
    final ConcurrentHashMap<String, HttpUrl> urls = new ConcurrentHashMap<>();

    Shared(
        Call.Factory callFactory,
        Call.Factory writeFactory,
        Call.Factory configuredFactory,
        @Nullable Owned owned,
        ObjectMapper mapper,
        JsonHttp.Builder b) {
      this.callFactory = callFactory;
      this.writeFactory = writeFactory;
      this.configuredFactory = configuredFactory;
      this.owned = owned;
      this.mapper = mapper;
      this.baseUrl = b.baseUrl;
      this.authorization = b.authorization;
      this.callTimeout = b.callTimeout;
      this.readTimeout = b.readTimeout;
      this.maxResponseBytes = b.maxResponseBytes;
      this.clock = b.clock;
    }
  }

  private final Shared shared;
  private final Headers defaultHeaders;
  private final Headers viewHeaders;
  private final boolean root;

  /** Accept, then the defaults. */
  private final Headers fixedHeaders;

  /** {@link #fixedHeaders}, then the view's: what is sent when there is no authorization. */
  private final Headers headersWithoutAuthorization;

  private RealJsonHttp(Shared shared, Headers defaultHeaders, Headers viewHeaders, boolean root) {
    this.shared = shared;
    this.defaultHeaders = defaultHeaders;
    this.viewHeaders = viewHeaders;
    this.root = root;
    Headers.Builder h = new Headers.Builder().set("Accept", "application/json");
    setAll(h, defaultHeaders);
    this.fixedHeaders = h.build();
    this.headersWithoutAuthorization = setAll(h, viewHeaders).build();
  }

  private static Headers.Builder setAll(Headers.Builder h, Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      h.set(headers.name(i), headers.value(i));
    }
    return h;
  }

  static JsonHttp create(JsonHttp.Builder b, ObjectMapper mapper, Headers headers) {
    OkHttpCheck.requireSupported();
    Call.Factory configured = b.callFactory;
    Call.Factory factory;
    Call.Factory writeFactory;
    Owned owned = null;
    if (configured == null) {
      owned = new Owned("JsonHttp", ErrorHandler.logging());
      // The derived client shares the owned one's dispatcher and pool, which close() stops.
      OkHttpClient.Builder cb = Defaults.okHttpClient(owned).newBuilder();
      applyTimeouts(cb, b);
      OkHttpClient client = cb.build();
      factory = client;
      writeFactory = withoutSilentRetries(client);
      configured = client;
    } else if (configured instanceof OkHttpClient client) {
      // A derived client shares the pool and dispatcher of the given one.
      OkHttpClient base = client;
      if (b.readTimeout != null || b.callTimeout != null) {
        OkHttpClient.Builder cb = client.newBuilder();
        applyTimeouts(cb, b);
        base = cb.build();
      }
      factory = base;
      writeFactory = withoutSilentRetries(base);
    } else {
      factory = configured;
      writeFactory = configured;
    }
    Shared shared = new Shared(factory, writeFactory, configured, owned, mapper, b);
    return new RealJsonHttp(shared, headers, Headers.of(), true);
  }

  /**
   * {@code client}, or a client derived from it (sharing its pool and dispatcher) that does not
   * repeat a request after a connection failure or a 408 on its own.
   */
  private static OkHttpClient withoutSilentRetries(OkHttpClient client) {
    return client.retryOnConnectionFailure()
        ? client.newBuilder().retryOnConnectionFailure(false).build()
        : client;
  }

  /**
   * Whether repeating a request with this method has the effect of sending it once (RFC 9110
   * section 9.2.2). Methods are case-sensitive: {@code "post"} is not {@code "POST"} but it is not
   * idempotent either.
   */
  static boolean isIdempotent(String method) {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> false;
    };
  }

  private static void applyTimeouts(OkHttpClient.Builder cb, JsonHttp.Builder b) {
    if (b.readTimeout != null) {
      cb.readTimeout(b.readTimeout);
    }
    if (b.callTimeout != null) {
      cb.callTimeout(b.callTimeout);
    }
  }

  static void checkHeader(String option, String name, String value) {
    Objects.requireNonNull(name, option + " name");
    Objects.requireNonNull(value, option + " value");
    try {
      Headers.of(name, "");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          option + " '" + name + "' is not a valid header: " + e.getMessage(), e);
    }
    // OkHttp's message would quote the value (a secret, often): name the position only, and do
    // not keep its exception as the cause.
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        throw new IllegalArgumentException(
            option
                + " '"
                + name
                + "' has a value that is not a valid header value: character "
                + String.format(Locale.ROOT, "0x%02x", (int) c)
                + " at index "
                + i
                + " (the value is not shown)");
      }
    }
  }

  @Override
  public <T> CompletableFuture<T> send(
      String method, String path, @Nullable Object body, JsonType<T> type) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    HttpUrl url = resolve(path);
    if (shared.closed.get()) {
      String target = method + " " + shown(url);
      throw new IllegalStateException(target + ": JsonHttp is closed");
    }
    Headers headers;
    try {
      headers = headers();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new QuarryException(
              method + " " + shown(url) + ": the authorization supplier failed", e));
    }
    RequestBody requestBody = null;
    if (body != null) {
      try {
        requestBody = RequestBody.create(shared.mapper.writeValueAsBytes(body), JSON);
      } catch (JsonProcessingException | RuntimeException e) {
        return CompletableFuture.failedFuture(
            new QuarryException(
                method
                    + " "
                    + shown(url)
                    + ": cannot write request body of "
                    + body.getClass().getName()
                    + " as JSON",
                e));
      }
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      requestBody = RequestBody.create(new byte[0], null);
    }
    Request request;
    try {
      request = new Request.Builder().url(url).headers(headers).method(method, requestBody).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(method + " " + shown(url) + ": " + e.getMessage(), e);
    }
    Call.Factory factory = isIdempotent(method) ? shared.callFactory : shared.writeFactory;
    Call call;
    try {
      call = factory.newCall(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new QuarryException(method + " " + shown(url) + ": the call factory failed", e));
    }
    Duration callTimeout = shared.callTimeout;
    if (callTimeout != null && !(factory instanceof OkHttpClient)) {
      call.timeout().timeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    CallFuture<T> future = new CallFuture<>(call);
    call.enqueue(
        new ResponseHandler<>(
            this,
            method,
            url.toString(),
            url.encodedPath(),
            shared.clock.nanoTime(),
            type,
            future));
    return future;
  }

  @Override
  public Call newCall(String method, String path, @Nullable Object body) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    HttpUrl url = resolve(path);
    String target = method + " " + shown(url);
    if (shared.closed.get()) {
      throw new IllegalStateException(target + ": JsonHttp is closed");
    }
    Headers headers;
    try {
      headers = headers();
    } catch (RuntimeException e) {
      throw new QuarryException(target + ": the authorization supplier failed", e);
    }
    RequestBody requestBody = null;
    if (body != null) {
      try {
        requestBody = RequestBody.create(shared.mapper.writeValueAsBytes(body), JSON);
      } catch (JsonProcessingException | RuntimeException e) {
        throw new QuarryException(
            target + ": cannot write request body of " + body.getClass().getName() + " as JSON", e);
      }
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      requestBody = RequestBody.create(new byte[0], null);
    }
    Request request;
    try {
      request = new Request.Builder().url(url).headers(headers).method(method, requestBody).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(target + ": " + e.getMessage(), e);
    }
    Call.Factory factory = isIdempotent(method) ? shared.callFactory : shared.writeFactory;
    Call call = factory.newCall(request);
    Duration callTimeout = shared.callTimeout;
    if (callTimeout != null && !(factory instanceof OkHttpClient)) {
      call.timeout().timeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    return call;
  }

  /** The URL as it may be shown in a message: its secrets redacted. */
  private static String shown(HttpUrl url) {
    return Redaction.url(url.toString());
  }

  private HttpUrl resolve(String path) {
    HttpUrl url = shared.urls.get(path);
    if (url == null) {
      url = parse(path);
      if (shared.urls.size() >= MAX_CACHED_URLS) {
        shared.urls.clear();
      }
      shared.urls.put(path, url);
    }
    return url;
  }

  private HttpUrl parse(String path) {
    // HttpUrl.parse throws and catches an exception for a string without a scheme: only try it
    // when there may be one.
    HttpUrl absolute = mayHaveScheme(path) ? HttpUrl.parse(path) : null;
    if (absolute != null) {
      return absolute;
    }
    HttpUrl base = shared.baseUrl;
    if (base == null) {
      throw new IllegalArgumentException(
          "path '"
              + Redaction.url(path)
              + "' is not an absolute http(s) URL and no baseUrl is configured");
    }
    HttpUrl resolved = base.resolve(path);
    if (resolved == null) {
      throw new IllegalArgumentException(
          "path '" + Redaction.url(path) + "' cannot be resolved against baseUrl " + shown(base));
    }
    return resolved;
  }

  /** Whether a {@code :} comes before any {@code /}, {@code ?} or {@code #}. */
  static boolean mayHaveScheme(String path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == ':') {
        return true;
      }
      if (c == '/' || c == '?' || c == '#') {
        return false;
      }
    }
    return false;
  }

  /** Accept, then defaults, then the authorization supplier, then the view's headers. */
  private Headers headers() {
    Optional<String> auth = shared.authorization.get();
    if (auth == null) {
      throw new IllegalStateException("the authorization supplier returned null");
    }
    if (auth.isEmpty()) {
      return headersWithoutAuthorization;
    }
    Headers.Builder h = fixedHeaders.newBuilder().set("Authorization", auth.get());
    return setAll(h, viewHeaders).build();
  }

  @Override
  public JsonHttp withHeader(String name, String value) {
    checkHeader("withHeader", name, value);
    return new RealJsonHttp(
        shared, defaultHeaders, viewHeaders.newBuilder().set(name, value).build(), false);
  }

  @Override
  public JsonHttp withHeaders(Map<String, String> headers) {
    Headers.Builder h = viewHeaders.newBuilder();
    headers.forEach(
        (name, value) -> {
          checkHeader("withHeaders", name, value);
          h.set(name, value);
        });
    return new RealJsonHttp(shared, defaultHeaders, h.build(), false);
  }

  @Override
  public JsonHttp.Builder newBuilder() {
    JsonHttp.Builder b = JsonHttp.builder();
    b.baseUrl = shared.baseUrl;
    b.callFactory = shared.configuredFactory;
    b.mapper = shared.mapper;
    for (Headers source : new Headers[] {defaultHeaders, viewHeaders}) {
      for (int i = 0; i < source.size(); i++) {
        b.headers.put(source.name(i), source.value(i));
      }
    }
    b.authorization = shared.authorization;
    b.callTimeout = shared.callTimeout;
    b.readTimeout = shared.readTimeout;
    b.maxResponseBytes = shared.maxResponseBytes;
    b.clock = shared.clock;
    return b;
  }

  @Override
  public void close() {
    if (!root || !shared.closed.compareAndSet(false, true)) {
      return;
    }
    Owned owned = shared.owned;
    if (owned != null) {
      owned.close();
    }
  }

  @Override
  public String toString() {
    HttpUrl base = shared.baseUrl;
    return "JsonHttp{baseUrl=" + (base == null ? null : shown(base)) + (root ? "" : ", view") + "}";
  }

  /** A future whose cancellation cancels the call. */
  private static final class CallFuture<T> extends CompletableFuture<T> {
    private final Call call;

    CallFuture(Call call) {
      this.call = call;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      call.cancel();
      return cancelled;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      boolean completed = super.completeExceptionally(ex);
      if (completed && ex instanceof CancellationException) {
        call.cancel();
      }
      return completed;
    }
  }

  /**
   * The logger {@code dev.quarry.http}: one DEBUG line per request with its method, URL path,
   * status (or the failure's class) and duration. Never the host, query, headers or bodies, so no
   * token or payload reaches a log line. Fetched on first use.
   */
  private static final class HttpLog {
    static final Logger LOG = LoggerFactory.getLogger("dev.quarry.http");

    private HttpLog() {}

    static void request(String method, String path, String outcome, long nanos) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} {} -> {} in {} ms", method, path, outcome, nanos / 1_000_000);
      }
    }
  }

  /** Turns OkHttp's callback into the future's outcome; runs on a dispatcher thread. */
  private static final class ResponseHandler<T> implements Callback {
    private final RealJsonHttp http;
    private final String method;
    private final String url;
    private final String path;
    private final long startNanos;
    private final JsonType<T> type;
    private final CompletableFuture<T> future;

    ResponseHandler(
        RealJsonHttp http,
        String method,
        String url,
        String path,
        long startNanos,
        JsonType<T> type,
        CompletableFuture<T> future) {
      this.http = http;
      this.method = method;
      this.url = url;
      this.path = path;
      this.startNanos = startNanos;
      this.type = type;
      this.future = future;
    }

    /** Logs the request's line before its future settles, so the line comes first. */
    private void log(String outcome) {
      HttpLog.request(method, path, outcome, http.shared.clock.nanoTime() - startNanos);
    }

    @Override
    public void onFailure(Call call, IOException e) {
      log("failed (" + e.getClass().getSimpleName() + ")");
      failed(call, e);
    }

    private void failed(Call call, IOException e) {
      if (future.isDone()) {
        return;
      }
      if (call.isCanceled() && http.shared.closed.get()) {
        future.completeExceptionally(
            new CancellationException(
                method + " " + Redaction.url(url) + ": canceled by JsonHttp.close()"));
      } else if (isProxyAuthRequired(e)) {
        // OkHttp turns a 407 that did not come from an HTTP proxy into this exception and drops
        // the response; report the status it stands for.
        HttpStatusException status =
            new HttpStatusException(method, url, 407, Headers.of(), "", Optional.empty());
        status.addSuppressed(e);
        future.completeExceptionally(status);
      } else {
        future.completeExceptionally(new HttpIoException(method, url, e));
      }
    }

    @Override
    public void onResponse(Call call, Response response) {
      log(String.valueOf(response.code()));
      try (response) {
        if (future.isDone()) {
          return; // cancelled meanwhile: do not read the body
        }
        complete(response);
      } catch (IOException e) {
        failed(call, e);
      } catch (HttpException e) {
        future.completeExceptionally(e);
      } catch (RuntimeException | Error e) {
        future.completeExceptionally(
            new QuarryException(
                method + " " + Redaction.url(url) + ": failed to handle the response", e));
      }
    }

    private void complete(Response response) throws IOException {
      int status = response.code();
      ResponseBody body = response.body();
      if (!response.isSuccessful()) {
        String excerpt = excerpt(body.source());
        String retryAfterHeader = response.header("Retry-After");
        Optional<Duration> retryAfter =
            retryAfterHeader == null
                ? Optional.empty()
                : RetryAfterHeader.parse(retryAfterHeader, http.shared.clock.currentTimeMillis());
        throw new HttpStatusException(method, url, status, response.headers(), excerpt, retryAfter);
      }
      if (type.isVoid()) {
        future.complete(null);
        return;
      }
      MediaType contentType = body.contentType();
      if (contentType != null && !isJson(contentType)) {
        throw decodeError(
            status,
            HttpDecodeException.Reason.NOT_JSON,
            "content type " + contentType + " is not JSON",
            null);
      }
      long limit = http.shared.maxResponseBytes;
      long declared = body.contentLength();
      if (declared > limit) {
        throw decodeError(
            status,
            HttpDecodeException.Reason.TOO_LARGE,
            "body of " + declared + " bytes exceeds the limit of " + limit + " bytes",
            null);
      }
      BufferedSource source = body.source();
      if (declared == 0 || source.exhausted()) {
        throw decodeError(status, HttpDecodeException.Reason.EMPTY_BODY, "the body is empty", null);
      }
      // Jackson reads straight from the response; the stream counts what it reads and stops past
      // the limit, so no copy of the whole body is made first.
      BoundedStream in = new BoundedStream(source, limit);
      T value;
      try {
        JavaType javaType = type.resolve(http.shared.mapper.getTypeFactory());
        value = http.shared.mapper.readValue(in, javaType);
        in.drain(); // the limit covers the whole body, as before; and the connection is reusable
      } catch (IOException | RuntimeException e) {
        throw decodeFailure(status, in, e);
      }
      if (value == null) {
        throw decodeError(
            status, HttpDecodeException.Reason.MALFORMED, "the body is JSON null", null);
      }
      future.complete(value);
    }

    /**
     * What a failure while decoding stands for: the body was too large, the transport failed
     * (rethrown, it becomes an {@link HttpIoException}), or the JSON was malformed.
     */
    private HttpDecodeException decodeFailure(int status, BoundedStream in, Exception e)
        throws IOException {
      if (!in.overLimit() && in.transportFailure == null) {
        // Jackson may stop at the first bad token: read the rest, so that a body over the limit
        // or cut short is reported as such whatever its content, as when it was read up front.
        try {
          in.drain();
        } catch (IOException overLimitOrTransport) {
          // classified below
        }
      }
      if (in.overLimit()) {
        return decodeError(
            status,
            HttpDecodeException.Reason.TOO_LARGE,
            "body exceeds the limit of " + in.limit + " bytes",
            null);
      }
      IOException transport = in.transportFailure;
      if (transport != null) {
        throw transport;
      }
      if (e instanceof JsonProcessingException j) {
        return decodeError(
            status,
            HttpDecodeException.Reason.MALFORMED,
            String.valueOf(j.getOriginalMessage()),
            e);
      }
      return decodeError(status, HttpDecodeException.Reason.MALFORMED, String.valueOf(e), e);
    }

    private HttpDecodeException decodeError(
        int status, HttpDecodeException.Reason reason, String detail, @Nullable Throwable cause) {
      return new HttpDecodeException(method, url, status, type.toString(), reason, detail, cause);
    }
  }

  /**
   * Whether OkHttp failed the call because the server answered 407 while no HTTP proxy was used
   * (its message has read "Received HTTP_PROXY_AUTH (407) code while not using proxy" since 3.x).
   */
  static boolean isProxyAuthRequired(IOException e) {
    String message = e.getMessage();
    return e instanceof ProtocolException && message != null && message.contains("(407)");
  }

  static boolean isJson(MediaType contentType) {
    String subtype = contentType.subtype().toLowerCase(Locale.ROOT);
    return subtype.equals("json") || subtype.endsWith("+json");
  }

  /** The first {@link HttpStatusException#MAX_EXCERPT_BYTES} of an error body, best effort. */
  static String excerpt(BufferedSource source) {
    Buffer buffer = new Buffer();
    try {
      while (buffer.size() < HttpStatusException.MAX_EXCERPT_BYTES) {
        long n = source.read(buffer, HttpStatusException.MAX_EXCERPT_BYTES - buffer.size());
        if (n == -1) {
          break;
        }
      }
    } catch (IOException e) {
      // The status is what matters; keep what arrived.
    }
    return utf8Prefix(buffer.readByteArray());
  }

  /** Decodes UTF-8, dropping a multi-byte character cut off at the end. */
  static String utf8Prefix(byte[] bytes) {
    int end = bytes.length;
    // Find the start of the last character (at most 3 continuation bytes back).
    int start = end - 1;
    while (start >= 0 && start > end - 4 && (bytes[start] & 0xC0) == 0x80) {
      start--;
    }
    if (start >= 0) {
      int lead = bytes[start] & 0xFF;
      int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (start + length > end) {
        end = start;
      }
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }
}
