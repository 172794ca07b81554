package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Backoff;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same session behaviour over every transport combination, against the real Node socket.io
 * 4.8.4 server: room events, acks, binary attachments, heartbeats, the send buffer and a recovered
 * reconnect.
 */
class TransportsTest {

  /** A client transport setting and the server that goes with it. */
  enum Mode {
    /** HTTP long-polling only, to a server that accepts only polling. */
    POLLING_ONLY(
        "polling",
        List.of(RealtimeTransport.POLLING),
        SocketIoTestServer.Options.builder().transports(List.of("polling"))),
    /** Polling first, then the upgrade to a WebSocket, as socket.io-client by default. */
    POLLING_THEN_UPGRADE(
        "websocket",
        List.of(RealtimeTransport.POLLING, RealtimeTransport.WEBSOCKET),
        SocketIoTestServer.Options.builder()),
    /** A WebSocket first, refused as by a proxy: the attempt falls back to polling. */
    WEBSOCKET_BLOCKED_FALLBACK(
        "polling",
        List.of(RealtimeTransport.WEBSOCKET, RealtimeTransport.POLLING),
        SocketIoTestServer.Options.builder().refuseWebSocketUpgrades(true));

    final String serverTransport;
    final List<RealtimeTransport> transports;
    final SocketIoTestServer.Options.Builder server;

    Mode(
        String serverTransport,
        List<RealtimeTransport> transports,
        SocketIoTestServer.Options.Builder server) {
      this.serverTransport = serverTransport;
      this.transports = transports;
      this.server = server;
    }
  }

  static RealtimeOptions.Builder options(SocketIoTestServer server, List<RealtimeTransport> t) {
    return RealtimeOptions.builder(URI.create(server.url()))
        .transports(t.toArray(RealtimeTransport[]::new))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofMillis(300))
                .max(Duration.ofMillis(300))
                .jitter(Backoff.Jitter.NONE)
                .build());
  }

  static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void tenThousandRoomEventsOnceInOrder_acks_binary_heartbeats_bufferedEmits_recoveredReconnect(
      Mode mode) throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    // Pings every second: several arrive (over polling: in poll responses) and are answered
    // during the test; a late pong would show as a "ping timeout" disconnect on the server. The
    // timeout leaves room for the server's emit loop, which sends no ping while it runs.
    try (SocketIoTestServer server =
            SocketIoTestServer.start(
                mode.server
                    .pingInterval(Duration.ofMillis(1000))
                    .pingTimeout(Duration.ofMillis(10_000))
                    .build());
        RealtimeClient client =
            RealtimeClient.create(
                options(server, mode.transports).errorHandler((c, e) -> errors.add(e)).build())) {
      Recorder recorder = new Recorder();
      List<ConnectionEvent> history = new CopyOnWriteArrayList<>();
      client.onConnectionEvent(recorder::record);
      client.onConnectionEvent(history::add);
      client.connect();
      ConnectionEvent.Connected first = recorder.await(ConnectionEvent.Connected.class);
      String sid = first.sessionId();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.transportOf(sid).orElse(""), t -> t.equals(mode.serverTransport));

      Map<String, String> params = Map.of("executionId", "t-" + mode);
      String room = SocketIoTestServer.roomOf(params);
      TopicSubscription sub = client.subscribe(Topic.of("execution", params));
      List<Integer> seqs = new CopyOnWriteArrayList<>();
      List<TopicEvent.Gap> gaps = new CopyOnWriteArrayList<>();
      sub.on("agent-event", JsonNode.class, ev -> seqs.add(ev.get("seq").asInt()));
      sub.listen(
          e -> {
            if (e instanceof TopicEvent.Gap g) gaps.add(g);
          });
      assertThat(sub.confirmed().get(5, TimeUnit.SECONDS).get("room").asText()).isEqualTo(room);

      // 10,000 room events, once and in order
      server.emitSequence(room, "agent-event", params, 10_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> seqs.size() >= 10_000);
      assertThat(seqs).isEqualTo(range(0, 10_000));

      // acks
      ArrayNode ack =
          client
              .emitWithAck("echo", Duration.ofSeconds(5), Map.of("a", 1), "two")
              .get(5, TimeUnit.SECONDS);
      assertThat(ack.get(0).get("a").asInt()).isEqualTo(1);
      assertThat(ack.get(1).asText()).isEqualTo("two");

      // binary attachments both ways (over polling: base64 with a 'b' prefix)
      byte[] bytes = new byte[70_000];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (i * 31);
      }
      ArrayNode binAck =
          client.emitWithAck("echo", Duration.ofSeconds(5), "bin", bytes).get(5, TimeUnit.SECONDS);
      assertThat(binAck.get(1).binaryValue()).isEqualTo(bytes);
      CompletableFuture<byte[]> blob = new CompletableFuture<>();
      client.on("blob", byte[].class, blob::complete);
      server.emitBinary(room, "blob", new byte[] {1, 2, 3, -1, 0x1e});
      assertThat(blob.get(5, TimeUnit.SECONDS)).containsExactly(1, 2, 3, -1, 0x1e);

      // a recovered reconnect: events emitted while away are replayed once, in order, and emits
      // buffered while away reach the server in order
      server.dropTransport(sid);
      recorder.await(ConnectionEvent.Reconnecting.class);
      for (int i = 10_000; i < 10_100; i++) {
        server.emit(room, "agent-event", Map.of("executionId", "t-" + mode, "seq", i));
      }
      for (int i = 0; i < 5; i++) {
        client.emit("buffered", i);
      }
      ConnectionEvent.Connected again = recorder.await(ConnectionEvent.Connected.class);
      assertThat(again.recovered()).isTrue();
      assertThat(again.sessionId()).isEqualTo(sid);
      await().atMost(Duration.ofSeconds(10)).until(() -> seqs.size() >= 10_100);
      client.emitWithAck("echo", Duration.ofSeconds(5), "barrier").get(5, TimeUnit.SECONDS);
      assertThat(seqs).isEqualTo(range(0, 10_100));
      assertThat(gaps).isEmpty();
      List<Integer> buffered = new ArrayList<>();
      for (JsonNode r : server.state().received()) {
        if (r.path("event").asText().equals("buffered")) {
          buffered.add(r.path("args").get(0).asInt());
        }
      }
      assertThat(buffered).containsExactly(0, 1, 2, 3, 4);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.transportOf(sid).orElse(""), t -> t.equals(mode.serverTransport));

      // the only server-side disconnect is the drop (socket.io calls it a forced close): no ping
      // timeout, no transport error
      List<String> reasons = new ArrayList<>();
      server.state().disconnects().forEach(d -> reasons.add(d.path("reason").asText()));
      assertThat(reasons)
          .as("server-side disconnects; client saw %s", history)
          .containsExactly("forced close");
      assertThat(errors).isEmpty();
      if (mode == Mode.WEBSOCKET_BLOCKED_FALLBACK) {
        // one refused WebSocket handshake per attempt: the first connect and the reconnect
        assertThat(server.refusedWebSocketUpgrades()).isEqualTo(2);
      }
    }
  }
}
