package dev.quarry.testing.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okio.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket.io test server's protocol behaviour, checked with a raw Engine.IO / Socket.IO peer.
 */
class SocketIoTestServerTest {
  private static final String AUTH = "{\"token\":\"secret\"}";

  private static SocketIoTestServer server;
  private static OkHttpClient http;
  private final List<RawSocketIoClient> clients = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .pingInterval(Duration.ofMillis(300))
                .pingTimeout(Duration.ofMillis(2000))
                .maxHttpBufferSize(500_000)
                .authToken("secret")
                .build());
    http = new OkHttpClient();
  }

  @AfterAll
  static void stopServer() {
    server.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @BeforeEach
  void resetServer() {
    server.refuseHandshakes(false);
    server.resetCounters();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RawSocketIoClient::close);
  }

  private RawSocketIoClient client() {
    RawSocketIoClient c = RawSocketIoClient.open(http, server.port());
    clients.add(c);
    return c;
  }

  private static JsonNode frameJson(RawSocketIoClient c, String text, String prefix) {
    assertThat(text).startsWith(prefix);
    return c.json(text.substring(prefix.length()));
  }

  @Test
  void start_printsReady_andServesEngineIoOnItsPort() {
    assertThat(server.port()).isPositive();
    assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());

    JsonNode open = client().expectOpen();

    assertThat(open.path("pingInterval").asInt()).isEqualTo(300);
    assertThat(open.path("pingTimeout").asInt()).isEqualTo(2000);
    assertThat(open.path("maxPayload").asInt()).isEqualTo(500_000);
    assertThat(open.path("upgrades")).isEmpty();
  }

  @Test
  void connect_withRecoveryOn_repliesSidAndPid_andStateShowsTheSocket() {
    RawSocketIoClient c = client();
    JsonNode reply = c.handshake(AUTH);

    String sid = reply.path("sid").asText();
    assertThat(sid).isNotEmpty();
    assertThat(reply.path("pid").asText()).isNotEmpty();
    ServerState.SocketInfo info = server.state().socket(sid).orElseThrow();
    assertThat(info.recovered()).isFalse();
    assertThat(info.namespace()).isEqualTo("/");
    assertThat(info.rooms()).isEmpty();
    assertThat(info.auth().path("token").asText()).isEqualTo("secret");
    assertThat(server.handshakeCount()).isEqualTo(1);
  }

  @Test
  void subscribe_joinsTheCanonicalRoom_andAcks_unsubscribeLeavesIt() {
    RawSocketIoClient c = client();
    String sid = c.handshake(AUTH).path("sid").asText();
    String room = "{\"a\":{\"x\":1,\"y\":[2,{\"p\":1,\"q\":2}]},\"executionId\":\"e1\"}";
    assertThat(
            SocketIoTestServer.roomOf(
                Map.of(
                    "executionId",
                    "e1",
                    "a",
                    Map.of("y", List.of(2, Map.of("q", 2, "p", 1)), "x", 1))))
        .isEqualTo(room);

    c.send(
        "421[\"subscribe\",{\"executionId\":\"e1\",\"a\":{\"y\":[2,{\"q\":2,\"p\":1}],\"x\":1}}]");
    JsonNode ack = frameJson(c, c.nextText(), "431");

    assertThat(ack.get(0).path("ok").asBoolean()).isTrue();
    assertThat(ack.get(0).path("room").asText()).isEqualTo(room);
    assertThat(server.state().socket(sid).orElseThrow().rooms()).containsExactly(room);
    assertThat(server.state().inRoom(room))
        .extracting(ServerState.SocketInfo::id)
        .containsExactly(sid);

    c.send(
        "422[\"unsubscribe\",{\"a\":{\"x\":1,\"y\":[2,{\"p\":1,\"q\":2}]},\"executionId\":\"e1\"}]");
    JsonNode unsubscribed = frameJson(c, c.nextText(), "432");

    assertThat(unsubscribed.get(0).path("ok").asBoolean()).isTrue();
    assertThat(server.state().socket(sid).orElseThrow().rooms()).isEmpty();
  }

  @Test
  void subscribe_payloadNotAnObject_acksAnError() {
    RawSocketIoClient c = client();
    String sid = c.handshake(AUTH).path("sid").asText();

    c.send("423[\"subscribe\",\"e1\"]");
    JsonNode ack = frameJson(c, c.nextText(), "433");

    assertThat(ack.get(0).path("ok").asBoolean()).isFalse();
    assertThat(ack.get(0).path("error").asText()).contains("JSON object");
    assertThat(server.state().socket(sid).orElseThrow().rooms()).isEmpty();
  }

  @Test
  void emitSequence_deliversCountEventsInOrder_withSeqAndRecoveryOffset() {
    RawSocketIoClient c = client();
    c.handshake(AUTH);
    c.send("421[\"subscribe\",{\"executionId\":\"seq\"}]");
    frameJson(c, c.nextText(), "431");
    int count = 500;

    server.emitSequence(
        SocketIoTestServer.roomOf(Map.of("executionId", "seq")),
        "agent-event",
        Map.of("executionId", "seq", "kind", "step"),
        count);

    String previousOffset = "";
    for (int i = 0; i < count; i++) {
      JsonNode event = frameJson(c, c.nextText(), "42");
      assertThat(event.get(0).asText()).isEqualTo("agent-event");
      assertThat(event.get(1).path("seq").asInt()).as("event %d", i).isEqualTo(i);
      assertThat(event.get(1).path("executionId").asText()).isEqualTo("seq");
      assertThat(event.get(1).path("kind").asText()).isEqualTo("step");
      String offset = event.get(2).asText();
      assertThat(offset).isNotEmpty().isNotEqualTo(previousOffset);
      previousOffset = offset;
    }
  }

  @Test
  void flood_writesCountFramesInOrder_ofEverySize_andOnlyToTheRoom() {
    RawSocketIoClient inRoom = client();
    inRoom.handshake(AUTH);
    inRoom.send("421[\"subscribe\",{\"executionId\":\"flood\"}]");
    frameJson(inRoom, inRoom.nextText(), "431");
    RawSocketIoClient other = client();
    other.handshake(AUTH);
    String room = SocketIoTestServer.roomOf(Map.of("executionId", "flood"));
    // WebSocket frame lengths in all three encodings (7-bit, 16-bit, 64-bit), with characters
    // that take two and three bytes in UTF-8, so a length counted in chars would cut the frame
    Map<String, String> texts =
        Map.of("short", "é", "medium", "ü€".repeat(100), "long", "€".repeat(30_000));

    for (Map.Entry<String, String> text : texts.entrySet()) {
      int count = text.getKey().equals("long") ? 3 : 2_500;
      // a seq in the base object is replaced by the event's own, not written twice
      Map<String, Object> base = Map.of("kind", text.getKey(), "text", text.getValue(), "seq", -1);
      int sockets = server.flood(room, "tick", base, count);

      assertThat(sockets).isEqualTo(1);
      for (int i = 0; i < count; i++) {
        String frame = inRoom.nextText();
        assertThat(frame.split("\"seq\":", -1)).as("seq written once").hasSize(2);
        JsonNode event = frameJson(inRoom, frame, "42");
        assertThat(event.size()).isEqualTo(2);
        assertThat(event.get(1).size()).isEqualTo(3);
        assertThat(event.get(0).asText()).isEqualTo("tick");
        assertThat(event.get(1).path("seq").asInt()).as("event %d", i).isEqualTo(i % 1000);
        assertThat(event.get(1).path("kind").asText()).isEqualTo(text.getKey());
        assertThat(event.get(1).path("text").asText()).isEqualTo(text.getValue());
      }
    }
    // nothing reached the socket outside the room: its first frame is the answer to this echo
    other.send("42[\"echo\",\"after\"]");
    JsonNode echo = frameJson(other, other.nextText(), "42");
    assertThat(echo.get(0).asText()).isEqualTo("echo");
    assertThat(echo.get(1).asText()).isEqualTo("after");
    assertThatThrownBy(() -> server.flood(room, "tick", Map.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
    assertThatThrownBy(() -> server.flood(room, "connect", Map.of(), 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/control/flood")
        .hasMessageContaining("reserved");
  }

  @Test
  void emit_reachesOnlyTheRoom_andEmitBinarySendsAnAttachment() {
    RawSocketIoClient member = client();
    member.handshake(AUTH);
    member.send("421[\"subscribe\",{\"executionId\":\"e2\"}]");
    frameJson(member, member.nextText(), "431");
    RawSocketIoClient other = client();
    String otherSid = other.handshake(AUTH).path("sid").asText();
    String room = SocketIoTestServer.roomOf(Map.of("executionId", "e2"));

    server.emit(room, "agent-complete", Map.of("executionId", "e2"), 7, "x");
    server.emitBinary(room, "blob", new byte[] {0, 1, 2, (byte) 255});
    server.emit(otherSid, "marker");

    JsonNode event = frameJson(member, member.nextText(), "42");
    assertThat(event.get(0).asText()).isEqualTo("agent-complete");
    assertThat(event.get(1).path("executionId").asText()).isEqualTo("e2");
    assertThat(event.get(2).asInt()).isEqualTo(7);
    assertThat(event.get(3).asText()).isEqualTo("x");
    JsonNode binary = frameJson(member, member.nextText(), "451-");
    assertThat(binary.get(0).asText()).isEqualTo("blob");
    assertThat(binary.get(1).path("_placeholder").asBoolean()).isTrue();
    assertThat(member.nextBinary()).isEqualTo(ByteString.of(new byte[] {0, 1, 2, (byte) 255}));
    assertThat(frameJson(other, other.nextText(), "42").get(0).asText()).isEqualTo("marker");
  }

  @Test
  void echo_acksAllArgumentsBack_includingBinary() {
    RawSocketIoClient c = client();
    c.handshake(AUTH);

    c.send("451-7[\"echo\",\"x\",{\"n\":1},{\"_placeholder\":true,\"num\":0}]");
    c.send(ByteString.of((byte) 9, (byte) 8, (byte) 7));

    JsonNode ack = frameJson(c, c.nextText(), "461-7");
    assertThat(ack.get(0).asText()).isEqualTo("x");
    assertThat(ack.get(1).path("n").asInt()).isEqualTo(1);
    assertThat(ack.get(2).path("_placeholder").asBoolean()).isTrue();
    assertThat(c.nextBinary()).isEqualTo(ByteString.of((byte) 9, (byte) 8, (byte) 7));
  }

  @Test
  void pingMe_emitsWithAnAck_andRecordsTheClientsAck() {
    RawSocketIoClient c = client();
    String sid = c.handshake(AUTH).path("sid").asText();

    c.send("42[\"ping-me\",{\"event\":\"question\",\"args\":[1,\"two\"]}]");
    String question = c.nextText();
    assertThat(question).matches("42\\d+\\[\"question\",1,\"two\"\\]");
    String ackId = question.substring(2, question.indexOf('['));
    c.send("43" + ackId + "[{\"answer\":42}]");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode acks = server.state().acks();
              assertThat(acks).hasSize(1);
              assertThat(acks.get(0).path("sid").asText()).isEqualTo(sid);
              assertThat(acks.get(0).path("event").asText()).isEqualTo("question");
              assertThat(acks.get(0).path("args").get(0).path("answer").asInt()).isEqualTo(42);
            });
    assertThat(server.state().received())
        .anySatisfy(e -> assertThat(e.path("event").asText()).isEqualTo("ping-me"));
  }

  @Test
  void kick_sendsDisconnectPacket_andClosesTheConnection() {
    RawSocketIoClient c = client();
    String sid = c.handshake(AUTH).path("sid").asText();

    assertThat(server.kick(sid)).isEqualTo(1);

    assertThat(c.nextText()).isEqualTo("41");
    c.awaitClosed();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(server.state().socket(sid)).isEmpty());
    assertThat(server.state().disconnects())
        .anySatisfy(
            d -> {
              assertThat(d.path("sid").asText()).isEqualTo(sid);
              assertThat(d.path("reason").asText()).isEqualTo("server namespace disconnect");
            });
  }

  @Test
  void dropTransport_closesTheConnectionWithoutDisconnectPacket() {
    RawSocketIoClient c = client();
    String sid = c.handshake(AUTH).path("sid").asText();

    assertThat(server.dropTransport(sid)).isEqualTo(1);

    assertThat(c.next()).isInstanceOf(RawSocketIoClient.Closed.class);
    assertThat(server.state().socket(sid)).isEmpty();
    assertThat(server.state().disconnects())
        .anySatisfy(d -> assertThat(d.path("reason").asText()).isEqualTo("forced close"));
  }

  @Test
  void dropTransport_withRecovery_reconnectRecoversSessionRoomsAndMissedEvents() {
    RawSocketIoClient first = client();
    JsonNode connected = first.handshake(AUTH);
    String sid = connected.path("sid").asText();
    String pid = connected.path("pid").asText();
    String room = SocketIoTestServer.roomOf(Map.of("executionId", "rec"));
    first.send("421[\"subscribe\",{\"executionId\":\"rec\"}]");
    frameJson(first, first.nextText(), "431");
    server.emit(room, "agent-event", Map.of("n", 0));
    String offset = frameJson(first, first.nextText(), "42").get(2).asText();

    server.dropTransport(sid);
    first.awaitClosed();
    server.emitSequence(room, "agent-event", Map.of("missed", true), 3);

    RawSocketIoClient second = client();
    second.expectOpen();
    second.send("40{\"token\":\"secret\",\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
    for (int i = 0; i < 3; i++) {
      JsonNode missed = frameJson(second, second.nextText(), "42");
      assertThat(missed.get(1).path("seq").asInt()).isEqualTo(i);
      assertThat(missed.get(1).path("missed").asBoolean()).isTrue();
    }
    JsonNode reply = frameJson(second, second.nextText(), "40");
    assertThat(reply.path("sid").asText()).isEqualTo(sid);
    assertThat(reply.path("pid").asText()).isEqualTo(pid);
    ServerState.SocketInfo info = server.state().socket(sid).orElseThrow();
    assertThat(info.recovered()).isTrue();
    assertThat(info.rooms()).containsExactly(room);
    assertThat(server.handshakeCount()).isEqualTo(2);
  }

  @Test
  void refuseHandshakes_makesTheUpgradeFail_untilTurnedOff() {
    server.refuseHandshakes(true);

    RawSocketIoClient.Closed closed = client().awaitClosed();

    assertThat(closed.failure()).isNotNull();
    assertThat(closed.httpStatus()).isEqualTo(400);
    ServerState state = server.state();
    assertThat(state.engineHandshakes()).isEqualTo(1);
    assertThat(state.handshakes()).isZero();

    server.refuseHandshakes(false);
    assertThat(client().handshake(AUTH).path("sid").asText()).isNotEmpty();
  }

  @Test
  void authToken_wrongToken_isRejectedWithMessageAndData_andCountsOneHandshake() {
    RawSocketIoClient c = client();
    c.expectOpen();

    c.send("40{\"token\":\"wrong\"}");
    JsonNode error = frameJson(c, c.nextText(), "44");

    assertThat(error.path("message").asText()).isEqualTo("unauthorized");
    assertThat(error.path("data").path("code").asText()).isEqualTo("AUTH");
    assertThat(error.path("data").path("reason").asText()).isEqualTo("bad token");
    ServerState state = server.state();
    assertThat(state.handshakes()).isEqualTo(1);
    assertThat(state.engineHandshakes()).isEqualTo(1);
    assertThat(state.sockets()).noneMatch(s -> s.auth().path("token").asText().equals("wrong"));
  }

  @Test
  void controlCalls_badInput_failWithTheServersMessage() {
    assertThatThrownBy(() -> server.emit("room", "connect"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/control/emit")
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> server.emitSequence("room", "e", Map.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
    assertThatThrownBy(() -> server.emit("room", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event");
  }
}
