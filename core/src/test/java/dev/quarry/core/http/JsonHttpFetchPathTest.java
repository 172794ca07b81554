package dev.quarry.core.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the fetch path does per call: resolved URLs are reused, bodies are decoded as streams. */
class JsonHttpFetchPathTest {
  record Episode(String id, String title) {}

  @StartStop private final MockWebServer server = new MockWebServer();

  private final OkHttpClient client = new OkHttpClient();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<String> reads = new CopyOnWriteArrayList<>();
  private final List<JsonHttp> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(JsonHttp::close);
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** Records every call and which of Jackson's inputs the body was decoded from. */
  private JsonHttp open(long maxResponseBytes) {
    ObjectMapper recording =
        new ObjectMapper() {
          private static final long serialVersionUID = 1L;

          @Override
          public <T> T readValue(byte[] src, JavaType valueType) throws IOException {
            reads.add("byte[]");
            return super.readValue(src, valueType);
          }

          @Override
          public <T> T readValue(InputStream src, JavaType valueType) throws IOException {
            reads.add("stream");
            return super.readValue(src, valueType);
          }
        };
    recording.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JsonHttp http =
        JsonHttp.builder()
            .baseUrl(server.url("/api/").toString())
            .objectMapper(recording)
            .maxResponseBytes(maxResponseBytes)
            .callFactory(
                request -> {
                  Call call = client.newCall(request);
                  calls.add(call);
                  return call;
                })
            .build();
    opened.add(http);
    return http;
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail but it completed with " + future.join());
  }

  @Test
  void body_isDecodedFromTheResponseStream_notFromACopiedArray() throws Exception {
    server.enqueue(json("{\"id\":\"e1\",\"title\":\"Pilot\"}"));
    JsonHttp http = open(JsonHttp.Builder.DEFAULT_MAX_RESPONSE_BYTES);

    assertThat(http.get("episodes/e1", Episode.class).get(10, SECONDS))
        .isEqualTo(new Episode("e1", "Pilot"));

    assertThat(reads).containsExactly("stream");
  }

  @Test
  void samePath_reusesTheResolvedUrl_andTheCacheIsBounded() throws Exception {
    for (int i = 0; i < 2; i++) {
      server.enqueue(json("1"));
    }
    JsonHttp http = open(JsonHttp.Builder.DEFAULT_MAX_RESPONSE_BYTES);

    http.get("episodes?page=2", Integer.class).get(10, SECONDS);
    http.withHeader("X-View", "1").get("episodes?page=2", Integer.class).get(10, SECONDS);

    assertThat(calls.get(1).request().url())
        .as("the second call (a view shares the cache) reuses the first call's URL")
        .isSameAs(calls.get(0).request().url());
    assertThat(calls.get(1).request().url().toString())
        .isEqualTo(server.url("/api/episodes?page=2").toString());

    // 300 other paths: more than the cache keeps, so it starts over and parses the first again.
    for (int i = 0; i < 300; i++) {
      server.enqueue(json("1"));
    }
    server.enqueue(json("1"));
    List<CompletableFuture<Integer>> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(http.get("episodes/" + i, Integer.class));
    }
    for (CompletableFuture<Integer> f : many) {
      f.get(10, SECONDS);
    }
    http.get("episodes?page=2", Integer.class).get(10, SECONDS);
    assertThat(calls.get(calls.size() - 1).request().url())
        .isNotSameAs(calls.get(0).request().url())
        .isEqualTo(calls.get(0).request().url());
  }

  @Test
  void validJsonFollowedByPaddingPastTheLimit_isTooLarge() throws Exception {
    // Chunked, so that no declared length gives the size away before reading.
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .chunkedBody("[1]" + " ".repeat(20_000), 1000)
            .build());
    JsonHttp http = open(16 * 1024);

    Throwable error = failure(http.get("big", int[].class));

    assertThat(error).isInstanceOf(HttpDecodeException.class);
    assertThat(((HttpDecodeException) error).reason())
        .isEqualTo(HttpDecodeException.Reason.TOO_LARGE);
  }

  @Test
  void chunkedBodyOverTheLimit_thatIsAlsoTheWrongShape_isTooLarge_notMalformed() throws Exception {
    // Jackson fails at the first token (an array is not an Episode), long before the limit.
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .chunkedBody("[" + "1,".repeat(10_000) + "1]", 1024)
            .build());
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .chunkedBody("[1,2]", 1024)
            .build());
    JsonHttp http = open(16 * 1024);

    Throwable tooLarge = failure(http.get("big", Episode.class));
    Throwable malformed = failure(http.get("small", Episode.class));

    assertThat(((HttpDecodeException) tooLarge).reason())
        .isEqualTo(HttpDecodeException.Reason.TOO_LARGE);
    assertThat(((HttpDecodeException) malformed).reason())
        .isEqualTo(HttpDecodeException.Reason.MALFORMED);
  }

  @Test
  void bodyExactlyAtTheLimit_isDecoded() throws Exception {
    String body = "[1]" + " ".repeat(16 * 1024 - 3);
    server.enqueue(json(body));
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .chunkedBody(body, 1000)
            .build());
    JsonHttp http = open(16 * 1024);

    assertThat(http.get("fixed", int[].class).get(10, SECONDS)).containsExactly(1);
    assertThat(http.get("chunked", int[].class).get(10, SECONDS)).containsExactly(1);
  }

  @Test
  void emptyChunkedBody_isAnEmptyBodyError() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .chunkedBody("", 1024)
            .build());
    JsonHttp http = open(JsonHttp.Builder.DEFAULT_MAX_RESPONSE_BYTES);

    Throwable error = failure(http.get("empty", Episode.class));

    assertThat(((HttpDecodeException) error).reason())
        .isEqualTo(HttpDecodeException.Reason.EMPTY_BODY);
  }

  @Test
  void bodyCutShortByTheConnection_isAnIoFailure_notMalformedJson() throws Exception {
    String full = "{\"id\":\"e1\",\"title\":\"" + "x".repeat(5_000) + "\"}";
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .setHeader("Content-Type", "application/json")
            .body(full)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    JsonHttp http = open(JsonHttp.Builder.DEFAULT_MAX_RESPONSE_BYTES);

    Throwable error = failure(http.get("cut", Episode.class));

    assertThat(error).isInstanceOf(HttpIoException.class);
    assertThat(JsonHttp.isRetryable(error)).isTrue();
  }
}
