package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicStatus;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RealtimeClient.topics(): the snapshot of subscribed topics. */
class TopicListTest {
  private static final Topic A = Topic.of("exec", "executionId", "a");
  private static final Topic B = Topic.of("exec", "executionId", "b");
  private static final Topic C = Topic.of("exec", "executionId", "c");

  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private RealRealtimeClient client;

  private FakeTransports.FakeTransport connected() {
    client =
        new RealRealtimeClient(
            RealtimeOptions.builder(URI.create("http://127.0.0.1:9"))
                .time(time, time)
                .callbackExecutor(VirtualTime.direct())
                .errorHandler((context, e) -> {})
                .build(),
            transports);
    client.connect();
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
  void topics_eachTopicOnceInSubscriptionOrder_withStateAndHandleCount() {
    FakeTransports.FakeTransport t = connected();
    assertThat(client.topics()).isEmpty();
    TopicSubscription b1 = client.subscribe(B);
    client.subscribe(A);
    TopicSubscription b2 = client.subscribe(B);
    client.subscribe(C);
    t.receive("430[{\"ok\":true}]"); // B
    t.receive("432[{\"ok\":false,\"error\":\"no\"}]"); // C

    List<TopicStatus> snapshot = client.topics();
    assertThat(snapshot)
        .containsExactly(
            new TopicStatus(B, TopicStatus.State.CONFIRMED, 2),
            new TopicStatus(A, TopicStatus.State.PENDING, 1),
            new TopicStatus(C, TopicStatus.State.FAILED, 1));
    assertThat(snapshot.get(0).confirmed()).isTrue();
    assertThatThrownBy(() -> snapshot.clear()).isInstanceOf(UnsupportedOperationException.class);

    b1.close();
    assertThat(client.topics())
        .extracting(TopicStatus::topic, TopicStatus::subscribers)
        .first()
        .isEqualTo(org.assertj.core.groups.Tuple.tuple(B, 1));
    b2.close();
    client.subscribe(B);
    assertThat(client.topics()).extracting(TopicStatus::topic).containsExactly(A, C, B);
    assertThat(snapshot).hasSize(3).first().extracting(TopicStatus::subscribers).isEqualTo(2);
  }

  @Test
  void topics_beforeConnecting_arePending_andAfterCloseThereAreNone() {
    client =
        new RealRealtimeClient(
            RealtimeOptions.builder(URI.create("http://127.0.0.1:9"))
                .time(time, time)
                .callbackExecutor(VirtualTime.direct())
                .build(),
            transports);
    client.subscribe(A);
    assertThat(client.topics()).containsExactly(new TopicStatus(A, TopicStatus.State.PENDING, 1));
    client.close();
    assertThat(client.topics()).isEmpty();
  }

  @Test
  void topicStatus_withoutSubscribers_isRefused() {
    assertThatThrownBy(() -> new TopicStatus(A, TopicStatus.State.PENDING, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subscribers");
  }
}
