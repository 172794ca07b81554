package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Restarts, refusals and dead servers; each test has its own server. */
class ServerFailureTest {
  static final Duration MAX_BACKOFF = Duration.ofMillis(500);

  static RealtimeOptions.Builder options(SocketIoTestServer server) {
    return RealtimeOptions.builder(URI.create(server.url()))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofMillis(100))
                .max(MAX_BACKOFF)
                .jitter(Backoff.Jitter.FULL)
                .build());
  }

  @Test
  void serverRestarted_reconnectsWithinBackoff_resubscribes_gapSeen_laterEventsExactlyOnce()
      throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start();
        RealtimeClient client = RealtimeClient.create(options(server).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      recorder.await(ConnectionEvent.Connected.class);
      Map<String, String> params = Map.of("executionId", "restart");
      String room = SocketIoTestServer.roomOf(params);
      TopicSubscription sub = client.subscribe(Topic.of("execution", params));
      List<Integer> seqs = new CopyOnWriteArrayList<>();
      List<TopicEvent.Gap> gaps = new CopyOnWriteArrayList<>();
      sub.on("agent-event", JsonNode.class, ev -> seqs.add(ev.get("seq").asInt()));
      sub.listen(
          e -> {
            if (e instanceof TopicEvent.Gap g) gaps.add(g);
          });
      sub.confirmed().get(5, TimeUnit.SECONDS);
      server.emit(room, "agent-event", Map.of("executionId", "restart", "seq", 0));
      await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() == 1);

      server.restart();
      long ready = System.nanoTime();
      ConnectionEvent.Connected again =
          recorder.await(ConnectionEvent.Connected.class, c -> true, Duration.ofSeconds(10));
      Duration took = Duration.ofNanos(System.nanoTime() - ready);
      // The next attempt after READY starts within one maximum backoff delay (plus connect time).
      assertThat(took).isLessThan(MAX_BACKOFF.plusSeconds(2));
      assertThat(again.recovered()).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> server.state().inRoom(room).size() == 1);
      assertThat(gaps).hasSize(1);

      for (int i = 1; i <= 50; i++) {
        server.emit(room, "agent-event", Map.of("executionId", "restart", "seq", i));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> seqs.size() >= 51);
      client.emitWithAck("echo", Duration.ofSeconds(5), "barrier").get(5, TimeUnit.SECONDS);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i <= 50; i++) {
        expected.add(i);
      }
      assertThat(seqs).isEqualTo(expected);
    }
  }

  @Test
  void authRejected_errorCarriesServerMessageAndData_exactlyOneHandshakeInThreeSeconds()
      throws Exception {
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder().authToken("secret").build());
        RealtimeClient client =
            RealtimeClient.create(options(server).auth(() -> Map.of("token", "wrong")).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      ConnectionEvent.Disconnected d = recorder.await(ConnectionEvent.Disconnected.class);
      ConnectErrorException e = (ConnectErrorException) d.cause().orElseThrow();
      assertThat(e.serverMessage()).isEqualTo("unauthorized");
      assertThat(e.data().orElseThrow().get("code").asText()).isEqualTo("AUTH");
      assertThat(e.data().orElseThrow().get("reason").asText()).isEqualTo("bad token");
      assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> server.handshakeCount() == 1);
    }
  }

  @Test
  void authAccepted_tokenFromSupplierReachesServer() throws Exception {
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder().authToken("secret").build());
        RealtimeClient client =
            RealtimeClient.create(options(server).auth(() -> Map.of("token", "secret")).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      ConnectionEvent.Connected c = recorder.await(ConnectionEvent.Connected.class);
      assertThat(server.state().socket(c.sessionId()).orElseThrow().auth().get("token").asText())
          .isEqualTo("secret");
    }
  }

  @Test
  void serverKicksClient_noAutomaticReconnect() throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start();
        RealtimeClient client = RealtimeClient.create(options(server).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      recorder.await(ConnectionEvent.Connected.class);
      server.kick();
      ConnectionEvent.Disconnected d = recorder.await(ConnectionEvent.Disconnected.class);
      assertThat(d.reason()).isEqualTo(DisconnectReason.IO_SERVER_DISCONNECT);
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> server.state().sockets().isEmpty());
    }
  }

  @Test
  void sigstoppedServer_detectedWithinPingIntervalPlusTimeout_reconnectionStarts()
      throws Exception {
    Duration interval = Duration.ofMillis(300);
    Duration timeout = Duration.ofMillis(200);
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                SocketIoTestServer.Options.builder()
                    .pingInterval(interval)
                    .pingTimeout(timeout)
                    .build());
        RealtimeClient client = RealtimeClient.create(options(server).build())) {
      Recorder recorder = new Recorder();
      client.onConnectionEvent(recorder::record);
      client.connect();
      recorder.await(ConnectionEvent.Connected.class);
      long paused = System.nanoTime();
      server.pause();
      try {
        ConnectionEvent.Reconnecting r =
            recorder.await(
                ConnectionEvent.Reconnecting.class,
                e -> e.reason() == DisconnectReason.PING_TIMEOUT,
                Duration.ofSeconds(5));
        Duration detected = Duration.ofNanos(System.nanoTime() - paused);
        assertThat(detected).isLessThan(interval.plus(timeout).plusMillis(700));
        assertThat(r.attempt()).isEqualTo(1);
      } finally {
        server.resume();
      }
      ConnectionEvent.Connected again = recorder.await(ConnectionEvent.Connected.class);
      assertThat(again.reconnect()).isTrue();
    }
  }
}
