package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.AckTimeoutException;
import dev.quarry.realtime.ConnectErrorException;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.DisconnectedException;
import dev.quarry.realtime.PayloadTooLargeException;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.SendBufferFullException;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RealRealtimeClientTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<ConnectionEvent> events = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final List<Throwable> errorCauses = new ArrayList<>();
  private RealRealtimeClient client;

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
        .errorHandler(
            (context, e) -> {
              errors.add(context);
              errorCauses.add(e);
            });
  }

  private RealRealtimeClient start(RealtimeOptions.Builder b) {
    client = new RealRealtimeClient(b.build(), transports);
    client.onConnectionEvent(events::add);
    client.connect();
    return client;
  }

  private FakeTransports.FakeTransport connected() {
    start(options());
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    return t;
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void connect_buildsWebSocketUrlWithPathAndQuery() {
    start(options().path("/io").queryParam("room", "a b"));
    assertThat(transports.urls)
        .containsExactly("http://127.0.0.1:9/io/?EIO=4&transport=websocket&room=a%20b");
  }

  @Test
  void handshake_sendsConnectWithAuthThenReportsConnected() {
    start(options().auth(() -> Map.of("token", "t1")));
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    assertThat(t.texts()).containsExactly("40{\"token\":\"t1\"}");
    assertThat(events)
        .containsExactly(
            new ConnectionEvent.Connecting(),
            new ConnectionEvent.Connected("s1", false, false, SERVER));
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void openPacketArrivingBeforeTheTransportFactoryReturns_stillGetsTheConnectPacket() {
    // OkHttp reads on its own thread: the server's open packet can be handled before open()
    // has returned the transport to the client.
    Transport.Factory eager =
        (url, headers, listener) -> {
          FakeTransports.FakeTransport t =
              (FakeTransports.FakeTransport) transports.open(url, headers, listener);
          t.receive("0{\"sid\":\"e1\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
          return t;
        };
    client = new RealRealtimeClient(options().build(), eager);
    client.onConnectionEvent(events::add);
    client.connect();
    FakeTransports.FakeTransport t = transports.last();
    assertThat(t.texts()).containsExactly("40");
    t.receive("40{\"sid\":\"s1\"}");
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void ping_isAnsweredAtOnceEvenWhenListenersNeverRun() {
    List<Runnable> stuck = new ArrayList<>();
    client = new RealRealtimeClient(options().callbackExecutor(stuck::add).build(), transports);
    client.on("x", JsonNode.class, v -> {});
    client.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    t.receive("42[\"x\",1]");
    t.receive("2");
    assertThat(t.texts()).containsExactly("40", "3");
  }

  @Test
  void heartbeat_noPingWithinIntervalPlusTimeout_reconnectsAfterBackoff() {
    FakeTransports.FakeTransport t = connected();
    time.advance(Duration.ofMillis(1500));
    t.receive("2");
    time.advance(Duration.ofMillis(1999));
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
    time.advance(Duration.ofMillis(1));
    assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(t.cancelled).isTrue();
    assertThat(events.get(events.size() - 1))
        .isEqualTo(
            new ConnectionEvent.Reconnecting(
                1,
                Duration.ofSeconds(1),
                DisconnectReason.PING_TIMEOUT,
                "ping timeout",
                java.util.Optional.empty(),
                SERVER));
    assertThat(transports.opened).hasSize(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(transports.opened).hasSize(2);
  }

  @Test
  void secondOpenPacket_isAProtocolError_theConnectionIsResetNotReconnectedInPlace() {
    FakeTransports.FakeTransport t = connected();
    t.receive(
        "0{\"sid\":\"e2\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000,\"maxPayload\":1000}");
    assertThat(t.texts()).containsExactly("40");
    assertThat(t.cancelled).isTrue();
    assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(errorCauses)
        .anySatisfy(e -> assertThat(e).hasMessageContaining("second Engine.IO open"));
  }

  @Test
  void secondConnectReply_isAProtocolError_andReportsNoSecondConnected() {
    FakeTransports.FakeTransport t = connected();
    t.receive("40{\"sid\":\"s2\"}");
    assertThat(events.stream().filter(e -> e instanceof ConnectionEvent.Connected)).hasSize(1);
    assertThat(t.cancelled).isTrue();
    assertThat(errorCauses).anySatisfy(e -> assertThat(e).hasMessageContaining("second CONNECT"));
  }

  @Test
  void connectTimeout_serverAcceptsButNeverSendsOpen_abandonsTheAttemptAndReconnects() {
    start(options().connectTimeout(Duration.ofSeconds(5)));
    FakeTransports.FakeTransport t = transports.last();
    time.advance(Duration.ofMillis(4999));
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTING);
    time.advance(Duration.ofMillis(1));
    assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
    assertThat(t.cancelled).isTrue();
    assertThat(events.get(events.size() - 1))
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class,
            r -> {
              assertThat(r.reason()).isEqualTo(DisconnectReason.CONNECT_ERROR);
              assertThat(r.detail()).contains("connect timeout");
            });
    time.advance(Duration.ofSeconds(1));
    assertThat(transports.opened).hasSize(2);
  }

  @Test
  void connectTimeout_isCancelledByTheConnectReply() {
    start(options().connectTimeout(Duration.ofSeconds(5)));
    transports.last().handshake("40{\"sid\":\"s1\"}");
    for (int second = 0; second < 8; second++) {
      time.advance(Duration.ofSeconds(1));
      transports.last().receive("2");
    }
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(transports.opened).hasSize(1);
  }

  @Test
  void reconnect_backoffResetsAfterSuccessfulConnect() {
    start(
        options()
            .reconnectBackoff(
                Backoff.builder()
                    .initial(Duration.ofSeconds(1))
                    .multiplier(2)
                    .max(Duration.ofSeconds(60))
                    .jitter(Backoff.Jitter.NONE)
                    .build()));
    transports.last().end("refused");
    time.advance(Duration.ofSeconds(1));
    transports.last().end("refused");
    assertThat(events.get(events.size() - 1))
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class, r -> assertThat(r.delay()).hasSeconds(2));
    time.advance(Duration.ofSeconds(2));
    transports.last().handshake("40{\"sid\":\"s2\"}");
    transports.last().end("dropped");
    assertThat(events.get(events.size() - 1))
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class,
            r -> {
              assertThat(r.attempt()).isEqualTo(1);
              assertThat(r.delay()).hasSeconds(1);
            });
  }

  @Test
  void reconnect_maxAttemptsExhausted_disconnects() {
    start(options().maxReconnectAttempts(2));
    transports.last().end("refused");
    time.advance(Duration.ofSeconds(1));
    transports.last().end("refused");
    time.advance(Duration.ofSeconds(1));
    transports.last().end("refused");
    assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(transports.opened).hasSize(3);
    time.advance(Duration.ofMinutes(1));
    assertThat(transports.opened).hasSize(3);
  }

  @Test
  void close_duringBackoffWait_cancelsTheReconnect() {
    FakeTransports.FakeTransport t = connected();
    t.end("dropped");
    client.close();
    time.advance(Duration.ofMinutes(1));
    assertThat(transports.opened).hasSize(1);
    assertThat(events.get(events.size() - 1)).isEqualTo(new ConnectionEvent.Closed());
  }

  @Test
  void connectError_isSurfacedWithMessageAndDataAndNotRetried() {
    start(options());
    transports.last().handshake("44{\"message\":\"unauthorized\",\"data\":{\"code\":\"AUTH\"}}");
    assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
    ConnectionEvent.Disconnected d = (ConnectionEvent.Disconnected) events.get(events.size() - 1);
    assertThat(d.cause().orElseThrow())
        .isInstanceOfSatisfying(
            ConnectErrorException.class,
            e -> {
              assertThat(e.serverMessage()).isEqualTo("unauthorized");
              assertThat(e.data().orElseThrow().get("code").asText()).isEqualTo("AUTH");
            });
    assertThat(transports.last().closed).isTrue();
    time.advance(Duration.ofMinutes(1));
    assertThat(transports.opened).hasSize(1);
  }

  @Test
  void connectError_withReconnectConfigured_backsOff() {
    start(options().reconnectAfterConnectError(true));
    transports.last().handshake("44{\"message\":\"no\"}");
    assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
    time.advance(Duration.ofSeconds(1));
    assertThat(transports.opened).hasSize(2);
  }

  @Test
  void serverDisconnect_isNotRetriedByDefault() {
    FakeTransports.FakeTransport t = connected();
    t.receive("41");
    assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(((ConnectionEvent.Disconnected) events.get(events.size() - 1)).reason())
        .isEqualTo(DisconnectReason.IO_SERVER_DISCONNECT);
    time.advance(Duration.ofMinutes(1));
    assertThat(transports.opened).hasSize(1);
  }

  @Test
  void emitWithAck_ackArrives_completesWithArgs() throws Exception {
    FakeTransports.FakeTransport t = connected();
    CompletableFuture<ArrayNode> f = client.emitWithAck("echo", Duration.ofSeconds(5), "hi");
    assertThat(t.texts()).containsExactly("40", "420[\"echo\",\"hi\"]");
    t.receive("430[\"hi\"]");
    assertThat(f.get().get(0).asText()).isEqualTo("hi");
  }

  @Test
  void emitWithAck_timeout_failsWithEventAndTimeoutAndIgnoresLateAck() {
    FakeTransports.FakeTransport t = connected();
    CompletableFuture<ArrayNode> f = client.emitWithAck("slow", Duration.ofMillis(500), 1);
    time.advance(Duration.ofMillis(500));
    assertThatThrownBy(f::get)
        .cause()
        .isInstanceOfSatisfying(
            AckTimeoutException.class,
            e -> {
              assertThat(e.event()).isEqualTo("slow");
              assertThat(e.timeout()).isEqualTo(Duration.ofMillis(500));
            });
    t.receive("430[\"late\"]");
    assertThat(errors).isEmpty();
    assertThat(client.pendingAcks()).isZero();
  }

  @Test
  void emitWithAck_transportLost_failsPendingAckWithDisconnected() {
    FakeTransports.FakeTransport t = connected();
    CompletableFuture<ArrayNode> f = client.emitWithAck("save", Duration.ofSeconds(30), 1);
    t.end("transport close");
    assertThatThrownBy(f::get)
        .cause()
        .isInstanceOf(DisconnectedException.class)
        .hasMessageContaining("save")
        .hasMessageContaining("transport close");
  }

  @Test
  void emit_whileDisconnected_isBufferedAndFlushedInOrderAfterConnect() {
    start(options());
    client.emit("a", 1);
    client.emit("b", 2);
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    assertThat(t.texts()).containsExactly("40", "42[\"a\",1]", "42[\"b\",2]");
  }

  @Test
  void emit_bufferFull_failsWithTypedError() {
    start(options().sendBufferSize(1));
    client.emit("a");
    assertThatThrownBy(() -> client.emit("b"))
        .isInstanceOf(SendBufferFullException.class)
        .hasMessageContaining("'b'")
        .hasMessageContaining("1 packets");
  }

  @Test
  void emit_bufferingDisabled_failsWhileDisconnected() {
    start(options().sendBufferSize(0));
    assertThatThrownBy(() -> client.emit("a")).isInstanceOf(SendBufferFullException.class);
    CompletableFuture<ArrayNode> f = client.emitWithAck("b", Duration.ofSeconds(1));
    assertThatThrownBy(f::get).cause().isInstanceOf(SendBufferFullException.class);
  }

  @Test
  void emit_reservedName_isRefused() {
    start(options());
    for (String name : RealtimeOptions.RESERVED_EVENTS) {
      assertThatThrownBy(() -> client.emit(name)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> client.on(name, JsonNode.class, v -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reserved");
    }
  }

  @Test
  void emit_frameLargerThanMaxPayload_isRefusedLocally() {
    FakeTransports.FakeTransport t = connected();
    assertThatThrownBy(() -> client.emit("big", "x".repeat(2000)))
        .isInstanceOfSatisfying(
            PayloadTooLargeException.class, e -> assertThat(e.maxPayload()).isEqualTo(1000));
    assertThat(t.texts()).containsExactly("40");
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void binaryArguments_travelAsAttachmentsBothWays() {
    FakeTransports.FakeTransport t = connected();
    List<byte[]> got = new ArrayList<>();
    client.on("bin", byte[].class, got::add);
    client.emit("bin", (Object) new byte[] {1, 2, 3});
    assertThat(t.sent.get(1)).isEqualTo("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    assertThat(t.sent.get(2)).isEqualTo(new byte[] {1, 2, 3});
    t.receive("451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    t.receive(new byte[] {4, 5});
    assertThat(got).containsExactly(new byte[] {4, 5});
  }

  @Test
  void serverAck_listenerReturnsValue_isSentAsAck() {
    FakeTransports.FakeTransport t = connected();
    client.onRequest("question", JsonNode.class, q -> Map.of("answer", q.get("n").asInt() + 1));
    t.receive("427[\"question\",{\"n\":41}]");
    assertThat(t.texts()).containsExactly("40", "437[{\"answer\":42}]");
  }

  @Test
  void serverAck_answeredAfterTheConnectionWasReplaced_isNotSentOnTheNewOne() {
    FakeTransports.FakeTransport t1 = connected();
    List<dev.quarry.realtime.Ack> held = new ArrayList<>();
    client.onAck("question", JsonNode.class, (q, ack) -> held.add(ack));
    t1.receive("427[\"question\",{}]");
    t1.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.handshake("40{\"sid\":\"s2\"}");
    held.get(0).send("late");
    assertThat(t1.texts()).containsExactly("40");
    assertThat(t2.texts()).containsExactly("40");
  }

  @Test
  void throwingListener_goesToErrorHandlerAndOthersStillReceive() {
    FakeTransports.FakeTransport t = connected();
    List<Integer> got = new ArrayList<>();
    client.on(
        "n",
        Integer.class,
        v -> {
          throw new IllegalStateException("boom");
        });
    client.on("n", Integer.class, got::add);
    t.receive("42[\"n\",1]");
    t.receive("42[\"n\",2]");
    assertThat(got).containsExactly(1, 2);
    assertThat(errors).hasSize(2).allMatch(c -> c.contains("'n'"));
  }

  @Test
  void malformedFrame_isReportedAndConnectionReset() {
    FakeTransports.FakeTransport t = connected();
    t.receive("42{not json");
    assertThat(errorCauses).singleElement().isInstanceOf(ProtocolException.class);
    assertThat(t.cancelled).isTrue();
    assertThat(client.state()).isEqualTo(ConnectionState.RECONNECTING);
  }

  @Test
  void recovery_sendsPidAndOffsetStripsOffsetAndDeliversEarlyEvents() {
    start(options().auth(() -> Map.of("token", "t")));
    FakeTransports.FakeTransport t1 = transports.last();
    t1.handshake("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    List<JsonNode> got = new ArrayList<>();
    client.onArgs("ev", args -> got.add(args.get(0)));
    t1.receive("42[\"ev\",{\"seq\":0},\"off-0\"]");
    t1.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.receive("0{\"sid\":\"e2\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    assertThat(t2.texts())
        .containsExactly("40{\"token\":\"t\",\"pid\":\"p1\",\"offset\":\"off-0\"}");
    t2.receive("42[\"ev\",{\"seq\":1},\"off-1\"]");
    assertThat(got).hasSize(1);
    t2.receive("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    assertThat(got).extracting(n -> n.get("seq").asInt()).containsExactly(0, 1);
    assertThat(events.get(events.size() - 1))
        .isEqualTo(new ConnectionEvent.Connected("s1", true, true, SERVER));
  }

  @Test
  void subscribe_duplicateKeepsOneMembershipAndLastCloseUnsubscribes() {
    FakeTransports.FakeTransport t = connected();
    Topic topic = Topic.of("exec", "executionId", "e1");
    TopicSubscription a = client.subscribe(topic);
    TopicSubscription b = client.subscribe(topic);
    assertThat(t.texts()).containsExactly("40", "420[\"subscribe\",{\"executionId\":\"e1\"}]");
    t.receive("430[{\"ok\":true}]");
    assertThat(a.confirmed()).isCompletedWithValueMatching(v -> v.get("ok").asBoolean());
    assertThat(b.confirmed()).isSameAs(a.confirmed());
    a.close();
    a.close();
    assertThat(t.texts()).hasSize(2);
    b.close();
    assertThat(t.texts()).last().isEqualTo("42[\"unsubscribe\",{\"executionId\":\"e1\"}]");
  }

  @Test
  void subscribe_notRecoveredReconnect_resubscribesAndSendsGap() {
    FakeTransports.FakeTransport t = connected();
    TopicSubscription sub = client.subscribe(Topic.of("exec", "executionId", "e1"));
    List<TopicEvent> got = new ArrayList<>();
    sub.listen(got::add);
    t.receive("42[\"agent-event\",{\"executionId\":\"e1\",\"n\":1}]");
    t.receive("42[\"agent-event\",{\"executionId\":\"e2\",\"n\":2}]");
    t.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.handshake("40{\"sid\":\"s2\"}");
    assertThat(t2.texts()).containsExactly("40", "421[\"subscribe\",{\"executionId\":\"e1\"}]");
    assertThat(got).hasSize(2);
    assertThat(got.get(0)).isInstanceOf(TopicEvent.Message.class);
    assertThat(got.get(1)).isInstanceOf(TopicEvent.Gap.class);
  }

  @Test
  void options_invalidValues_failAtBuildNamingTheOption() {
    assertThatThrownBy(() -> RealtimeOptions.builder(URI.create("ftp://x")).build())
        .hasMessageContaining("uri");
    assertThatThrownBy(() -> options().sendBufferSize(-1).build())
        .hasMessageContaining("sendBufferSize");
    assertThatThrownBy(() -> options().namespace("admin").build())
        .hasMessageContaining("namespace");
    assertThatThrownBy(() -> options().ackTimeout(Duration.ZERO).build())
        .hasMessageContaining("ackTimeout");
    assertThat(options().path("/x").build().path()).isEqualTo("/x/");
  }

  @Test
  void authSupplier_isCalledOnEveryConnect() {
    AtomicInteger calls = new AtomicInteger();
    start(options().auth(() -> Map.of("n", calls.incrementAndGet())));
    transports.last().end("refused");
    time.advance(Duration.ofSeconds(1));
    transports.last().receive("0{\"sid\":\"e\",\"pingInterval\":1000,\"pingTimeout\":1000}");
    assertThat(transports.last().texts()).containsExactly("40{\"n\":2}");
  }

  /**
   * A client whose event lane holds two events, with no stall timeout (an event that does not fit
   * drops the connection at once), its callbacks queued in {@code pending}; connected with {@code
   * connectReply}.
   */
  private FakeTransports.FakeTransport twoPlacesNoStallTimeout(
      List<Runnable> pending, String connectReply) {
    start(
        options()
            .callbackExecutor(pending::add)
            .maxQueuedEvents(2, 1 << 20)
            .deliveryStallTimeout(Duration.ZERO));
    FakeTransports.FakeTransport t = transports.last();
    t.handshake(connectReply);
    return t;
  }

  @Test
  void withNoStallTimeout_anEventFitsAsSoonAsTheListenersHaveTakenOne_evenMidStream() {
    List<Runnable> pending = new ArrayList<>();
    FakeTransports.FakeTransport t1 = twoPlacesNoStallTimeout(pending, "40{\"sid\":\"s1\"}");
    List<Integer> got = new ArrayList<>();
    client.on(
        "ev",
        Integer.class,
        v -> {
          got.add(v);
          if (v == 2) {
            // The first event taken, this one still with its listener: one of two places is
            // free, so the third fits (counted as delivered only once the lane idles, it would
            // overflow and drop the connection).
            t1.receive("42[\"ev\",3]");
          }
        });
    t1.receive("42[\"ev\",1]");
    t1.receive("42[\"ev\",2]");
    while (!pending.isEmpty()) {
      pending.remove(0).run();
    }
    assertThat(got).containsExactly(1, 2, 3);
    assertThat(t1.cancelled).isFalse();
    assertThat(errorCauses).isEmpty();
  }

  @Test
  void eventLaneFull_dropsTheConnection_reportsTheDrop_andReconnectsOnceDrainedFromTheLastQueued() {
    List<Runnable> pending = new ArrayList<>();
    // A zero stall timeout: no holding back, the event that does not fit overflows at once.
    FakeTransports.FakeTransport t1 =
        twoPlacesNoStallTimeout(pending, "40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    List<Integer> got = new ArrayList<>();
    client.onArgs("ev", args -> got.add(args.get(0).asInt()));
    t1.receive("42[\"ev\",1,\"off-1\"]");
    t1.receive("42[\"ev\",2,\"off-2\"]");
    // The listeners have taken nothing yet: the third event does not fit.
    t1.receive("42[\"ev\",3,\"off-3\"]");
    assertThat(t1.cancelled).isTrue();
    // The backoff has passed, but the listeners are still behind: no new connection yet.
    time.advance(Duration.ofSeconds(5));
    assertThat(transports.opened).hasSize(1);

    while (!pending.isEmpty()) {
      pending.remove(0).run();
    }
    assertThat(got).containsExactly(1, 2);
    assertThat(errorCauses)
        .singleElement()
        .isInstanceOfSatisfying(
            DeliveryOverflowException.class, e -> assertThat(e.dropped()).isEqualTo(1));
    assertThat(events)
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        ConnectionEvent.Reconnecting.class,
                        r ->
                            assertThat(r.cause())
                                .containsInstanceOf(DeliveryOverflowException.class)));

    time.advance(Duration.ZERO);
    assertThat(transports.opened).hasSize(2);
    FakeTransports.FakeTransport t2 = transports.last();
    t2.receive("0{\"sid\":\"e2\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}");
    // The dropped event's offset was never recorded: a recovered session replays it.
    assertThat(t2.texts()).containsExactly("40{\"pid\":\"p1\",\"offset\":\"off-2\"}");
  }
}
