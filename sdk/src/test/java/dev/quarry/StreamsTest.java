package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatus;
import dev.quarry.core.QueryKey;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streamed queries through the facade: a realtime topic and server-sent events as sources. */
class StreamsTest {
  record Token(int n, String text) {}

  static final Duration WAIT = Duration.ofSeconds(20);
  static SocketIoTestServer server;
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  final QueryKey key = QueryKey.of("draft", "e1");
  Quarry quarry;

  @BeforeAll
  static void startServer() {
    server = SocketIoTestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void close() {
    if (quarry != null) {
      quarry.close();
    }
    assertThat(errors).isEmpty();
  }

  private QueryState<List<Token>> state() {
    return quarry.queries().<List<Token>>getQueryState(key).orElseThrow();
  }

  @Test
  void topicSource_streamsTheTopicsEvents_untilTheEndEvent_thenUnsubscribes() {
    quarry =
        Quarry.builder()
            .realtime(URI.create(server.url()), r -> r)
            .errorHandler((c, e) -> errors.add(e))
            .build();
    await().atMost(WAIT).until(() -> quarry.realtime().state() == ConnectionState.CONNECTED);
    Topic topic = Topic.of("execution", Map.of("executionId", "s1"));
    String room = SocketIoTestServer.roomOf(Map.of("executionId", "s1"));
    QueryOptions<List<Token>> draft =
        quarry
            .streams()
            .query(key, quarry.streams().topic(topic, "draft-token", Token.class, "draft-done"));

    QueryObserver<List<Token>> o = quarry.observe(draft, r -> {});
    await().atMost(WAIT).until(() -> server.state().inRoom(room).size() == 1);
    assertThat(state().status()).isEqualTo(QueryStatus.PENDING);
    server.emit(room, "draft-token", Map.of("executionId", "s1", "n", 1, "text", "Once"));
    await().atMost(WAIT).until(() -> state().status() == QueryStatus.SUCCESS);
    assertThat(state().fetchStatus()).isEqualTo(FetchStatus.FETCHING);
    server.emit(room, "draft-token", Map.of("executionId", "s1", "n", 2, "text", " upon"));
    server.emit(room, "draft-done", Map.of("executionId", "s1"));
    server.emit(room, "draft-token", Map.of("executionId", "s1", "n", 3, "text", " after the end"));

    await().atMost(WAIT).until(() -> state().fetchStatus() == FetchStatus.IDLE);
    assertThat(state().data().orElseThrow())
        .containsExactly(new Token(1, "Once"), new Token(2, " upon"));
    await().atMost(WAIT).until(() -> server.state().inRoom(room).isEmpty());
    o.close();
  }

  @Test
  void sseSource_usesTheFacadesHttpClient() throws Exception {
    try (MockWebServer http = new MockWebServer()) {
      http.start();
      http.enqueue(
          new MockResponse.Builder()
              .setHeader("Content-Type", "text/event-stream")
              .body(
                  "id: 1\ndata: {\"n\":1,\"text\":\"a\"}\n\nid: 2\ndata: {\"n\":2,\"text\":\"b\"}\n\n")
              .build());
      quarry =
          Quarry.builder()
              .baseUrl(http.url("/api/").toString())
              .errorHandler((c, e) -> errors.add(e))
              .build();

      List<Token> tokens =
          quarry
              .fetch(quarry.streams().query(key, quarry.streams().sse("draft", Token.class)))
              .orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
              .join();

      assertThat(tokens).containsExactly(new Token(1, "a"), new Token(2, "b"));
      assertThat(http.takeRequest().getTarget()).isEqualTo("/api/draft");
    }
  }
}
