package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Registration;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which topics an incoming event is routed to: those with a listener on one of their handles, in
 * the order they were subscribed, as they are when the event arrives. The client keeps that set
 * between events and works it out again after a change; these tests change it between events every
 * way there is and read the set off the routing rule, which is asked once per routed topic.
 */
class TopicRoutingTest {
  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<String> asked = new ArrayList<>();
  private RealRealtimeClient client;
  private FakeTransports.FakeTransport transport;

  private void connect() {
    RealtimeOptions options =
        RealtimeOptions.builder(URI.create("http://127.0.0.1:9"))
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .routingRule(
                (topic, event, args) -> {
                  asked.add(topic.params().get("id").asText());
                  return true;
                })
            .build();
    client = new RealRealtimeClient(options, transports);
    client.connect();
    transport = transports.last();
    transport.handshake("40{\"sid\":\"s1\"}");
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  private static Topic topic(String id) {
    return Topic.of("t", "id", id);
  }

  /** The topics the next event is routed to, by id. */
  private List<String> routedNow() {
    asked.clear();
    transport.receive("42[\"e\",{\"n\":1}]");
    return List.copyOf(asked);
  }

  @Test
  void anEventGoesToTheTopicsListenedToWhenItArrives_afterEveryKindOfChange() {
    connect();
    TopicSubscription a = client.subscribe(topic("a"));
    TopicSubscription b = client.subscribe(topic("b"));
    TopicSubscription c = client.subscribe(topic("c"));
    assertThat(routedNow()).as("subscribed, nobody listening").isEmpty();

    List<String> seen = new ArrayList<>();
    Consumer<TopicEvent> record = e -> seen.add(e.topic().params().get("id").asText());
    a.listen(record);
    assertThat(routedNow()).as("a listener on a").containsExactly("a");

    Registration onC = c.listen(record);
    assertThat(routedNow()).as("and on c, in subscription order").containsExactly("a", "c");
    assertThat(routedNow()).as("unchanged between events").containsExactly("a", "c");

    onC.close();
    onC.close();
    assertThat(routedNow()).as("c's listener removed").containsExactly("a");

    TopicSubscription b2 = client.subscribe(topic("b"));
    b2.listen(record);
    assertThat(routedNow()).as("a second handle on b, listened").containsExactly("a", "b");

    a.close();
    assertThat(routedNow()).as("a's handle closed").containsExactly("b");

    TopicSubscription d = client.subscribe(topic("d"));
    d.listen(record);
    assertThat(routedNow()).as("a new topic, listened").containsExactly("b", "d");

    b2.close();
    b.close();
    c.close();
    d.close();
    assertThat(routedNow()).as("every handle closed").isEmpty();
    // and the listeners got what was routed, no more
    assertThat(seen).containsExactly("a", "a", "c", "a", "c", "a", "a", "b", "b", "b", "d");
  }

  @Test
  void aTopicDroppedAndSubscribedAgain_isRoutedInItsNewPlace() {
    connect();
    TopicSubscription a = client.subscribe(topic("a"));
    a.listen(e -> {});
    TopicSubscription b = client.subscribe(topic("b"));
    b.listen(e -> {});
    assertThat(routedNow()).containsExactly("a", "b");

    a.close();
    TopicSubscription again = client.subscribe(topic("a"));
    again.listen(e -> {});

    assertThat(routedNow()).containsExactly("b", "a");
  }
}
