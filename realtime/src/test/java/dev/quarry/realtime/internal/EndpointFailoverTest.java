package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DisconnectReason;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a client given several endpoints moves between them (RealtimeOptions.endpoints). */
class EndpointFailoverTest {
  private static final URI A = URI.create("http://127.0.0.1:9001");
  private static final URI B = URI.create("http://127.0.0.1:9002");
  private static final URI C = URI.create("http://127.0.0.1:9003");

  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<ConnectionEvent> events = new ArrayList<>();
  private RealRealtimeClient client;

  private RealRealtimeClient start(List<URI> endpoints) {
    RealtimeOptions options =
        RealtimeOptions.builder(endpoints)
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .random(new SplittableRandom(0))
            .connectTimeout(Duration.ofSeconds(5))
            .reconnectBackoff(
                Backoff.builder()
                    .initial(Duration.ofSeconds(1))
                    .max(Duration.ofSeconds(1))
                    .jitter(Backoff.Jitter.NONE)
                    .build())
            .errorHandler((context, e) -> {})
            .build();
    client = new RealRealtimeClient(options, transports);
    client.onConnectionEvent(events::add);
    client.connect();
    return client;
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private List<String> hosts() {
    return transports.urls.stream().map(u -> URI.create(u).getPort() + "").toList();
  }

  private ConnectionEvent lastEvent() {
    return events.get(events.size() - 1);
  }

  @Test
  void firstAttempt_goesToTheFirstEndpoint() {
    start(List.of(A, B));
    assertThat(hosts()).containsExactly("9001");
    transports.last().handshake("40{\"sid\":\"s1\"}");
    assertThat(lastEvent()).isEqualTo(new ConnectionEvent.Connected("s1", false, false, A));
  }

  @Test
  void refusedAttempt_movesTheNextAttemptToTheNextEndpoint_roundRobin() {
    start(List.of(A, B, C));
    transports.last().end("connection refused");
    assertThat(lastEvent())
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class, r -> assertThat(r.endpoint()).isEqualTo(B));
    time.advance(Duration.ofSeconds(1));
    transports.last().end("connection refused");
    time.advance(Duration.ofSeconds(1));
    transports.last().end("connection refused");
    time.advance(Duration.ofSeconds(1));
    assertThat(hosts()).containsExactly("9001", "9002", "9003", "9001");
  }

  @Test
  void lostEstablishedConnection_retriesTheSameEndpointFirst_thenFailsOver() {
    start(List.of(A, B));
    transports.last().handshake("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    transports.last().receive("42[\"ev\",1,\"off-1\"]");
    transports.last().end("transport close");
    assertThat(lastEvent())
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class, r -> assertThat(r.endpoint()).isEqualTo(A));
    time.advance(Duration.ofSeconds(1));
    assertThat(hosts()).containsExactly("9001", "9001");

    transports.last().end("connection refused");
    time.advance(Duration.ofSeconds(1));
    assertThat(hosts()).containsExactly("9001", "9001", "9002");
    // The node that takes over does not know the session: it is offered, not recovered.
    FakeTransports.FakeTransport onB = transports.last();
    onB.handshake("40{\"sid\":\"s2\",\"pid\":\"p2\"}");
    assertThat(onB.texts().get(0)).isEqualTo("40{\"pid\":\"p1\",\"offset\":\"off-1\"}");
    assertThat(lastEvent()).isEqualTo(new ConnectionEvent.Connected("s2", false, true, B));
  }

  @Test
  void failover_resubscribesEveryTopicAndReportsAGap() {
    start(List.of(A, B));
    transports.last().handshake("40{\"sid\":\"s1\"}");
    List<TopicEvent> topicEvents = new ArrayList<>();
    client.subscribe(Topic.of("execution", "executionId", "e1")).listen(topicEvents::add);
    assertThat(transports.last().texts()).anyMatch(t -> t.contains("\"subscribe\""));
    transports.last().end("transport close");
    time.advance(Duration.ofSeconds(1));
    transports.last().end("connection refused");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport onB = transports.last();
    onB.handshake("40{\"sid\":\"s2\"}");
    assertThat(onB.texts()).anyMatch(t -> t.contains("\"subscribe\"") && t.contains("e1"));
    assertThat(topicEvents).anyMatch(e -> e instanceof TopicEvent.Gap);
    assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void silentEndpoint_isLeftAfterTheConnectTimeout() {
    start(List.of(A, B));
    time.advance(Duration.ofSeconds(5));
    assertThat(lastEvent())
        .isInstanceOfSatisfying(
            ConnectionEvent.Reconnecting.class,
            r -> {
              assertThat(r.reason()).isEqualTo(DisconnectReason.CONNECT_ERROR);
              assertThat(r.detail()).contains("connect timeout");
              assertThat(r.endpoint()).isEqualTo(B);
            });
    time.advance(Duration.ofSeconds(1));
    assertThat(hosts()).containsExactly("9001", "9002");
  }

  @Test
  void connectError_withReconnect_triesTheNextEndpoint() {
    RealtimeOptions options =
        RealtimeOptions.builder(List.of(A, B))
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .reconnectAfterConnectError(true)
            .reconnectBackoff(
                Backoff.builder()
                    .initial(Duration.ofSeconds(1))
                    .max(Duration.ofSeconds(1))
                    .jitter(Backoff.Jitter.NONE)
                    .build())
            .errorHandler((context, e) -> {})
            .build();
    client = new RealRealtimeClient(options, transports);
    client.connect();
    transports.last().handshake("44{\"message\":\"draining\"}");
    time.advance(Duration.ofSeconds(1));
    assertThat(hosts()).containsExactly("9001", "9002");
  }

  @Test
  void options_endpoints_areValidatedAndKeptInOrder() {
    assertThatThrownBy(() -> RealtimeOptions.builder(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints must not be empty");
    assertThatThrownBy(() -> RealtimeOptions.builder(List.of(A, A)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lists " + A + " twice");
    assertThatThrownBy(() -> RealtimeOptions.builder(List.of(A, URI.create("ftp://x:1"))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints must be an absolute")
        .hasMessageContaining("ftp://x:1");
    RealtimeOptions o = RealtimeOptions.builder(List.of(B, A)).build();
    assertThat(o.endpoints()).containsExactly(B, A);
    assertThat(o.uri()).isEqualTo(B);
    assertThat(o.newBuilder().uri(C).build().endpoints()).containsExactly(C);
  }
}
