package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import dev.quarry.realtime.Ack;
import dev.quarry.realtime.AckTimeoutException;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the server sees when a listener answers (or does not answer) an event: the wire frames. */
class AckAndArgsTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<Throwable> errors = new ArrayList<>();
  private RealRealtimeClient client;

  private FakeTransports.FakeTransport connected(RealtimeOptions.Builder b) {
    client = new RealRealtimeClient(b.build(), transports);
    client.connect();
    FakeTransports.FakeTransport t = transports.last();
    t.handshake("40{\"sid\":\"s1\"}");
    return t;
  }

  private RealtimeOptions.Builder options() {
    return FakeTransports.testOptions(SERVER, time, errors);
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void argsListener_getsEveryArgument_andAnAckThatWasRequested_sentOnceOnly() {
    FakeTransports.FakeTransport t = connected(options());
    List<List<JsonNode>> got = new ArrayList<>();
    List<Ack> acks = new ArrayList<>();
    client.onArgs(
        "question",
        (args, ack) -> {
          got.add(args);
          acks.add(ack);
          ack.send("first");
          ack.send("second");
        });

    t.receive("427[\"question\",{\"n\":1},\"two\",3]");

    assertThat(got).singleElement().asList().hasSize(3);
    assertThat(got.get(0).get(1).asText()).isEqualTo("two");
    assertThat(acks).singleElement().satisfies(a -> assertThat(a.requested()).isTrue());
    assertThat(t.texts()).containsExactly("40", "437[\"first\"]");
  }

  @Test
  void argsListener_eventWithoutAckId_ackNotRequested_andSendWritesNothing() {
    FakeTransports.FakeTransport t = connected(options());
    List<Boolean> requested = new ArrayList<>();
    client.onArgs(
        "news",
        (args, ack) -> {
          requested.add(ack.requested());
          ack.send("ignored");
        });
    client.onAck(
        "news",
        JsonNode.class,
        (payload, ack) -> {
          requested.add(ack.requested());
          ack.send("ignored too");
        });

    t.receive("42[\"news\",{}]");

    assertThat(requested).containsExactly(false, false);
    assertThat(t.texts()).containsExactly("40");
  }

  @Test
  void argsListener_binaryAttachment_arrivesAsBinaryNode_inItsPlace() {
    FakeTransports.FakeTransport t = connected(options());
    List<List<JsonNode>> got = new ArrayList<>();
    client.onArgs("file", (args, ack) -> got.add(args));

    t.receive("451-[\"file\",\"a.bin\",{\"_placeholder\":true,\"num\":0}]");
    t.receive(new byte[] {1, 2, 3});

    assertThat(got).singleElement().asList().hasSize(2);
    assertThat(got.get(0).get(1)).isInstanceOf(BinaryNode.class);
    assertThat(((BinaryNode) got.get(0).get(1)).binaryValue()).containsExactly(1, 2, 3);
  }

  @Test
  void typedEmitWithAck_withoutTimeout_usesTheConfiguredAckTimeout() {
    // The fake server's ping interval and timeout end the connection after 2 s: stay below.
    FakeTransports.FakeTransport t = connected(options().ackTimeout(Duration.ofMillis(1500)));
    CompletableFuture<Integer> answer = client.emitWithAck("sum", Integer.class, 1, 2);
    assertThat(t.texts()).containsExactly("40", "420[\"sum\",1,2]");

    time.advance(Duration.ofMillis(1499));
    assertThat(answer).isNotDone();
    time.advance(Duration.ofMillis(1));

    assertThat(answer)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(AckTimeoutException.class)
        .havingCause()
        .isInstanceOf(TimeoutException.class)
        .withMessageContaining("'sum'");
  }

  @Test
  void typedEmitWithAck_typeReference_decodesTheFirstArgument() {
    FakeTransports.FakeTransport t = connected(options());
    CompletableFuture<Map<String, List<Integer>>> answer =
        client.emitWithAck("lists", new com.fasterxml.jackson.core.type.TypeReference<>() {});
    t.receive("430[{\"a\":[1,2]}]");
    assertThat(answer).isCompletedWithValue(Map.of("a", List.of(1, 2)));
  }
}
