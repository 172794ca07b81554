package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.DisconnectedException;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicRefusedException;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When TopicSubscription.confirmed() completes, and when a subscribe is sent again. */
class TopicConfirmationTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private static final Topic TOPIC = Topic.of("exec", "executionId", "e1");
  private static final String PAYLOAD = "[\"subscribe\",{\"executionId\":\"e1\"}]";

  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<Throwable> errors = new ArrayList<>();
  private RealRealtimeClient client;

  /** Ack timeout 2 s; reconnect backoff 1 s, then 2 s, 4 s... */
  private RealtimeOptions.Builder options() {
    return RealtimeOptions.builder(SERVER)
        .time(time, time)
        .callbackExecutor(VirtualTime.direct())
        .random(new SplittableRandom(0))
        .ackTimeout(Duration.ofSeconds(2))
        .reconnectBackoff(
            Backoff.builder()
                .initial(Duration.ofSeconds(1))
                .multiplier(2)
                .max(Duration.ofSeconds(60))
                .jitter(Backoff.Jitter.NONE)
                .build())
        .errorHandler((context, e) -> errors.add(e));
  }

  private FakeTransports.FakeTransport connected(RealtimeOptions.Builder b, String connectReply) {
    client = new RealRealtimeClient(b.build(), transports);
    client.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake(connectReply);
    return t;
  }

  private FakeTransports.FakeTransport connected() {
    return connected(options(), "40{\"sid\":\"s1\"}");
  }

  /** Advances in steps of 500 ms, the server pinging on {@code t} at each, so the link stays up. */
  private void advanceWithPings(FakeTransports.FakeTransport t, Duration d) {
    for (long ms = 0; ms < d.toMillis(); ms += 500) {
      time.advance(Duration.ofMillis(500));
      t.receive("2");
    }
  }

  private List<String> subscribes(FakeTransports.FakeTransport t) {
    return t.texts().stream().filter(s -> s.endsWith(PAYLOAD)).toList();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void ackTimeout_resendsAfterTheBackoff_andConfirmsOnTheFirstAck() {
    FakeTransports.FakeTransport t = connected();
    TopicSubscription sub = client.subscribe(TOPIC);
    assertThat(subscribes(t)).containsExactly("420" + PAYLOAD);

    advanceWithPings(t, Duration.ofSeconds(2));
    assertThat(sub.confirmed()).isNotDone();
    advanceWithPings(t, Duration.ofMillis(500));
    assertThat(subscribes(t)).hasSize(1);
    advanceWithPings(t, Duration.ofMillis(500));
    assertThat(subscribes(t)).containsExactly("420" + PAYLOAD, "421" + PAYLOAD);

    t.receive("430[{\"ok\":true,\"room\":\"late\"}]");
    assertThat(sub.confirmed()).isNotDone();
    t.receive("431[{\"ok\":true,\"room\":\"r\"}]");
    assertThat(sub.confirmed())
        .isCompletedWithValueMatching(v -> v.get("room").asText().equals("r"));
    advanceWithPings(t, Duration.ofSeconds(10));
    assertThat(subscribes(t)).hasSize(2);
    assertThat(errors).isEmpty();
  }

  @Test
  void repeatedAckTimeouts_backOffLikeReconnects() {
    FakeTransports.FakeTransport t = connected();
    client.subscribe(TOPIC);
    advanceWithPings(t, Duration.ofSeconds(3)); // timeout at 2 s, re-send at 3 s
    assertThat(subscribes(t)).hasSize(2);
    advanceWithPings(t, Duration.ofSeconds(3)); // timeout at 5 s, re-send due at 7 s
    assertThat(subscribes(t)).hasSize(2);
    advanceWithPings(t, Duration.ofSeconds(1));
    assertThat(subscribes(t)).hasSize(3);
  }

  @Test
  void serverRefuses_failsWithTheServersError_andIsNotSentAgainAfterReconnect() {
    FakeTransports.FakeTransport t = connected();
    TopicSubscription sub = client.subscribe(TOPIC);
    t.receive("430[{\"ok\":false,\"error\":\"not allowed\"}]");
    assertThatThrownBy(() -> sub.confirmed().join())
        .cause()
        .isInstanceOfSatisfying(
            TopicRefusedException.class,
            e -> {
              assertThat(e.serverError()).isEqualTo("not allowed");
              assertThat(e.topic()).isEqualTo(TOPIC);
              assertThat(e).hasMessageContaining("not allowed").hasMessageContaining("exec");
            });

    t.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.handshake("40{\"sid\":\"s2\"}");
    assertThat(t2.texts()).containsExactly("40");
  }

  @Test
  void ackTimeoutThenConnectionLost_theReconnectSendsOnce_andThePendingRetryDoesNot() {
    FakeTransports.FakeTransport t = connected();
    TopicSubscription sub = client.subscribe(TOPIC);
    advanceWithPings(t, Duration.ofSeconds(5)); // timeouts at 2 s and 5 s; next re-send due at 7 s
    assertThat(subscribes(t)).hasSize(2);
    t.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.handshake("40{\"sid\":\"s2\"}");
    assertThat(subscribes(t2)).containsExactly("422" + PAYLOAD);
    advanceWithPings(t2, Duration.ofMillis(1500));
    assertThat(subscribes(t2)).hasSize(1);
    t2.receive("432[{\"ok\":true}]");
    assertThat(sub.confirmed()).isCompleted();
  }

  @Test
  void recoveredReconnect_sendsAgainASubscribeThatWasNeverAcked() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    TopicSubscription sub = client.subscribe(TOPIC);
    t.receive("42[\"other\",\"off-1\"]");
    t.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.handshake("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    assertThat(subscribes(t2)).containsExactly("421" + PAYLOAD);
    t2.receive("431[{\"ok\":true}]");
    assertThat(sub.confirmed()).isCompleted();
  }

  @Test
  void recoveredReconnect_doesNotSendAnAckedSubscribeAgain() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    client.subscribe(TOPIC);
    t.receive("430[{\"ok\":true}]");
    t.receive("42[\"other\",\"off-1\"]");
    t.end("transport close");
    time.advance(Duration.ofSeconds(1));
    FakeTransports.FakeTransport t2 = transports.last();
    t2.handshake("40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    assertThat(subscribes(t2)).isEmpty();
  }

  @Test
  void close_failsAnUnconfirmedTopic_evenOneNeverSent() {
    client = new RealRealtimeClient(options().build(), transports);
    client.connect();
    TopicSubscription sub = client.subscribe(TOPIC);
    client.close();
    assertThatThrownBy(() -> sub.confirmed().join())
        .cause()
        .isInstanceOfSatisfying(
            DisconnectedException.class, e -> assertThat(e.reason()).isEqualTo("client closed"));
  }

  @Test
  void close_duringTheWaitBeforeAResend_failsAndSendsNothingMore() {
    FakeTransports.FakeTransport t = connected();
    TopicSubscription sub = client.subscribe(TOPIC);
    advanceWithPings(t, Duration.ofSeconds(2));
    client.close();
    assertThat(sub.confirmed()).isCompletedExceptionally();
    time.advance(Duration.ofMinutes(1));
    assertThat(subscribes(t)).hasSize(1);
  }

  @Test
  void lastHandleClosedBeforeTheAck_cancelsConfirmed_andStopsResending() {
    FakeTransports.FakeTransport t = connected();
    TopicSubscription sub = client.subscribe(TOPIC);
    advanceWithPings(t, Duration.ofSeconds(2));
    sub.close();
    assertThatThrownBy(() -> sub.confirmed().join()).isInstanceOf(CancellationException.class);
    advanceWithPings(t, Duration.ofSeconds(5));
    assertThat(subscribes(t)).hasSize(1);
    assertThat(t.texts()).contains("42[\"unsubscribe\",{\"executionId\":\"e1\"}]");
  }

  @Test
  void acksOff_confirmsAtOnceWithJsonNull() {
    FakeTransports.FakeTransport t =
        connected(options().subscribeAcks(false), "40{\"sid\":\"s1\"}");
    TopicSubscription sub = client.subscribe(TOPIC);
    assertThat(subscribes(t)).containsExactly("42" + PAYLOAD);
    assertThat(sub.confirmed()).isCompletedWithValueMatching(JsonNode::isNull);
  }
}
