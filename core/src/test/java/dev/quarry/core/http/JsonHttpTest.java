package dev.quarry.core.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.Clock;
import dev.quarry.core.QuarryException;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonHttpTest {
  record Episode(String id, String title) {}

  @StartStop private final MockWebServer server = new MockWebServer();

  private final List<JsonHttp> opened = new ArrayList<>();

  @AfterEach
  void closeClients() {
    opened.forEach(JsonHttp::close);
  }

  private JsonHttp.Builder builder() {
    return JsonHttp.builder().baseUrl(server.url("/api/").toString());
  }

  private JsonHttp open(JsonHttp.Builder builder) {
    JsonHttp http = builder.build();
    opened.add(http);
    return http;
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(10, SECONDS);
  }

  /** The exception the future failed with, unwrapped from ExecutionException. */
  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail but it completed with " + future.join());
  }

  private RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest request = server.takeRequest(10, SECONDS);
    assertThat(request).as("request reached the server").isNotNull();
    return request;
  }

  // --- decoding ---

  @Test
  void get_withClass_decodesTheBodyIntoIt() throws Exception {
    server.enqueue(json(200, "{\"id\":\"e1\",\"title\":\"Pilot\",\"unknown\":true}"));
    JsonHttp http = open(builder());

    Episode episode = await(http.get("episodes/e1", Episode.class));

    assertThat(episode).isEqualTo(new Episode("e1", "Pilot"));
    RecordedRequest request = takeRequest();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget()).isEqualTo("/api/episodes/e1");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
  }

  @Test
  void get_withTypeReference_decodesAListOfRecords() throws Exception {
    server.enqueue(json(200, "[{\"id\":\"e1\",\"title\":\"A\"},{\"id\":\"e2\",\"title\":\"B\"}]"));
    JsonHttp http = open(builder());

    List<Episode> episodes =
        await(http.get("episodes", JsonType.of(new TypeReference<List<Episode>>() {})));

    assertThat(episodes).containsExactly(new Episode("e1", "A"), new Episode("e2", "B"));
  }

  @Test
  void get_withJavaType_decodesIntoIt() throws Exception {
    server.enqueue(json(200, "{\"p1\":{\"id\":\"e1\",\"title\":\"A\"}}"));
    JsonHttp http = open(builder());
    JavaType type =
        new ObjectMapper()
            .getTypeFactory()
            .constructMapType(Map.class, String.class, Episode.class);

    Map<String, Episode> byProject = await(http.<Map<String, Episode>>get("x", JsonType.of(type)));

    assertThat(byProject).containsExactly(Map.entry("p1", new Episode("e1", "A")));
  }

  @Test
  void post_sendsTheBodyAsJsonWithContentType_andDecodesTheResponse() throws Exception {
    server.enqueue(json(201, "{\"id\":\"e9\",\"title\":\"Pilot\"}"));
    JsonHttp http = open(builder());

    Episode created = await(http.post("episodes", Map.of("title", "Pilot"), Episode.class));

    assertThat(created).isEqualTo(new Episode("e9", "Pilot"));
    RecordedRequest request = takeRequest();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getHeaders().get("Content-Type"))
        .isEqualTo("application/json; charset=utf-8");
    assertThat(request.getBody().utf8()).isEqualTo("{\"title\":\"Pilot\"}");
  }

  @Test
  void putPatchAndDelete_sendTheirMethodAndBody() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(json(200, "{\"id\":\"e1\",\"title\":\"T\"}"));
    }
    JsonHttp http = open(builder());
    Episode body = new Episode("e1", "T");

    await(http.put("episodes/e1", body, Episode.class));
    await(http.patch("episodes/e1", body, JsonType.of(Episode.class)));
    await(http.delete("episodes/e1", Void.class));

    RecordedRequest put = takeRequest();
    RecordedRequest patch = takeRequest();
    RecordedRequest delete = takeRequest();
    assertThat(put.getMethod()).isEqualTo("PUT");
    assertThat(put.getBody().utf8()).isEqualTo("{\"id\":\"e1\",\"title\":\"T\"}");
    assertThat(patch.getMethod()).isEqualTo("PATCH");
    assertThat(patch.getBody().utf8()).isEqualTo("{\"id\":\"e1\",\"title\":\"T\"}");
    assertThat(delete.getMethod()).isEqualTo("DELETE");
    assertThat(delete.getBodySize()).isZero();
  }

  @Test
  void void_acceptsAnyBodyAndContentType_andCompletesWithNull() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "text/html")
            .body("<p>")
            .build());
    server.enqueue(new MockResponse.Builder().code(204).build());
    JsonHttp http = open(builder());

    assertThat(await(http.get("a", Void.class))).isNull();
    assertThat(await(http.delete("b", JsonType.none()))).isNull();
  }

  // --- URLs and headers ---

  @Test
  void baseUrlWithoutTrailingSlash_resolvesRelativePathsBeneathIt() throws Exception {
    server.enqueue(json(200, "1"));
    server.enqueue(json(200, "2"));
    server.enqueue(json(200, "3"));
    JsonHttp http = open(JsonHttp.builder().baseUrl(server.url("/api").toString()));

    await(http.get("episodes?page=2", Integer.class));
    await(http.get("/health", Integer.class));
    await(http.get(server.url("/other/x").toString(), Integer.class));

    assertThat(takeRequest().getTarget()).isEqualTo("/api/episodes?page=2");
    assertThat(takeRequest().getTarget()).isEqualTo("/health");
    assertThat(takeRequest().getTarget()).isEqualTo("/other/x");
  }

  @Test
  void relativePath_withoutBaseUrl_isRejectedNamingThePath() {
    JsonHttp http = open(JsonHttp.builder());

    assertThatThrownBy(() -> http.get("episodes", Episode.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'episodes'")
        .hasMessageContaining("baseUrl");
  }

  @Test
  void defaultAuthorizationAndViewHeaders_areAllSent_viewWinsOverDefault() throws Exception {
    server.enqueue(json(200, "1"));
    server.enqueue(json(200, "2"));
    AtomicInteger tokens = new AtomicInteger();
    JsonHttp http =
        open(
            builder()
                .header("X-Client", "quarry")
                .header("X-Mode", "default")
                .authorization(() -> Optional.of("Bearer t" + tokens.incrementAndGet())));
    JsonHttp view = http.withHeader("Idempotency-Key", "k-1").withHeaders(Map.of("X-Mode", "view"));

    await(view.get("a", Integer.class));
    await(http.get("b", Integer.class));

    RecordedRequest first = takeRequest();
    assertThat(first.getHeaders().get("X-Client")).isEqualTo("quarry");
    assertThat(first.getHeaders().get("X-Mode")).isEqualTo("view");
    assertThat(first.getHeaders().values("X-Mode")).hasSize(1);
    assertThat(first.getHeaders().get("Idempotency-Key")).isEqualTo("k-1");
    assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer t1");
    RecordedRequest second = takeRequest();
    assertThat(second.getHeaders().get("X-Mode")).isEqualTo("default");
    assertThat(second.getHeaders().get("Idempotency-Key")).isNull();
    assertThat(second.getHeaders().get("Authorization"))
        .as("the supplier is called per request")
        .isEqualTo("Bearer t2");
  }

  @Test
  void absentAuthorization_sendsNoAuthorizationHeader() throws Exception {
    server.enqueue(json(200, "1"));
    JsonHttp http = open(builder().authorization(Optional::empty));

    await(http.get("a", Integer.class));

    assertThat(takeRequest().getHeaders().get("Authorization")).isNull();
  }

  @Test
  void throwingAuthorizationSupplier_failsThatRequestNamingIt() throws Exception {
    JsonHttp http =
        open(
            builder()
                .authorization(
                    () -> {
                      throw new IllegalStateException("token store locked");
                    }));

    Throwable error = failure(http.get("a", Integer.class));

    assertThat(error)
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("GET " + server.url("/api/a"))
        .hasMessageContaining("authorization supplier")
        .hasRootCauseMessage("token store locked");
  }

  @Test
  void newBuilder_keepsSettingsAndSharesTheClient() throws Exception {
    server.enqueue(json(200, "1"));
    JsonHttp http = open(builder().header("X-Client", "quarry"));
    JsonHttp derived = open(http.newBuilder().header("X-Extra", "1"));

    await(derived.get("a", Integer.class));

    RecordedRequest request = takeRequest();
    assertThat(request.getTarget()).isEqualTo("/api/a");
    assertThat(request.getHeaders().get("X-Client")).isEqualTo("quarry");
    assertThat(request.getHeaders().get("X-Extra")).isEqualTo("1");
  }

  // --- status errors ---

  @Test
  void status404_failsWithStatusMethodUrlAndBoundedBodyExcerpt() throws Exception {
    String longBody = "{\"error\":\"not found\",\"pad\":\"" + "x".repeat(10_000) + "\"}";
    server.enqueue(json(404, longBody));
    JsonHttp http = open(builder());

    Throwable error = failure(http.get("episodes/e404", Episode.class));

    assertThat(error).isInstanceOf(HttpStatusException.class);
    HttpStatusException status = (HttpStatusException) error;
    assertThat(status.status()).isEqualTo(404);
    assertThat(status.method()).isEqualTo("GET");
    assertThat(status.url()).isEqualTo(server.url("/api/episodes/e404").toString());
    assertThat(status.bodyExcerpt())
        .startsWith("{\"error\":\"not found\"")
        .hasSize(HttpStatusException.MAX_EXCERPT_BYTES);
    assertThat(status.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(status.retryAfter()).isEmpty();
    assertThat(status.getMessage())
        .startsWith("GET " + server.url("/api/episodes/e404") + ": HTTP 404")
        .contains("not found")
        .hasSizeLessThan(600);
    assertThat(JsonHttp.isRetryable(status)).isFalse();
  }

  @Test
  void status500And429_areRetryable_status400IsNot() throws Exception {
    server.enqueue(json(500, "{}"));
    server.enqueue(json(429, "{}"));
    server.enqueue(json(400, "{}"));
    server.enqueue(json(503, "{}"));
    JsonHttp http = open(builder());

    Throwable e500 = failure(http.get("a", Episode.class));
    Throwable e429 = failure(http.get("a", Episode.class));
    Throwable e400 = failure(http.get("a", Episode.class));
    CompletableFuture<Episode> f503 = http.get("a", Episode.class);

    assertThat(((HttpStatusException) e500).status()).isEqualTo(500);
    assertThat(JsonHttp.isRetryable(e500)).isTrue();
    assertThat(JsonHttp.isRetryable(e429)).isTrue();
    assertThat(((HttpStatusException) e400).status()).isEqualTo(400);
    assertThat(JsonHttp.isRetryable(e400)).isFalse();
    ExecutionException wrapped = null;
    try {
      f503.get(10, SECONDS);
    } catch (ExecutionException e) {
      wrapped = e;
    }
    assertThat(wrapped).isNotNull();
    assertThat(JsonHttp.isRetryable(wrapped)).as("ExecutionException is unwrapped").isTrue();
    Throwable joined = catchJoin(f503);
    assertThat(joined).isInstanceOf(java.util.concurrent.CompletionException.class);
    assertThat(JsonHttp.isRetryable(joined)).as("CompletionException is unwrapped").isTrue();
  }

  private static Throwable catchJoin(CompletableFuture<?> future) {
    try {
      future.join();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected join to fail");
  }

  @Test
  void isRetryable_isFalseForDecodeErrorsCancellationsAndOtherExceptions() {
    assertThat(
            JsonHttp.isRetryable(
                new HttpDecodeException(
                    "GET", "u", 200, "T", HttpDecodeException.Reason.MALFORMED, "bad", null)))
        .isFalse();
    assertThat(JsonHttp.isRetryable(new CancellationException())).isFalse();
    assertThat(JsonHttp.isRetryable(new IllegalStateException())).isFalse();
    assertThat(JsonHttp.isRetryable(new HttpIoException("GET", "u", new IOException("reset"))))
        .isTrue();
  }

  @Test
  void retryAfter_inSecondsAndAsHttpDate_isParsedWithTheInjectedClock() throws Exception {
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    String in90s =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(90).atOffset(ZoneOffset.UTC));
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "120").build());
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", in90s).build());
    JsonHttp http = open(builder().clock(fixedWallClock(now)));

    HttpStatusException seconds = (HttpStatusException) failure(http.get("a", Episode.class));
    HttpStatusException date = (HttpStatusException) failure(http.get("a", Episode.class));

    assertThat(seconds.retryAfter()).contains(Duration.ofSeconds(120));
    assertThat(date.retryAfter()).contains(Duration.ofSeconds(90));
    assertThat(seconds.requestedRetryDelay()).contains(Duration.ofSeconds(120));
    assertThat(date.requestedRetryDelay()).contains(Duration.ofSeconds(90));
  }

  private static Clock fixedWallClock(Instant now) {
    return new Clock() {
      @Override
      public long nanoTime() {
        return 0;
      }

      @Override
      public long currentTimeMillis() {
        return now.toEpochMilli();
      }
    };
  }

  // --- decode errors ---

  @Test
  void declaredBodyOverTheLimit_failsTooLarge_withoutReadingIt() throws Exception {
    server.enqueue(json(200, "[" + "1,".repeat(500_000) + "1]"));
    AtomicLong bytesRead = new AtomicLong();
    JsonHttp http = open(builder().client(countingClient(bytesRead)).maxResponseBytes(16 * 1024));

    Throwable error = failure(http.get("big", int[].class));

    assertThat(error).isInstanceOf(HttpDecodeException.class);
    assertThat(((HttpDecodeException) error).reason())
        .isEqualTo(HttpDecodeException.Reason.TOO_LARGE);
    assertThat(error).hasMessageContaining("16384 bytes").hasMessageContaining("int[]");
    assertThat(bytesRead.get()).isZero();
  }

  @Test
  void chunkedBodyOverTheLimit_failsTooLarge_afterReadingAboutTheLimit() throws Exception {
    String body = "[" + "1,".repeat(2_000_000) + "1]"; // about 4 MB
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .chunkedBody(body, 64 * 1024)
            .build());
    AtomicLong bytesRead = new AtomicLong();
    JsonHttp http = open(builder().client(countingClient(bytesRead)).maxResponseBytes(16 * 1024));

    Throwable error = failure(http.get("big", int[].class));

    assertThat(error).isInstanceOf(HttpDecodeException.class);
    assertThat(((HttpDecodeException) error).reason())
        .isEqualTo(HttpDecodeException.Reason.TOO_LARGE);
    assertThat(bytesRead.get()).isBetween(16L * 1024, 16L * 1024 + 2 * 8192);
  }

  /** A client that counts the body bytes the application reads. */
  private static OkHttpClient countingClient(AtomicLong bytesRead) {
    return new OkHttpClient.Builder()
        .addNetworkInterceptor(
            chain -> {
              okhttp3.Response response = chain.proceed(chain.request());
              ResponseBody body = response.body();
              Source counting =
                  new ForwardingSource(body.source()) {
                    @Override
                    public long read(Buffer sink, long byteCount) throws IOException {
                      long n = super.read(sink, byteCount);
                      if (n > 0) {
                        bytesRead.addAndGet(n);
                      }
                      return n;
                    }
                  };
              return response
                  .newBuilder()
                  .body(
                      ResponseBody.create(
                          Okio.buffer(counting), body.contentType(), body.contentLength()))
                  .build();
            })
        .build();
  }

  @Test
  void truncatedJson_failsMalformedNamingTheTargetType() throws Exception {
    server.enqueue(json(200, "{\"id\":\"e1\",\"title\":"));
    JsonHttp http = open(builder());

    Throwable error = failure(http.get("episodes/e1", Episode.class));

    assertThat(error).isInstanceOf(HttpDecodeException.class);
    HttpDecodeException decode = (HttpDecodeException) error;
    assertThat(decode.reason()).isEqualTo(HttpDecodeException.Reason.MALFORMED);
    assertThat(decode.status()).isEqualTo(200);
    assertThat(decode.targetType()).contains("Episode");
    assertThat(decode.getMessage())
        .startsWith("GET " + server.url("/api/episodes/e1"))
        .contains("Episode");
    assertThat(JsonHttp.isRetryable(decode)).isFalse();
  }

  @Test
  void htmlContentType_failsNotJsonNamingTheContentType() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "text/html; charset=utf-8")
            .body("<html>login</html>")
            .build());
    JsonHttp http = open(builder());

    Throwable error = failure(http.get("episodes", Episode.class));

    assertThat(error).isInstanceOf(HttpDecodeException.class);
    assertThat(((HttpDecodeException) error).reason())
        .isEqualTo(HttpDecodeException.Reason.NOT_JSON);
    assertThat(error).hasMessageContaining("text/html");
  }

  @Test
  void problemJsonContentType_isAcceptedAsJson() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/vnd.api+json")
            .body("{\"id\":\"e1\",\"title\":\"A\"}")
            .build());
    JsonHttp http = open(builder());

    assertThat(await(http.get("e", Episode.class))).isEqualTo(new Episode("e1", "A"));
  }

  @Test
  void status204OrJsonNull_forANonVoidType_isADecodeError() throws Exception {
    server.enqueue(new MockResponse.Builder().code(204).build());
    server.enqueue(json(200, "null"));
    JsonHttp http = open(builder());

    Throwable empty = failure(http.get("a", Episode.class));
    Throwable jsonNull = failure(http.get("a", Episode.class));

    assertThat(((HttpDecodeException) empty).reason())
        .isEqualTo(HttpDecodeException.Reason.EMPTY_BODY);
    assertThat(empty).hasMessageContaining("HTTP 204");
    assertThat(((HttpDecodeException) jsonNull).reason())
        .isEqualTo(HttpDecodeException.Reason.MALFORMED);
    assertThat(jsonNull).hasMessageContaining("null");
  }

  // --- I/O errors ---

  @Test
  void connectionRefused_failsWithIoExceptionNamingMethodAndUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/api/x";
    JsonHttp http = open(JsonHttp.builder());

    Throwable error = failure(http.get(url, Episode.class));

    assertThat(error).isInstanceOf(HttpIoException.class);
    assertThat(((HttpIoException) error).url()).isEqualTo(url);
    assertThat(error).hasMessageStartingWith("GET " + url + ": request failed");
    assertThat(JsonHttp.isRetryable(error)).isTrue();
  }

  @Test
  void stalledBody_failsWithIoExceptionAfterTheReadTimeout() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .body("{\"id\":\"e1\",\"title\":\"A\"}")
            .bodyDelay(60, SECONDS)
            .build());
    JsonHttp http = open(builder().readTimeout(Duration.ofMillis(200)));

    Throwable error = failure(http.get("slow", Episode.class));

    assertThat(error).isInstanceOf(HttpIoException.class).hasMessageContaining("GET");
    assertThat(error.getCause()).isInstanceOf(java.io.InterruptedIOException.class);
  }

  @Test
  void callTimeout_withAPlainCallFactory_isAppliedPerCall() throws Exception {
    server.enqueue(json(200, "1").newBuilder().headersDelay(60, SECONDS).build());
    OkHttpClient client = new OkHttpClient();
    Call.Factory factory = client::newCall;
    JsonHttp http = open(builder().callFactory(factory).callTimeout(Duration.ofMillis(200)));

    Throwable error = failure(http.get("slow", Integer.class));

    assertThat(error).isInstanceOf(HttpIoException.class);
    client.dispatcher().executorService().shutdown();
  }

  // --- cancellation ---

  @Test
  void cancellingTheFuture_cancelsTheOkHttpCall() throws Exception {
    for (boolean mayInterrupt : new boolean[] {true, false}) {
      server.enqueue(json(200, "1").newBuilder().headersDelay(60, SECONDS).build());
      List<Call> calls = new CopyOnWriteArrayList<>();
      OkHttpClient client = new OkHttpClient();
      Call.Factory recording =
          request -> {
            Call call = client.newCall(request);
            calls.add(call);
            return call;
          };
      JsonHttp http = open(builder().callFactory(recording));

      CompletableFuture<Integer> future = http.get("slow", Integer.class);
      takeRequest(); // the request is in flight on the server
      boolean cancelled = future.cancel(mayInterrupt);

      assertThat(cancelled).isTrue();
      assertThat(future).isCancelled();
      assertThat(calls).hasSize(1);
      assertThat(calls.get(0).isCanceled()).isTrue();
      assertThatThrownBy(() -> future.get(1, SECONDS)).isInstanceOf(CancellationException.class);
      client.dispatcher().executorService().shutdown();
    }
  }

  // --- lifecycle ---

  /** Decoded on the dispatcher thread; records which thread that was. */
  record Probe(int value) {
    static final Set<Thread> THREADS = ConcurrentHashMap.newKeySet();

    @JsonCreator
    static Probe of(int value) {
      THREADS.add(Thread.currentThread());
      return new Probe(value);
    }
  }

  @Test
  void close_ofAnOwnedClient_stopsItsQuarryHttpThreads_andFailsCallsInFlightAndLater()
      throws Exception {
    server.enqueue(json(200, "1"));
    server.enqueue(json(200, "2").newBuilder().headersDelay(60, SECONDS).build());
    JsonHttp http = builder().build();
    Set<Thread> dispatcherThreads = ConcurrentHashMap.newKeySet();
    Probe.THREADS.clear();
    await(http.get("a", Probe.class));
    dispatcherThreads.addAll(Probe.THREADS);
    CompletableFuture<Integer> inFlight = http.get("b", Integer.class);
    CompletableFuture<Integer> observed =
        inFlight.whenComplete((v, e) -> dispatcherThreads.add(Thread.currentThread()));
    takeRequest();
    takeRequest();

    http.close();
    http.close(); // idempotent

    // Wait on the dependent first: a thread blocked in inFlight.get() may run its dependents.
    assertThatThrownBy(() -> observed.get(10, SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> inFlight.get(10, SECONDS))
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("close()");
    assertThat(dispatcherThreads).isNotEmpty();
    for (Thread t : dispatcherThreads) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s stopped", t).isFalse();
      assertThat(t.getName()).startsWith("quarry-http-");
      assertThat(t.isDaemon()).isTrue();
    }
    assertThat(liveHttpThreads()).isEmpty();
    assertThatThrownBy(() -> http.get("c", Integer.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("JsonHttp is closed");
  }

  @Test
  void close_ofASharedClient_doesNotShutItDown_andViewsDoNotCloseTheirParent() throws Exception {
    server.enqueue(json(200, "1"));
    server.enqueue(json(200, "2"));
    OkHttpClient client = new OkHttpClient();
    JsonHttp http = builder().client(client).readTimeout(Duration.ofSeconds(5)).build();
    http.withHeader("X-A", "1").close();

    assertThat(await(http.get("a", Integer.class))).isEqualTo(1);
    http.close();

    assertThat(client.dispatcher().executorService().isShutdown()).isFalse();
    JsonHttp again = open(JsonHttp.builder().client(client).baseUrl(server.url("/").toString()));
    assertThat(await(again.get("b", Integer.class))).isEqualTo(2);
    client.dispatcher().executorService().shutdown();
  }

  private static List<Thread> liveHttpThreads() {
    List<Thread> threads = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("quarry-http-") && t.isAlive()) {
        threads.add(t);
      }
    }
    return threads;
  }
}
