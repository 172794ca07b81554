package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import dev.quarry.testing.VirtualTime;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A typed listener ({@code on(event, Type.class, ...)}, {@code onAck}) binds the event's first
 * argument as {@code ObjectMapper.readValue} of that argument's JSON would: from the frame's text
 * for a plain event, from the decoded tree for a binary one; and a topic nobody listens to costs
 * the event lane nothing.
 */
class TypedDecodingTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<Throwable> errors = new ArrayList<>();
  private final List<ConnectionEvent> events = new ArrayList<>();
  private RealRealtimeClient client;

  /** A payload with an exact decimal, a string with JSON's own characters in it, and bytes. */
  record Amount(BigDecimal value, String note, byte[] blob) {}

  private RealtimeOptions.Builder options() {
    return FakeTransports.testOptions(SERVER, time, errors);
  }

  private FakeTransports.FakeTransport connected(RealtimeOptions.Builder b, String connectReply) {
    client = new RealRealtimeClient(b.build(), transports);
    client.onConnectionEvent(events::add);
    client.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake(connectReply);
    return t;
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void typedListener_bindsTheFirstArgument_exactlyAsReadValueOfItsJson() throws Exception {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\"}");
    List<Amount> got = new ArrayList<>();
    client.on("paid", Amount.class, got::add);
    String argument =
        "{\"value\":0.1000000000000000055511151231257827,\"note\":\"a \\\"],[\\\" b\",\"blob\":null}";

    t.receive("42[ \"paid\" , " + argument + " , \"second\", 3 ]");

    Amount direct = new ObjectMapper().readValue(argument, Amount.class);
    assertThat(errors).isEmpty();
    assertThat(got)
        .singleElement()
        .satisfies(
            a -> {
              // 34 significant digits: a double (what a JSON tree holds by default) keeps 17 at
              // most
              assertThat(a.value()).isEqualByComparingTo(direct.value());
              assertThat(a.value().toPlainString())
                  .isEqualTo("0.1000000000000000055511151231257827");
              assertThat(a.note()).isEqualTo("a \"],[\" b");
            });
  }

  @Test
  void twoTypedListenersOfOneEvent_eachGetTheirOwnValue_andAJsonNullArgumentIsNull() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\"}");
    List<Amount> first = new ArrayList<>();
    List<Amount> second = new ArrayList<>();
    List<Object> nulls = new ArrayList<>();
    client.on("paid", Amount.class, first::add);
    client.on("paid", Amount.class, second::add);
    client.on("nothing", Amount.class, a -> nulls.add(a == null ? "null" : a));

    t.receive("42[\"paid\",{\"value\":1.25,\"note\":\"n\",\"blob\":null}]");
    t.receive("42[\"nothing\",null]");

    assertThat(errors).isEmpty();
    assertThat(first)
        .singleElement()
        .satisfies(a -> assertThat(a.value()).isEqualByComparingTo("1.25"));
    assertThat(second)
        .singleElement()
        .satisfies(a -> assertThat(a.value()).isEqualByComparingTo("1.25"));
    assertThat(first.get(0)).isNotSameAs(second.get(0));
    assertThat(nulls).containsExactly("null");
  }

  @Test
  void typedAckingListener_withAnAckId_bindsTheArgument_andAnswersTheAck() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\"}");
    List<Integer> got = new ArrayList<>();
    client.onAck(
        "count",
        Integer.class,
        (n, ack) -> {
          got.add(n);
          ack.send(n + 1);
        });

    t.receive("4217[\"count\",41]");

    assertThat(got).containsExactly(41);
    assertThat(t.texts()).containsExactly("40", "4317[42]");
  }

  @Test
  void binaryEvent_isBoundFromItsTree_withTheAttachmentInPlace() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\"}");
    List<Amount> got = new ArrayList<>();
    client.on("paid", Amount.class, got::add);

    t.receive(
        "451-[\"paid\",{\"value\":2.5,\"note\":\"n\",\"blob\":{\"_placeholder\":true,\"num\":0}}]");
    t.receive(new byte[] {7, 8});

    assertThat(errors).isEmpty();
    assertThat(got)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.value()).isEqualByComparingTo("2.5");
              assertThat(a.blob()).containsExactly(7, 8);
            });
  }

  @Test
  void recoveryOffset_isNotTheArgument_andAnEventWithOnlyAnOffset_bindsNull() {
    // A pid in the CONNECT reply: the server appends each event's offset as its last argument.
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    List<Object> got = new ArrayList<>();
    client.on("tick", Integer.class, n -> got.add(n == null ? "null" : n));

    t.receive("42[\"tick\",5,\"off-1\"]");
    t.receive("42[\"tick\",\"off-2\"]");

    assertThat(errors).isEmpty();
    assertThat(got).containsExactly(5, "null");
  }

  @Test
  void jsonNodeListener_getsTheSameNodeAsAnArgsListener() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\"}");
    List<JsonNode> typed = new ArrayList<>();
    List<JsonNode> raw = new ArrayList<>();
    client.on("doc", JsonNode.class, typed::add);
    client.onArgs("doc", args -> raw.add(args.get(0)));

    t.receive("42[\"doc\",{\"a\":[1,2]}]");

    assertThat(typed).singleElement().isSameAs(raw.get(0));
  }

  @Test
  void mapperThatFailsOnTrailingTokens_stillBindsTheFirstOfSeveralArguments() {
    ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    FakeTransports.FakeTransport t =
        connected(options().objectMapper(strict), "40{\"sid\":\"s1\"}");
    List<Map<String, Object>> got = new ArrayList<>();
    client.on("m", Map.class, m -> got.add(castMap(m)));

    t.receive("42[\"m\",{\"k\":1},{\"other\":2}]");

    assertThat(errors).isEmpty();
    assertThat(got).containsExactly(Map.of("k", 1));
  }

  @Test
  void payloadThatDoesNotBind_isReported_namingEventAndType_andTheClientStaysConnected() {
    FakeTransports.FakeTransport t = connected(options(), "40{\"sid\":\"s1\"}");
    List<Integer> got = new ArrayList<>();
    client.on("count", Integer.class, got::add);

    t.receive("42[\"count\",{\"not\":\"a number\"}]");
    t.receive("42[\"count\",3]");

    assertThat(errors)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .hasMessageContaining("event 'count'")
                    .hasMessageContaining("java.lang.Integer"));
    assertThat(got).containsExactly(3);
    assertThat(t.cancelled).isFalse();
  }

  @Test
  void topicWithoutListeners_takesNoRoomInTheEventLane_andItsFirstListenerGetsLaterEvents() {
    List<Runnable> pending = new ArrayList<>();
    FakeTransports.FakeTransport t =
        connected(
            options()
                .callbackExecutor(pending::add)
                .maxQueuedEvents(2, 1 << 20)
                .deliveryStallTimeout(Duration.ZERO),
            "40{\"sid\":\"s1\"}");
    TopicSubscription sub = client.subscribe(Topic.of("room", Map.of("id", "r1")));
    t.receive("430[{\"ok\":true}]");
    runAll(pending);

    // Nobody listens: five events, none queued, so the lane of two never overflows.
    for (int i = 1; i <= 5; i++) {
      t.receive("42[\"said\",{\"id\":\"r1\",\"n\":" + i + "}]");
    }
    assertThat(t.cancelled).isFalse();
    assertThat(client.callbacks.queuedEvents()).isZero();

    List<Integer> heard = new ArrayList<>();
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Message m) {
            heard.add(m.args().get(0).get("n").asInt());
          }
        });
    t.receive("42[\"said\",{\"id\":\"r1\",\"n\":6}]");
    runAll(pending);

    assertThat(heard).containsExactly(6);
    assertThat(errors).isEmpty();
  }

  private static void runAll(List<Runnable> pending) {
    while (!pending.isEmpty()) {
      pending.remove(0).run();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
