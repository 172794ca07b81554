package dev.quarry.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.Quarry;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.StreamRefetchMode;
import dev.quarry.cache.StreamSource;
import dev.quarry.core.QueryKey;
import dev.quarry.testing.VirtualTime;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream meters, {@code quarry.stream.chunks} and {@code quarry.stream.resumes}, against a real
 * server-sent event stream (MockWebServer) that is cut once and resumed with {@code Last-Event-ID};
 * reconnection delays run on virtual time.
 */
class QuarryStreamMetricsTest {
  record Token(int n) {}

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final MockWebServer server = new MockWebServer();
  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Quarry quarry;
  private QuarryMetrics metrics;

  @BeforeEach
  void start() throws IOException {
    server.start();
    quarry =
        Quarry.builder()
            .baseUrl(server.url("/api/").toString())
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .errorHandler((context, error) -> errors.add(error))
            .build();
    metrics = QuarryMetrics.of(quarry);
    metrics.bindTo(registry);
  }

  @AfterEach
  void stop() {
    metrics.close();
    quarry.close();
    server.close();
    assertThat(errors).isEmpty();
  }

  private static String event(int n) {
    return "id: " + n + "\ndata: {\"n\":" + n + "}\n\n";
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "text/event-stream")
        .body(body)
        .build();
  }

  /** Promises more bytes than it sends, then closes the socket: the stream breaks mid-way. */
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

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private Set<String> keyTagValues() {
    return registry.getMeters().stream()
        .map(Meter::getId)
        .map(id -> id.getTag("key"))
        .filter(Objects::nonNull)
        .collect(Collectors.toSet());
  }

  private QueryState<List<Token>> state(QueryKey key) {
    return quarry.queries().<List<Token>>getQueryState(key).orElseThrow();
  }

  @Test
  void aStreamCutOnceAndResumed_countsEveryChunkOnce_andOneResume_taggedByTheKeysFirstPart()
      throws Exception {
    server.enqueue(sseCut("retry: 2000\n" + event(1) + event(2)));
    server.enqueue(sse(event(3) + event(4) + event(5)));
    QueryKey key = QueryKey.of("draft", "e-4711");
    var draft = quarry.streams().query(key, quarry.streams().sse("draft", Token.class));

    var observer = quarry.observe(draft, r -> {});
    await()
        .atMost(WAIT)
        .until(() -> counter("quarry.stream.chunks") == 2 && time.pendingTasks() > 0);
    assertThat(counter("quarry.stream.resumes")).as("not resumed before the delay").isZero();

    time.advance(Duration.ofMillis(2000)); // the server's retry delay
    await().atMost(WAIT).until(() -> state(key).fetchStatus() == FetchStatus.IDLE);

    assertThat(state(key).data().orElseThrow()).extracting(Token::n).containsExactly(1, 2, 3, 4, 5);
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getHeaders().get("Last-Event-ID")).isNull();
    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getHeaders().get("Last-Event-ID"))
        .isEqualTo("2");
    assertThat(counter("quarry.stream.chunks", "key", "draft")).isEqualTo(5);
    assertThat(counter("quarry.stream.resumes", "key", "draft")).isEqualTo(1);
    assertThat(keyTagValues()).as("the raw key never becomes a tag").containsExactly("draft");
    observer.close();
  }

  @Test
  void
      everyChunkOfAStreamedQueryCounts_inReplaceModeToo_andASourceThatNeverReconnects_hasNoResumes()
          throws Exception {
    QueryKey key = QueryKey.of("lines", 7);
    StreamSource<String> lines =
        StreamSource.fromIterator(ctx -> List.of("a", "b", "c").iterator(), VirtualTime.direct());
    var query = quarry.streams().query(key, lines, StreamRefetchMode.REPLACE);

    assertThat(quarry.fetch(query).get(10, TimeUnit.SECONDS)).containsExactly("a", "b", "c");
    assertThat(quarry.queries().refetchQueries(dev.quarry.cache.QueryFilters.exact(key)))
        .succeedsWithin(WAIT);

    assertThat(counter("quarry.stream.chunks", "key", "lines"))
        .as("3 chunks streamed, then 3 folded aside by the refetch")
        .isEqualTo(6);
    assertThat(counter("quarry.stream.resumes")).isZero();
  }
}
