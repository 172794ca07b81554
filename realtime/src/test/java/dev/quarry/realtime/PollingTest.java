package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.testing.socketio.SocketIoTestServer;
import dev.quarry.testing.socketio.SocketIoTestServer.HttpRequest;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * HTTP long-polling specifics against the real Node socket.io 4.8.4 server: cookies, the incoming
 * size limit on poll responses, a refused upgrade, failures of every transport, and threads.
 */
class PollingTest {
  static RealtimeOptions.Builder options(SocketIoTestServer server, RealtimeTransport... t) {
    return options(URI.create(server.url()), t);
  }

  static RealtimeOptions.Builder options(URI uri, RealtimeTransport... t) {
    return RealtimeOptions.builder(uri)
        .transports(t)
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofMillis(100))
                .max(Duration.ofMillis(100))
                .jitter(Backoff.Jitter.NONE)
                .build());
  }

  static long pollingThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("quarry-realtime-polling"))
        .count();
  }

  @Test
  void cookieSetOnTheHandshake_isSentBackOnEveryLaterPollAndOnTheUpgrade() throws Exception {
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder().cookie("sticky").build());
        RealtimeClient client =
            RealtimeClient.create(
                options(server, RealtimeTransport.POLLING, RealtimeTransport.WEBSOCKET).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      ConnectionEvent.Connected c = recorder.await(ConnectionEvent.Connected.class);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.transportOf(c.sessionId()).orElse(""), t -> t.equals("websocket"));

      List<HttpRequest> requests = server.httpRequests();
      assertThat(requests.get(0).hasSid()).isFalse();
      assertThat(requests.get(0).cookie()).isEmpty();
      List<HttpRequest> later = requests.subList(1, requests.size());
      assertThat(later).extracting(HttpRequest::hasSid).containsOnly(true);
      // polling GETs and POSTs, and the WebSocket upgrade of the same session
      assertThat(later).extracting(HttpRequest::method).contains("GET", "POST");
      assertThat(later).extracting(HttpRequest::transport).contains("polling", "websocket");
      for (HttpRequest r : later) {
        assertThat(r.cookie())
            .as("cookie of %s", r)
            .hasValueSatisfying(v -> v.startsWith("sticky="));
      }
    }
  }

  @Test
  void httpClientWithItsOwnCookieJar_thatJarIsUsed() throws Exception {
    List<Cookie> saved = new CopyOnWriteArrayList<>();
    CookieJar jar =
        new CookieJar() {
          @Override
          public void saveFromResponse(HttpUrl url, List<Cookie> cookies) {
            saved.addAll(cookies);
          }

          @Override
          public List<Cookie> loadForRequest(HttpUrl url) {
            return List.copyOf(saved);
          }
        };
    OkHttpClient http = new OkHttpClient.Builder().cookieJar(jar).build();
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder().cookie("sticky").build());
        RealtimeClient client =
            RealtimeClient.create(
                options(server, RealtimeTransport.POLLING).httpClient(http).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      recorder.await(ConnectionEvent.Connected.class);
      assertThat(saved).extracting(Cookie::name).containsExactly("sticky");
      client.emitWithAck("echo", Duration.ofSeconds(5), "x").get(5, TimeUnit.SECONDS);
      List<HttpRequest> requests = server.httpRequests();
      assertThat(requests.get(requests.size() - 1).cookie())
          .hasValueSatisfying(v -> v.startsWith("sticky="));
    } finally {
      http.dispatcher().executorService().shutdown();
      assertThat(http.dispatcher().executorService().awaitTermination(5, TimeUnit.SECONDS))
          .isTrue();
      http.connectionPool().evictAll();
    }
  }

  @Test
  void pollResponsePacketOverTheLimit_failsWithMessageTooLarge_andTheClientReconnects()
      throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder()
                    .transports(List.of("polling"))
                    .recovery(false)
                    .build());
        RealtimeClient client =
            RealtimeClient.create(
                options(server, RealtimeTransport.POLLING)
                    .maxIncomingMessageBytes(16 * 1024)
                    .errorHandler((c, e) -> errors.add(e))
                    .build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      recorder.await(ConnectionEvent.Connected.class);
      Map<String, String> params = Map.of("executionId", "big");
      String room = SocketIoTestServer.roomOf(params);
      TopicSubscription sub = client.subscribe(Topic.of("execution", params));
      List<Integer> seqs = new CopyOnWriteArrayList<>();
      sub.on("agent-event", JsonNode.class, ev -> seqs.add(ev.get("seq").asInt()));
      sub.confirmed().get(5, TimeUnit.SECONDS);

      // injected: a 40,000-char text event in a poll response, limit 16 KiB
      server.emit(
          room, "agent-event", Map.of("executionId", "big", "seq", -1, "pad", "x".repeat(40_000)));
      ConnectionEvent.Reconnecting r =
          recorder.await(
              ConnectionEvent.Reconnecting.class,
              e -> e.cause().orElse(null) instanceof MessageTooLargeException,
              Duration.ofSeconds(10));
      MessageTooLargeException text = (MessageTooLargeException) r.cause().orElseThrow();
      assertThat(text.limit()).isEqualTo(16 * 1024);
      assertThat(text.size()).isGreaterThan(16 * 1024);
      assertThat(r.reason()).isEqualTo(DisconnectReason.PARSE_ERROR);
      assertThat(r.detail()).isEqualTo("message too large");
      recorder.await(ConnectionEvent.Connected.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.state().inRoom(room).size() == 1);

      // injected: a 40,000-byte binary attachment (base64 in the poll response)
      server.emitBinary(room, "blob", new byte[40_000]);
      ConnectionEvent.Reconnecting r2 =
          recorder.await(
              ConnectionEvent.Reconnecting.class,
              e -> e.cause().orElse(null) instanceof MessageTooLargeException,
              Duration.ofSeconds(10));
      assertThat(r2.cause().orElseThrow()).hasMessageContaining("16384");
      recorder.await(ConnectionEvent.Connected.class);
      await().atMost(Duration.ofSeconds(5)).until(() -> server.state().inRoom(room).size() == 1);

      // the client keeps running: later events and acks flow; only the two oversized were lost
      server.emitSequence(room, "agent-event", params, 100);
      await().atMost(Duration.ofSeconds(10)).until(() -> seqs.size() >= 100);
      assertThat(seqs).doesNotContain(-1).hasSize(100);
      assertThat(
              client
                  .emitWithAck("echo", Duration.ofSeconds(5), "still")
                  .get(5, TimeUnit.SECONDS)
                  .get(0)
                  .asText())
          .isEqualTo("still");
      assertThat(errors).hasSize(2).allMatch(e -> e instanceof MessageTooLargeException);
    }
  }

  @Test
  void upgradeRefused_sessionStaysOnPolling_eventsStillFlow() throws Exception {
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder().refuseWebSocketUpgrades(true).build());
        RealtimeClient client =
            RealtimeClient.create(
                options(server, RealtimeTransport.POLLING, RealtimeTransport.WEBSOCKET).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      ConnectionEvent.Connected c = recorder.await(ConnectionEvent.Connected.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> server.refusedWebSocketUpgrades() == 1);
      Map<String, String> params = Map.of("executionId", "refused");
      TopicSubscription sub = client.subscribe(Topic.of("execution", params));
      List<Integer> seqs = new CopyOnWriteArrayList<>();
      sub.on("agent-event", JsonNode.class, ev -> seqs.add(ev.get("seq").asInt()));
      sub.confirmed().get(5, TimeUnit.SECONDS);
      server.emitSequence(SocketIoTestServer.roomOf(params), "agent-event", params, 100);
      await().atMost(Duration.ofSeconds(10)).until(() -> seqs.size() >= 100);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add(i);
      }
      assertThat(seqs).isEqualTo(expected);
      assertThat(server.transportOf(c.sessionId())).hasValue("polling");
      assertThat(server.state().disconnects()).isEmpty();
      assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
    }
  }

  @Test
  void everyTransportFails_reconnectingNamesEachFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (RealtimeClient client =
        RealtimeClient.create(
            options(
                    URI.create("http://127.0.0.1:" + port),
                    RealtimeTransport.WEBSOCKET,
                    RealtimeTransport.POLLING)
                .build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      ConnectionEvent.Reconnecting r = recorder.await(ConnectionEvent.Reconnecting.class);
      // No transport got as far as the namespace's CONNECT: a connect error, as socket.io names it.
      assertThat(r.reason()).isEqualTo(DisconnectReason.CONNECT_ERROR);
      assertThat(r.detail()).startsWith("websocket: transport error").contains("; polling: ");
    }
  }

  @Test
  void close_stopsThePollingThreads() throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start()) {
      for (RealtimeTransport[] t :
          List.of(
              new RealtimeTransport[] {RealtimeTransport.POLLING},
              new RealtimeTransport[] {RealtimeTransport.POLLING, RealtimeTransport.WEBSOCKET})) {
        RealtimeClient client = RealtimeClient.create(options(server, t).build());
        Recorder recorder = new Recorder();
        client.onConnectionEvent(recorder::record);
        client.connect();
        recorder.await(ConnectionEvent.Connected.class);
        if (t.length == 1) {
          // (after an upgrade the polling thread may already have ended)
          assertThat(pollingThreads()).isPositive();
        }
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> pollingThreads() == 0);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> server.state().sockets().isEmpty());
    }
  }
}
