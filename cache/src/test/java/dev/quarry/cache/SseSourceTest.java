package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.QueryKey;
import dev.quarry.core.http.HttpDecodeException;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.testing.VirtualTime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Server-sent events through a streamed query against a real HTTP server: framing, resuming with
 * {@code Last-Event-ID} after a cut, the event size bound, and cancellation of the HTTP call.
 * Reconnection delays run on virtual time; the server is real, so waits for it are bounded.
 */
class SseSourceTest {
  record Token(int n, String text) {}

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final MockWebServer server = new MockWebServer();
  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final OkHttpClient ok = new OkHttpClient();
  private JsonHttp http;
  private QueryClient client;
  private final QueryKey key = QueryKey.of("draft", "e1");

  @BeforeEach
  void start() throws IOException {
    server.start();
    http =
        JsonHttp.builder()
            .baseUrl(server.url("/api/").toString())
            .client(ok)
            .authorization(() -> Optional.of("Bearer t0k"))
            .build();
    client =
        QueryClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .errorHandler((context, error) -> errors.add(error))
            .http(http)
            .build();
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    http.close();
    ok.dispatcher().executorService().shutdownNow();
    ok.connectionPool().evictAll();
    server.close();
    assertThat(errors).isEmpty();
  }

  private static String event(int n) {
    return "id: " + n + "\ndata: {\"n\":" + n + ",\"text\":\"t" + n + "\"}\n\n";
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "text/event-stream")
        .body(body)
        .build();
  }

  /**
   * A response that promises more bytes than it sends: after {@code body} the server closes the
   * socket, so the client sees the stream break mid-way (not a clean end).
   */
  private static MockResponse sseCut(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "text/event-stream")
        .body(
            new MockResponseBody() {
              @Override
              public long getContentLength() {
                return bytes.length + 1000;
              }

              @Override
              public void writeTo(BufferedSink sink) throws IOException {
                sink.write(bytes);
                sink.flush();
              }
            })
        .onResponseEnd(new SocketEffect.CloseSocket())
        .build();
  }

  private QueryObserver<List<Token>> observe(SseSource<Token> source, int retry) {
    return client.observe(
        QueryOptions.builder(key, StreamedQuery.of(source)).retry(retry).build(), r -> {});
  }

  private QueryState<List<Token>> state() {
    return client.<List<Token>>getQueryState(key).orElseThrow();
  }

  private List<Integer> numbers() {
    return state().data().orElse(List.of()).stream().map(Token::n).toList();
  }

  @Test
  void framing_multiLineData_comments_crlf_ids_andTypes_becomeTypedChunks() throws Exception {
    server.enqueue(
        sse(
            "\uFEFF: hello\n"
                + "id: 1\ndata: {\"n\":1,\ndata: \"text\":\"a\"}\n\n"
                + ": keep-alive\r\n"
                + "event: token\r\nid: 2\r\ndata: {\"n\":2,\"text\":\"b\"}\r\n\r\n"
                + "event: usage\ndata: {\"n\":99,\"text\":\"not a token\"}\n\n"
                + "id: 3\rdata: {\"n\":3,\"text\":\"c\"}\r\r"));
    SseSource<Token> source =
        SseSource.builder("draft", dev.quarry.core.http.JsonType.of(Token.class))
            .eventTypes("message", "token")
            .build();

    observe(source, 0);

    await().atMost(WAIT).until(() -> state().fetchStatus() == FetchStatus.IDLE);
    assertThat(state().status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(state().data().orElseThrow())
        .containsExactly(new Token(1, "a"), new Token(2, "b"), new Token(3, "c"));
    RecordedRequest request = server.takeRequest();
    assertThat(request.getTarget()).isEqualTo("/api/draft");
    assertThat(request.getHeaders().get("Accept")).isEqualTo("text/event-stream");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer t0k");
    assertThat(request.getHeaders().get("Last-Event-ID")).isNull();
  }

  @Test
  void aStreamCutMidWay_resumesAfterTheServersRetryDelay_withLastEventId_noChunkLostOrRepeated()
      throws Exception {
    server.enqueue(sseCut("retry: 2000\n" + event(1) + event(2)));
    server.enqueue(sse(event(3) + event(4)));
    List<String> connections = new CopyOnWriteArrayList<>();
    SseSource<Token> source =
        SseSource.builder("draft", dev.quarry.core.http.JsonType.of(Token.class))
            .connectionListener((n, id) -> connections.add(n + ":" + id))
            .build();

    observe(source, 0);
    await().atMost(WAIT).until(() -> numbers().equals(List.of(1, 2)) && time.pendingTasks() > 0);
    assertThat(state().fetchStatus()).isEqualTo(FetchStatus.FETCHING);

    time.advance(Duration.ofMillis(1999));
    assertThat(server.getRequestCount()).as("the server's retry delay is honoured").isEqualTo(1);
    time.advance(Duration.ofMillis(1));

    await().atMost(WAIT).until(() -> state().fetchStatus() == FetchStatus.IDLE);
    assertThat(numbers()).containsExactly(1, 2, 3, 4);
    assertThat(server.takeRequest().getHeaders().get("Last-Event-ID")).isNull();
    assertThat(server.takeRequest().getHeaders().get("Last-Event-ID")).isEqualTo("2");
    assertThat(connections).containsExactly("0:null", "1:2");
  }

  @Test
  void reconnectsInARowWithoutAnEvent_areBounded_thenTheAttemptFails_keepingItsChunks()
      throws Exception {
    server.enqueue(sseCut(event(1)));
    server.enqueue(sseCut(""));
    SseSource<Token> source =
        SseSource.builder("draft", dev.quarry.core.http.JsonType.of(Token.class))
            .maxReconnects(1)
            .reconnectDelay(Duration.ofSeconds(1))
            .build();

    observe(source, 0);
    await().atMost(WAIT).until(() -> numbers().equals(List.of(1)) && time.pendingTasks() > 0);
    time.advance(Duration.ofSeconds(1));

    await().atMost(WAIT).until(() -> state().status() == QueryStatus.ERROR);
    assertThat(state().error().orElseThrow()).isInstanceOf(HttpIoException.class);
    assertThat(numbers()).containsExactly(1);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void anOversizedEvent_failsNamingTheLimit_andKeepsWhatWasReceived() throws Exception {
    server.enqueue(
        sse(
            event(1)
                + event(2)
                + "id: 3\ndata: {\"n\":3,\"text\":\""
                + "x".repeat(500)
                + "\"}\n\n"));
    SseSource<Token> source =
        SseSource.builder("draft", dev.quarry.core.http.JsonType.of(Token.class))
            .maxEventBytes(256)
            .build();

    observe(source, 0);

    await().atMost(WAIT).until(() -> state().status() == QueryStatus.ERROR);
    Throwable error = state().error().orElseThrow();
    assertThat(error).isInstanceOf(HttpDecodeException.class);
    assertThat(((HttpDecodeException) error).reason())
        .isEqualTo(HttpDecodeException.Reason.TOO_LARGE);
    assertThat(error).hasMessageContaining("maxEventBytes=256").hasMessageContaining("last id 2");
    assertThat(numbers()).as("nothing already received is lost").containsExactly(1, 2);
    assertThat(server.getRequestCount()).as("no reconnection for an oversized event").isEqualTo(1);
  }

  @Test
  void anEventThatDoesNotDecode_failsNamingItsId() {
    server.enqueue(sse(event(1) + "id: 2\ndata: not json\n\n"));

    observe(SseSource.of("draft", Token.class), 0);

    await().atMost(WAIT).until(() -> state().status() == QueryStatus.ERROR);
    assertThat(state().error().orElseThrow())
        .isInstanceOf(HttpDecodeException.class)
        .hasMessageContaining("id=2");
    assertThat(numbers()).containsExactly(1);
  }

  @Test
  void aNon2xxStatus_failsWithTheStatus_andAWrongContentType_isNamed() {
    server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
    observe(SseSource.of("draft", Token.class), 0);
    await().atMost(WAIT).until(() -> state().status() == QueryStatus.ERROR);
    assertThat(state().error().orElseThrow()).isInstanceOf(HttpStatusException.class);

    server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
    client.refetchQueries(QueryFilters.exact(key));
    await()
        .atMost(WAIT)
        .until(
            () ->
                state().status() == QueryStatus.ERROR
                    && state().error().orElseThrow().getMessage().contains("text/event-stream"));
    assertThat(state().error().orElseThrow()).hasMessageContaining("got null");
  }

  @Test
  void aServerAnswering204_endsTheStream() {
    server.enqueue(sse(event(1)));
    server.enqueue(new MockResponse.Builder().code(204).build());
    QueryObserver<List<Token>> o = observe(SseSource.of("draft", Token.class), 0);
    await().atMost(WAIT).until(() -> state().fetchStatus() == FetchStatus.IDLE);

    o.refetch();

    await().atMost(WAIT).until(() -> state().fetchStatus() == FetchStatus.IDLE);
    assertThat(state().status()).isEqualTo(QueryStatus.SUCCESS);
    assertThat(state().data()).contains(List.of());
  }

  @Test
  void theLastObserverLeaving_cancelsTheHttpCall_theServerSeesTheConnectionClose()
      throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout((int) WAIT.toMillis());
      String url = "http://127.0.0.1:" + listener.getLocalPort() + "/draft";
      CompletableFuture<Integer> serverSaw = new CompletableFuture<>();
      Thread serverThread =
          new Thread(
              () -> {
                try (Socket socket = listener.accept()) {
                  socket.setSoTimeout((int) WAIT.toMillis());
                  InputStream in = socket.getInputStream();
                  readHeaders(in);
                  OutputStream out = socket.getOutputStream();
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n" + event(1))
                          .getBytes(StandardCharsets.UTF_8));
                  out.flush();
                  serverSaw.complete(in.read()); // -1 once the client closes the connection
                } catch (IOException e) {
                  serverSaw.completeExceptionally(e);
                }
              },
              "sse-test-server");
      serverThread.setDaemon(true);
      serverThread.start();
      QueryObserver<List<Token>> o = observe(SseSource.of(url, Token.class), 0);
      await().atMost(WAIT).until(() -> numbers().equals(List.of(1)));
      assertThat(serverSaw).isNotDone();

      o.close();

      assertThat(serverSaw.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the server reads the end of the connection")
          .isEqualTo(-1);
      assertThat(state().fetchStatus()).isEqualTo(FetchStatus.IDLE);
      assertThat(numbers()).containsExactly(1);
      serverThread.join(WAIT.toMillis());
    }
  }

  private static void readHeaders(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended early");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }
}
