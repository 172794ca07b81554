package dev.quarry.core.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OkHttp repeats a request on its own after some connection failures and after a 408. Writes must
 * not be repeated behind the caller's back; reads may.
 */
class JsonHttpSilentRetryTest {
  @StartStop private final MockWebServer server = new MockWebServer();

  private final List<JsonHttp> opened = new ArrayList<>();
  private final List<OkHttpClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(JsonHttp::close);
    for (OkHttpClient c : clients) {
      c.dispatcher().executorService().shutdown();
      c.connectionPool().evictAll();
    }
  }

  private JsonHttp owned() {
    JsonHttp http = JsonHttp.builder().baseUrl(server.url("/api/").toString()).build();
    opened.add(http);
    return http;
  }

  private JsonHttp shared(OkHttpClient client) {
    clients.add(client);
    JsonHttp http =
        JsonHttp.builder().baseUrl(server.url("/api/").toString()).client(client).build();
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

  /** The server reads the whole request, then closes the connection without answering. */
  private static MockResponse dropAfterTheRequest() {
    return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
  }

  private static Throwable failure(CompletableFuture<?> future) throws Exception {
    try {
      future.get(10, SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the future to fail but it completed with " + future.join());
  }

  /**
   * A keep-alive connection is pooled by a first GET; the next request on it is dropped after the
   * server read it, and a third response is ready in case the request is sent again.
   */
  private void warmConnectionThenDropTheNextRequest(JsonHttp http) throws Exception {
    server.enqueue(json("0"));
    server.enqueue(dropAfterTheRequest());
    server.enqueue(json("1"));
    assertThat(http.get("warm", Integer.class).get(10, SECONDS)).isZero();
  }

  @Test
  void post_droppedAfterTheServerReadIt_reachesTheServerOnce_andFailsWithHttpIoException()
      throws Exception {
    JsonHttp http = owned();
    warmConnectionThenDropTheNextRequest(http);

    Throwable error = failure(http.post("episodes", Map.of("title", "Pilot"), Integer.class));

    assertThat(error).isInstanceOf(HttpIoException.class);
    assertThat(((HttpIoException) error).method()).isEqualTo("POST");
    assertThat(server.getRequestCount()).as("warm-up GET + one POST").isEqualTo(2);
  }

  @Test
  void patchThroughAUserSuppliedClient_droppedAfterTheServerReadIt_reachesTheServerOnce()
      throws Exception {
    OkHttpClient client = new OkHttpClient();
    JsonHttp http = shared(client);
    warmConnectionThenDropTheNextRequest(http);

    Throwable error = failure(http.patch("episodes/e1", Map.of("title", "B"), Integer.class));

    assertThat(error).isInstanceOf(HttpIoException.class);
    assertThat(server.getRequestCount()).as("warm-up GET + one PATCH").isEqualTo(2);
    assertThat(client.retryOnConnectionFailure()).as("the user's client is unchanged").isTrue();
  }

  @Test
  void postWithATimeoutOnAUserSuppliedClient_droppedAfterTheServerReadIt_reachesTheServerOnce()
      throws Exception {
    OkHttpClient client = new OkHttpClient();
    clients.add(client);
    JsonHttp http =
        JsonHttp.builder()
            .baseUrl(server.url("/api/").toString())
            .client(client)
            .readTimeout(java.time.Duration.ofSeconds(5))
            .build();
    opened.add(http);
    warmConnectionThenDropTheNextRequest(http);

    Throwable error = failure(http.post("episodes", Map.of("title", "Pilot"), Integer.class));

    assertThat(error).isInstanceOf(HttpIoException.class);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void getAndPut_droppedAfterTheServerReadThem_areRepeatedByOkHttp_andSucceed() throws Exception {
    JsonHttp http = owned();
    warmConnectionThenDropTheNextRequest(http);

    assertThat(http.get("episodes", Integer.class).get(10, SECONDS)).isEqualTo(1);
    assertThat(server.getRequestCount()).as("warm-up GET + GET + OkHttp's repeat").isEqualTo(3);

    server.enqueue(dropAfterTheRequest());
    server.enqueue(json("2"));
    assertThat(http.put("episodes/e1", Map.of("title", "B"), Integer.class).get(10, SECONDS))
        .isEqualTo(2);
    assertThat(server.getRequestCount()).as("PUT + OkHttp's repeat").isEqualTo(5);
  }

  @Test
  void post_answered408_reachesTheServerOnce_andFailsWithTheStatus() throws Exception {
    server.enqueue(new MockResponse.Builder().code(408).body("slow").build());
    server.enqueue(json("1"));
    JsonHttp http = owned();

    Throwable error = failure(http.post("episodes", Map.of("title", "Pilot"), Integer.class));

    assertThat(error).isInstanceOf(HttpStatusException.class);
    assertThat(((HttpStatusException) error).status()).isEqualTo(408);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void get_answered408_isRepeatedOnceByOkHttp() throws Exception {
    server.enqueue(new MockResponse.Builder().code(408).body("slow").build());
    server.enqueue(json("1"));
    JsonHttp http = owned();

    assertThat(http.get("episodes", Integer.class).get(10, SECONDS)).isEqualTo(1);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void idempotentMethods_areThoseOfRfc9110() {
    for (String m : List.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE")) {
      assertThat(RealJsonHttp.isIdempotent(m)).as(m).isTrue();
    }
    for (String m : List.of("POST", "PATCH", "CONNECT", "PURGE", "post", "get")) {
      assertThat(RealJsonHttp.isIdempotent(m)).as(m).isFalse();
    }
  }
}
