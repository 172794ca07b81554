package dev.quarry.examples.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeConnection;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.RealtimeTransport;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket.io-client parity API (disconnect and connect again, acks on the configured timeout,
 * catch-all listeners, HTTP long-polling, several namespaces over one connection) against the
 * second real peer, netty-socketio 2.0.13.
 */
class StudioBackendParityTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private StudioBackend backend;
  private final List<RealtimeClient> clients = new CopyOnWriteArrayList<>();
  private final List<RealtimeConnection> connections = new CopyOnWriteArrayList<>();
  private final List<ConnectionEvent> connection = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    backend = StudioBackend.builder().startGrace(Duration.ofSeconds(10)).start();
  }

  @AfterEach
  void stop() {
    clients.forEach(RealtimeClient::close);
    connections.forEach(RealtimeConnection::close);
    backend.close();
  }

  private RealtimeClient client(RealtimeTransport... transports) {
    RealtimeClient c =
        RealtimeClient.create(
            RealtimeOptions.builder(backend.socketUrl())
                .transports(transports)
                .ackTimeout(Duration.ofSeconds(10))
                .reconnectBackoff(Backoff.fixed(Duration.ofMillis(200)))
                .build());
    c.onConnectionEvent(connection::add);
    clients.add(c);
    return c;
  }

  @Test
  void disconnect_leavesTheServer_andConnectStartsANewSessionThatRejoinsTheTopic()
      throws Exception {
    RealtimeClient c = client(RealtimeTransport.WEBSOCKET);
    List<TopicEvent> topicEvents = new CopyOnWriteArrayList<>();
    c.connect();
    TopicSubscription sub = c.subscribe(Topic.of("project", "projectId", "p1"));
    sub.listen(topicEvents::add);
    sub.confirmed().get(10, TimeUnit.SECONDS);
    String first = c.id();
    assertThat(first).isNotBlank();

    c.disconnect();

    await().atMost(WAIT).until(() -> backend.realtimeClients() == 0);
    assertThat(c.isConnected()).isFalse();
    assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(connection)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ConnectionEvent.Disconnected.class,
                        d ->
                            assertThat(d.reason())
                                .isEqualTo(DisconnectReason.IO_CLIENT_DISCONNECT)));

    c.connect();

    await().atMost(WAIT).until(c::isConnected);
    assertThat(c.id()).isNotBlank().isNotEqualTo(first);
    assertThat(c.recovered()).isFalse();
    await()
        .atMost(WAIT)
        .until(() -> topicEvents.stream().anyMatch(e -> e instanceof TopicEvent.Gap));
    assertThat(backend.realtimeClients()).isEqualTo(1);
  }

  @Test
  void typedAckOnTheConfiguredTimeout_andCatchAllListenersSeeBothWays() throws Exception {
    RealtimeClient c = client(RealtimeTransport.WEBSOCKET);
    List<String> outgoing = new CopyOnWriteArrayList<>();
    c.onAnyOutgoing((event, args) -> outgoing.add(event));
    c.connect();
    await().atMost(WAIT).until(c::isConnected);

    JsonNode reply =
        c.emitWithAck("echo", JsonNode.class, Map.of("n", 7)).get(10, TimeUnit.SECONDS);

    assertThat(reply.path("n").asInt()).isEqualTo(7);
    // Outgoing listeners run on the callback executor, while get() returns as soon as the thread
    // that decoded the ack completes the future: the listener may run just after.
    await().atMost(WAIT).untilAsserted(() -> assertThat(outgoing).contains("echo"));
  }

  @Test
  void httpLongPollingOnly_connectsAndAcks() throws Exception {
    RealtimeClient c = client(RealtimeTransport.POLLING);
    c.connect();
    try {
      await().atMost(WAIT).until(c::isConnected);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not connected over polling; connection events: " + connection, e);
    }

    JsonNode reply =
        c.emitWithAck("echo", JsonNode.class, Map.of("over", "polling")).get(10, TimeUnit.SECONDS);

    assertThat(reply.path("over").asText()).isEqualTo("polling");
    assertThat(backend.realtimeClients()).isEqualTo(1);
  }

  @Test
  void pollingUpgradedToWebSocket_connectsAndAcks() throws Exception {
    RealtimeClient c = client(RealtimeTransport.POLLING, RealtimeTransport.WEBSOCKET);
    c.connect();
    await().atMost(WAIT).until(c::isConnected);

    JsonNode reply =
        c.emitWithAck("echo", JsonNode.class, Map.of("over", "upgrade")).get(10, TimeUnit.SECONDS);

    assertThat(reply.path("over").asText()).isEqualTo("upgrade");
  }

  @Test
  void aClientOfAnotherNamespace_talksToThatNamespace() throws Exception {
    RealtimeClient ops =
        RealtimeClient.create(
            RealtimeOptions.builder(backend.socketUrl())
                .namespace("/ops")
                .ackTimeout(Duration.ofSeconds(10))
                .build());
    clients.add(ops);
    RealtimeClient main = client(RealtimeTransport.WEBSOCKET);
    ops.connect();
    main.connect();
    await().atMost(WAIT).until(() -> ops.isConnected() && main.isConnected());

    JsonNode fromOps =
        ops.emitWithAck("echo", JsonNode.class, Map.of("n", 1)).get(10, TimeUnit.SECONDS);
    JsonNode fromMain =
        main.emitWithAck("echo", JsonNode.class, Map.of("n", 2)).get(10, TimeUnit.SECONDS);

    assertThat(fromOps.path("namespace").asText()).isEqualTo("/ops");
    assertThat(fromOps.path("echo").path("n").asInt()).isEqualTo(1);
    assertThat(fromMain.path("n").asInt()).isEqualTo(2);
    assertThat(fromMain.has("namespace")).isFalse();
  }

  @Test
  void twoNamespacesOverOneConnection_eachConnectsGetsItsEventsAndAcks() throws Exception {
    RealtimeConnection io =
        RealtimeConnection.create(
            RealtimeOptions.builder(backend.socketUrl())
                .ackTimeout(Duration.ofSeconds(10))
                .reconnectBackoff(Backoff.fixed(Duration.ofMillis(200)))
                .build());
    connections.add(io);
    RealtimeClient main = io.namespace("/");
    RealtimeClient ops = io.namespace("/ops");
    List<JsonNode> mainEchoes = new CopyOnWriteArrayList<>();
    List<JsonNode> opsEchoes = new CopyOnWriteArrayList<>();
    main.on("echo", JsonNode.class, mainEchoes::add);
    ops.on("echo", JsonNode.class, opsEchoes::add);
    main.connect();
    ops.connect();
    await().atMost(WAIT).until(() -> main.isConnected() && ops.isConnected());

    // netty-socketio names a socket by its Engine.IO session: one session serves both namespaces.
    assertThat(ops.id()).isEqualTo(main.id());
    assertThat(backend.realtimeClients()).isEqualTo(1);

    main.emit("echo", Map.of("n", 3));
    ops.emit("echo", Map.of("n", 4));
    await().atMost(WAIT).until(() -> mainEchoes.size() == 1 && opsEchoes.size() == 1);
    assertThat(mainEchoes.get(0).path("n").asInt()).isEqualTo(3);
    assertThat(opsEchoes.get(0).path("namespace").asText()).isEqualTo("/ops");
    assertThat(opsEchoes.get(0).path("echo").path("n").asInt()).isEqualTo(4);

    JsonNode fromOps =
        ops.emitWithAck("echo", JsonNode.class, Map.of("n", 5)).get(10, TimeUnit.SECONDS);
    JsonNode fromMain =
        main.emitWithAck("echo", JsonNode.class, Map.of("n", 6)).get(10, TimeUnit.SECONDS);
    assertThat(fromOps.path("namespace").asText()).isEqualTo("/ops");
    assertThat(fromOps.path("echo").path("n").asInt()).isEqualTo(5);
    assertThat(fromMain.path("n").asInt()).isEqualTo(6);

    ops.disconnect();
    JsonNode afterOpsLeft =
        main.emitWithAck("echo", JsonNode.class, Map.of("n", 7)).get(10, TimeUnit.SECONDS);
    assertThat(afterOpsLeft.path("n").asInt()).isEqualTo(7);
    assertThat(main.isConnected()).isTrue();

    io.close();
    await().atMost(WAIT).until(() -> backend.realtimeClients() == 0);
  }
}
