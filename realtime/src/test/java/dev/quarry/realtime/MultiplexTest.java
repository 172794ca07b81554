package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.testing.socketio.ServerState;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several namespaces over one Engine.IO connection ({@link RealtimeConnection}), against the real
 * Node socket.io 4.8.4 server with a second namespace {@code /ops} and recovery on.
 */
class MultiplexTest {
  static SocketIoTestServer server;
  RealtimeConnection connection;
  final Recorder mainEvents = new Recorder();
  final Recorder opsEvents = new Recorder();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder().namespaces(List.of("/ops")).build());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void resetServer() {
    server.resetCounters();
  }

  @AfterEach
  void closeConnection() {
    if (connection != null) {
      connection.close();
    }
  }

  RealtimeOptions.Builder options(String url) {
    return RealtimeOptions.builder(URI.create(url))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofMillis(300))
                .max(Duration.ofMillis(300))
                .jitter(Backoff.Jitter.NONE)
                .build())
        .errorHandler((c, e) -> errors.add(e));
  }

  /** Connects "/" and "/ops" on one connection; returns their Connected events. */
  List<ConnectionEvent.Connected> connectBoth(RealtimeOptions options) throws Exception {
    connection = RealtimeConnection.create(options);
    RealtimeClient main = connection.namespace("/");
    RealtimeClient ops = connection.namespace("/ops");
    main.onConnectionEvent(mainEvents::record);
    ops.onConnectionEvent(opsEvents::record);
    main.connect();
    ops.connect();
    return List.of(
        mainEvents.await(ConnectionEvent.Connected.class),
        opsEvents.await(ConnectionEvent.Connected.class));
  }

  RealtimeClient main() {
    return connection.namespace("/");
  }

  RealtimeClient ops() {
    return connection.namespace("/ops");
  }

  @Test
  void twoNamespaces_shareOneEngineConnection_eachWithItsOwnListenersEventsAndAcks()
      throws Exception {
    connectBoth(options(server.url()).build());
    assertThat(connection.isOpen()).isTrue();
    List<String> mainNotes = new CopyOnWriteArrayList<>();
    List<String> opsNotes = new CopyOnWriteArrayList<>();
    main().on("note", String.class, mainNotes::add);
    ops().on("note", String.class, opsNotes::add);

    ServerState state = server.state();
    assertThat(state.sockets())
        .extracting(ServerState.SocketInfo::namespace)
        .containsExactlyInAnyOrder("/", "/ops");
    assertThat(state.engineHandshakes()).as("Engine.IO connections opened").isEqualTo(1);
    assertThat(state.handshakes()).as("namespace CONNECTs").isEqualTo(2);

    server.emit(main().id(), "note", "for main");
    server.emitTo("/ops", ops().id(), "note", "for ops");
    await().atMost(Duration.ofSeconds(5)).until(() -> mainNotes.size() + opsNotes.size() == 2);
    assertThat(mainNotes).containsExactly("for main");
    assertThat(opsNotes).containsExactly("for ops");

    assertThat(main().emitWithAck("echo", String.class, "m").get(5, TimeUnit.SECONDS))
        .isEqualTo("m");
    assertThat(ops().emitWithAck("echo", String.class, "o").get(5, TimeUnit.SECONDS))
        .isEqualTo("o");
    JsonNode received = server.state().received();
    List<String> where = new ArrayList<>();
    received.forEach(r -> where.add(r.get("namespace").asText() + ":" + r.get("args").get(0)));
    assertThat(where).containsExactly("/:\"m\"", "/ops:\"o\"");
    assertThat(errors).isEmpty();
  }

  @Test
  void badAuthOfOneNamespace_refusesItAlone_theOtherStaysConnected() throws Exception {
    try (SocketIoTestServer secured =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .namespaces(List.of("/ops"))
                .authToken("secret")
                .build())) {
      connection =
          RealtimeConnection.create(
              options(secured.url()).auth(() -> Map.of("token", "secret")).build());
      RealtimeClient main = connection.namespace("/");
      RealtimeClient ops = connection.namespace("/ops", () -> Map.of("token", "wrong"));
      main.onConnectionEvent(mainEvents::record);
      ops.onConnectionEvent(opsEvents::record);
      main.connect();
      mainEvents.await(ConnectionEvent.Connected.class);
      ops.connect();

      ConnectionEvent.Disconnected refused = opsEvents.await(ConnectionEvent.Disconnected.class);
      assertThat(refused.reason()).isEqualTo(DisconnectReason.CONNECT_ERROR);
      assertThat(refused.cause()).containsInstanceOf(ConnectErrorException.class);
      assertThat(ops.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(main.isConnected()).isTrue();
      assertThat(main.emitWithAck("echo", String.class, "still").get(5, TimeUnit.SECONDS))
          .isEqualTo("still");
      ServerState state = secured.state();
      assertThat(state.sockets())
          .extracting(ServerState.SocketInfo::namespace)
          .containsExactly("/");
      assertThat(state.engineHandshakes()).isEqualTo(1);
      assertThat(mainEvents.events).noneMatch(e -> !(e instanceof ConnectionEvent.Connected));
    }
  }

  @Test
  void droppedTransport_recoversBothNamespaces_eachWithItsOwnOffsetsAndTopics() throws Exception {
    List<ConnectionEvent.Connected> first = connectBoth(options(server.url()).build());
    Map<String, String> mainParams = Map.of("executionId", "mux-main");
    Map<String, String> opsParams = Map.of("jobId", "mux-ops");
    String mainRoom = SocketIoTestServer.roomOf(mainParams);
    String opsRoom = SocketIoTestServer.roomOf(opsParams);
    TopicSubscription mainSub = main().subscribe(Topic.of("execution", mainParams));
    TopicSubscription opsSub = ops().subscribe(Topic.of("job", opsParams));
    List<Integer> mainSeqs = new CopyOnWriteArrayList<>();
    List<Integer> opsSeqs = new CopyOnWriteArrayList<>();
    List<TopicEvent> gaps = new CopyOnWriteArrayList<>();
    mainSub.on("progress", JsonNode.class, ev -> mainSeqs.add(ev.get("seq").asInt()));
    opsSub.on("progress", JsonNode.class, ev -> opsSeqs.add(ev.get("seq").asInt()));
    mainSub.listen(e -> recordGap(e, gaps));
    opsSub.listen(e -> recordGap(e, gaps));
    mainSub.confirmed().get(5, TimeUnit.SECONDS);
    opsSub.confirmed().get(5, TimeUnit.SECONDS);
    // Different counts per namespace, so that one namespace's offset cannot serve the other.
    for (int i = 0; i < 3; i++) {
      server.emit(mainRoom, "progress", Map.of("executionId", "mux-main", "seq", i));
    }
    for (int i = 0; i < 7; i++) {
      server.emitTo("/ops", opsRoom, "progress", Map.of("jobId", "mux-ops", "seq", i));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> mainSeqs.size() == 3 && opsSeqs.size() == 7);

    assertThat(server.dropTransport(first.get(0).sessionId()))
        .as("one drop closes the shared Engine.IO connection")
        .isEqualTo(1);
    mainEvents.await(ConnectionEvent.Reconnecting.class);
    opsEvents.await(ConnectionEvent.Reconnecting.class);
    // Emitted while the client is away (it waits 300 ms): each namespace replays its own.
    for (int i = 3; i < 13; i++) {
      server.emit(mainRoom, "progress", Map.of("executionId", "mux-main", "seq", i));
    }
    for (int i = 7; i < 27; i++) {
      server.emitTo("/ops", opsRoom, "progress", Map.of("jobId", "mux-ops", "seq", i));
    }
    ConnectionEvent.Connected mainAgain = mainEvents.await(ConnectionEvent.Connected.class);
    ConnectionEvent.Connected opsAgain = opsEvents.await(ConnectionEvent.Connected.class);
    assertThat(mainAgain.recovered()).isTrue();
    assertThat(opsAgain.recovered()).isTrue();
    assertThat(mainAgain.sessionId()).isEqualTo(first.get(0).sessionId());
    assertThat(opsAgain.sessionId()).isEqualTo(first.get(1).sessionId());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> mainSeqs.size() >= 13 && opsSeqs.size() >= 27);
    assertThat(mainSeqs).isEqualTo(range(13));
    assertThat(opsSeqs).isEqualTo(range(27));
    assertThat(gaps).isEmpty();
    assertThat(server.state().engineHandshakes())
        .as("one Engine.IO reconnect for both namespaces")
        .isEqualTo(2);
  }

  @Test
  void disconnectOfOneNamespace_leavesTheOtherConnected_closingTheLastClosesTheSocket()
      throws Exception {
    List<ConnectionEvent.Connected> first = connectBoth(options(server.url()).build());
    ops().disconnect();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.state().sockets().size() == 1);
    assertThat(server.state().sockets().get(0).namespace()).isEqualTo("/");
    assertThat(server.state().disconnects().get(0).get("reason").asText())
        .isEqualTo("client namespace disconnect");
    assertThat(main().isConnected()).isTrue();
    assertThat(connection.isOpen()).isTrue();
    assertThat(main().emitWithAck("echo", String.class, "alive").get(5, TimeUnit.SECONDS))
        .isEqualTo("alive");

    // Back on the same connection: a new CONNECT, no new Engine.IO handshake.
    ops().connect();
    opsEvents.await(ConnectionEvent.Connected.class, c -> true, Duration.ofSeconds(10));
    assertThat(server.state().engineHandshakes()).isEqualTo(1);
    assertThat(ops().emitWithAck("echo", String.class, "back").get(5, TimeUnit.SECONDS))
        .isEqualTo("back");

    RealtimeClient main = main();
    RealtimeClient ops = ops();
    main.close();
    assertThat(connection.isOpen()).as("/ops still holds the connection").isTrue();
    assertThat(connection.namespaces()).containsExactly(ops);
    ops.close();
    assertThat(connection.isOpen()).isFalse();
    assertThatThrownBy(() -> connection.namespace("/"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.state().sockets().isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> ResourceCleanupTest.threadsOfClients() == 0);
    assertThat(first.get(0).sessionId()).isNotEqualTo(first.get(1).sessionId());
    assertThat(errors).isEmpty();
  }

  @Test
  void closingTheConnection_closesEveryNamespace() throws Exception {
    connectBoth(options(server.url()).build());
    RealtimeClient main = main();
    RealtimeClient ops = ops();
    connection.close();
    assertThat(main.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(ops.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(connection.namespaces()).isEmpty();
    assertThatThrownBy(() -> ops.emit("echo", 1)).isInstanceOf(IllegalStateException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.state().sockets().isEmpty());
  }

  @Test
  void secondHandleWithAuth_forAnOpenNamespace_isRefused() {
    connection = RealtimeConnection.create(options(server.url()).build());
    RealtimeClient ops = connection.namespace("/ops");
    assertThat(connection.namespace("/ops")).isSameAs(ops);
    assertThatThrownBy(() -> connection.namespace("/ops", Map::of))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/ops");
    assertThatThrownBy(() -> connection.namespace("ops"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace");
  }

  @Test
  void overPolling_twoNamespacesShareOneSession() throws Exception {
    List<ConnectionEvent.Connected> connected =
        connectBoth(options(server.url()).transports(RealtimeTransport.POLLING).build());
    assertThat(server.transportOf(connected.get(0).sessionId())).hasValue("polling");
    assertThat(server.transportOf(connected.get(1).sessionId())).hasValue("polling");
    assertThat(server.state().engineHandshakes()).isEqualTo(1);
    List<String> opsNotes = new CopyOnWriteArrayList<>();
    ops().on("note", String.class, opsNotes::add);
    server.emitTo("/ops", ops().id(), "note", "polled");
    await().atMost(Duration.ofSeconds(5)).until(() -> opsNotes.size() == 1);
    assertThat(opsNotes).containsExactly("polled");
    assertThat(main().emitWithAck("echo", String.class, "m").get(5, TimeUnit.SECONDS))
        .isEqualTo("m");
    assertThat(ops().emitWithAck("echo", String.class, "o").get(5, TimeUnit.SECONDS))
        .isEqualTo("o");
  }

  private static void recordGap(TopicEvent e, List<TopicEvent> gaps) {
    if (e instanceof TopicEvent.Gap) {
      gaps.add(e);
    }
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
