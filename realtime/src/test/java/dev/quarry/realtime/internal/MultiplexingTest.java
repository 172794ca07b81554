package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several namespaces over one scripted Engine.IO connection, in virtual time. */
class MultiplexingTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<ConnectionEvent> mainEvents = new ArrayList<>();
  private final List<ConnectionEvent> opsEvents = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();
  private RealRealtimeConnection connection;
  private RealtimeClient main;
  private RealtimeClient ops;

  private RealtimeOptions.Builder options() {
    return RealtimeOptions.builder(SERVER)
        .time(time, time)
        .callbackExecutor(VirtualTime.direct())
        .random(new SplittableRandom(0))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofSeconds(1))
                .max(Duration.ofSeconds(1))
                .jitter(Backoff.Jitter.NONE)
                .build())
        .errorHandler((context, e) -> errors.add(e));
  }

  /** "/" with auth {"token":"m"} and "/ops" with {"token":"o"}, both connect() called. */
  private FakeTransports.FakeTransport start(RealtimeOptions.Builder b) {
    connection = new RealRealtimeConnection(b.auth(() -> Map.of("token", "m")).build(), transports);
    main = connection.namespace("/");
    ops = connection.namespace("/ops", () -> Map.of("token", "o"));
    main.onConnectionEvent(mainEvents::add);
    ops.onConnectionEvent(opsEvents::add);
    main.connect();
    ops.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.receive(
        "0{\"sid\":\"e1\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000,\"maxPayload\":1000}");
    return t;
  }

  @AfterEach
  void close() {
    if (connection != null) {
      connection.close();
    }
  }

  @Test
  void open_eachNamespaceSendsItsOwnConnectWithItsOwnAuth_onTheOneTransport() {
    FakeTransports.FakeTransport t = start(options());
    assertThat(transports.opened).hasSize(1);
    assertThat(t.texts()).containsExactly("40{\"token\":\"m\"}", "40/ops,{\"token\":\"o\"}");

    t.receive("40{\"sid\":\"s1\"}");
    t.receive("40/ops,{\"sid\":\"s2\"}");
    assertThat(main.id()).isEqualTo("s1");
    assertThat(ops.id()).isEqualTo("s2");

    List<String> mainNotes = new ArrayList<>();
    List<String> opsNotes = new ArrayList<>();
    main.on("note", String.class, mainNotes::add);
    ops.on("note", String.class, opsNotes::add);
    t.receive("42[\"note\",\"to main\"]");
    t.receive("42/ops,[\"note\",\"to ops\"]");
    assertThat(mainNotes).containsExactly("to main");
    assertThat(opsNotes).containsExactly("to ops");

    ops.emit("hello", 1);
    assertThat(t.texts()).endsWith("42/ops,[\"hello\",1]");
  }

  @Test
  void aNamespaceConnectingLater_joinsTheOpenConnection_withoutANewTransport() {
    connection =
        new RealRealtimeConnection(options().auth(() -> Map.of("token", "m")).build(), transports);
    main = connection.namespace("/");
    main.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");

    ops = connection.namespace("/ops");
    ops.connect();
    t.receive("40/ops,{\"sid\":\"s2\"}");

    assertThat(transports.opened).hasSize(1);
    assertThat(t.texts()).containsExactly("40{\"token\":\"m\"}", "40/ops,{\"token\":\"m\"}");
    assertThat(ops.isConnected()).isTrue();
  }

  @Test
  void refusedNamespace_failsAlone_andRetriesOnItsOwnBackoff_whileTheOtherStaysConnected() {
    FakeTransports.FakeTransport t = start(options().reconnectAfterConnectError(true));
    t.receive("40{\"sid\":\"s1\"}");
    t.receive("44/ops,{\"message\":\"bad token\"}");

    assertThat(opsEvents.get(opsEvents.size() - 1))
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class,
            r -> {
              assertThat(r.attempt()).isEqualTo(1);
              assertThat(r.reason()).isEqualTo(DisconnectReason.CONNECT_ERROR);
            });
    assertThat(main.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(t.closed || t.cancelled).as("transport still open").isFalse();

    time.advance(Duration.ofSeconds(1));
    assertThat(t.texts()).filteredOn(s -> s.startsWith("40/ops,")).hasSize(2);
    t.receive("40/ops,{\"sid\":\"s2\"}");
    assertThat(ops.isConnected()).isTrue();
    assertThat(transports.opened).hasSize(1);
    assertThat(mainEvents).hasSize(2); // Connecting, Connected: nothing else
  }

  @Test
  void refusedNamespace_withoutRetry_isDisconnected_theOtherStays() {
    FakeTransports.FakeTransport t = start(options());
    t.receive("40{\"sid\":\"s1\"}");
    t.receive("44/ops,{\"message\":\"bad token\"}");
    assertThat(ops.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(main.isConnected()).isTrue();
    assertThat(t.closed || t.cancelled).isFalse();
  }

  @Test
  void transportLost_everyNamespaceReconnects_withItsOwnPidAndOffset() {
    FakeTransports.FakeTransport t = start(options());
    t.receive("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    t.receive("40/ops,{\"sid\":\"s2\",\"pid\":\"p2\"}");
    t.receive("42[\"e\",{},\"m-offset-1\"]");
    t.receive("42/ops,[\"e\",{},\"o-offset-7\"]");

    t.end("gone");
    assertThat(main.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(ops.state()).isEqualTo(ConnectionState.RECONNECTING);
    time.advance(Duration.ofSeconds(1));
    assertThat(transports.opened).hasSize(2);
    FakeTransports.FakeTransport t2 = transports.last();
    t2.receive(
        "0{\"sid\":\"e2\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000,\"maxPayload\":1000}");
    assertThat(t2.texts())
        .containsExactly(
            "40{\"token\":\"m\",\"pid\":\"p1\",\"offset\":\"m-offset-1\"}",
            "40/ops,{\"token\":\"o\",\"pid\":\"p2\",\"offset\":\"o-offset-7\"}");

    // The server recovers "/" but not "/ops": each reports its own outcome.
    t2.receive("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    t2.receive("40/ops,{\"sid\":\"s3\",\"pid\":\"p3\"}");
    assertThat(main.recovered()).isTrue();
    assertThat(ops.recovered()).isFalse();
    assertThat(ops.id()).isEqualTo("s3");
  }

  @Test
  void serverDisconnectOfOneNamespace_leavesTheOtherOnTheConnection() {
    FakeTransports.FakeTransport t = start(options());
    t.receive("40{\"sid\":\"s1\"}");
    t.receive("40/ops,{\"sid\":\"s2\"}");
    t.receive("41/ops,");
    assertThat(ops.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(main.isConnected()).isTrue();
    assertThat(t.closed || t.cancelled).isFalse();
  }

  @Test
  void disconnectOfOneNamespace_sendsItsDisconnectOnly_theLastOneClosesTheTransport() {
    FakeTransports.FakeTransport t = start(options());
    t.receive("40{\"sid\":\"s1\"}");
    t.receive("40/ops,{\"sid\":\"s2\"}");

    ops.disconnect();
    assertThat(t.texts()).endsWith("41/ops,");
    assertThat(t.closed).isFalse();
    assertThat(main.isConnected()).isTrue();

    main.disconnect();
    assertThat(t.texts()).endsWith("41");
    assertThat(t.closed).isTrue();
    assertThat(connection.isOpen()).isFalse();

    // connect() again opens a new transport.
    ops.connect();
    assertThat(transports.opened).hasSize(2);
  }

  @Test
  void closingTheLastHandle_closesTheConnection() {
    FakeTransports.FakeTransport t = start(options());
    t.receive("40{\"sid\":\"s1\"}");
    t.receive("40/ops,{\"sid\":\"s2\"}");
    main.close();
    assertThat(t.closed).isFalse();
    assertThat(connection.namespaces()).containsExactly(ops);
    ops.close();
    assertThat(t.closed).isTrue();
    assertThat(connection.namespaces()).isEmpty();
  }

  @Test
  void authSupplierOfOneNamespaceThrows_theOtherConnects_andTheFailedOneRetries() {
    connection = new RealRealtimeConnection(options().build(), transports);
    main = connection.namespace("/");
    int[] calls = {0};
    ops =
        connection.namespace(
            "/ops",
            () -> {
              if (calls[0]++ == 0) {
                throw new IllegalStateException("token store not ready");
              }
              return Map.of("token", "o");
            });
    main.connect();
    ops.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    assertThat(main.isConnected()).isTrue();
    assertThat(ops.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(errors).hasSize(1);

    time.advance(Duration.ofSeconds(1));
    assertThat(t.texts()).contains("40/ops,{\"token\":\"o\"}");
    t.receive("40/ops,{\"sid\":\"s2\"}");
    assertThat(ops.isConnected()).isTrue();
  }
}
