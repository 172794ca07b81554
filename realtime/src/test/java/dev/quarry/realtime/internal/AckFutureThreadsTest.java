package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.DisconnectedException;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread an ack future's waiters and dependents see, with the client's own callback threads:
 * a thread blocked in {@code get} is woken by the thread that decoded the ack; functions chained
 * onto the future, with the non-async methods too, run on the control lane, in order with the
 * connection events before them, never on the thread that decoded the ack.
 */
class AckFutureThreadsTest {
  private static final URI SERVER = URI.create("http://127.0.0.1:9");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final VirtualTime time = new VirtualTime();
  private final FakeTransports transports = new FakeTransports();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private RealRealtimeClient client;

  private FakeTransports.FakeTransport connected() {
    client =
        new RealRealtimeClient(
            RealtimeOptions.builder(SERVER)
                .time(time, time)
                .random(new SplittableRandom(0))
                .build(),
            transports);
    client.onConnectionEvent(
        e -> {
          if (e instanceof ConnectionEvent.Connected) {
            seen.add("connected on " + Thread.currentThread().getName());
          }
        });
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

  private static String thread() {
    return Thread.currentThread().getName();
  }

  @Test
  void dependents_runOnTheControlLane_behindTheConnectionEvents_neverOnTheDecodingThread()
      throws Exception {
    FakeTransports.FakeTransport t = connected();
    CompletableFuture<ArrayNode> ack = client.emitWithAck("echo", Duration.ofSeconds(5), "hi");
    CompletableFuture<String> applied = ack.thenApply(a -> thread());
    ack.thenAccept(a -> seen.add("thenAccept on " + thread()));
    ack.whenComplete((a, e) -> seen.add("whenComplete on " + thread()));

    // this test's thread plays the socket's reader: it decodes the ack itself (a quiet
    // connection) and completes the future once it has released the client's lock
    t.receive("430[\"hi back\"]");

    assertThat(ack).isDone();
    assertThat(ack.get().get(0).asText()).isEqualTo("hi back");
    assertThat(applied.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .startsWith("quarry-realtime-control");
    await().atMost(WAIT).until(() -> seen.size() == 3);
    assertThat(seen.get(0)).startsWith("connected on quarry-realtime-control");
    // (CompletableFuture triggers dependents last-registered first: no order between these two)
    assertThat(seen.subList(1, 3))
        .containsExactlyInAnyOrder(
            "thenAccept on " + seen.get(0).substring("connected on ".length()),
            "whenComplete on " + seen.get(0).substring("connected on ".length()));

    // chained after completion, a non-async dependent still runs on the lane, not here
    assertThat(ack.thenApply(a -> thread()).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .startsWith("quarry-realtime-control");
  }

  @Test
  void aTypedAck_isDecodedBeforeTheWaiterWakes_andADecodingFailureFailsTheFuture()
      throws Exception {
    FakeTransports.FakeTransport t = connected();
    CompletableFuture<Map<String, Integer>> typed =
        client.emitWithAck(
            "count",
            new com.fasterxml.jackson.core.type.TypeReference<Map<String, Integer>>() {},
            Duration.ofSeconds(5));
    CompletableFuture<Integer> bad = client.emitWithAck("n", Integer.class, Duration.ofSeconds(5));

    t.receive("430[{\"n\":3}]");
    t.receive("431[\"three\"]");

    assertThat(typed).isDone();
    assertThat(typed.get()).containsEntry("n", 3);
    assertThat(bad).isCompletedExceptionally();
    assertThatThrownBy(bad::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(bad.exceptionally(e -> -1).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);
  }

  @Test
  void aLostConnection_failsThePendingAck_andItsDependentsStillRunOnTheLane() throws Exception {
    FakeTransports.FakeTransport t = connected();
    CompletableFuture<ArrayNode> ack = client.emitWithAck("echo", Duration.ofSeconds(5), "hi");
    CompletableFuture<String> handled = ack.handle((a, e) -> thread() + " " + e);

    t.end("gone");

    assertThat(handled.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .startsWith("quarry-realtime-control")
        .contains(DisconnectedException.class.getSimpleName());
    assertThatThrownBy(ack::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DisconnectedException.class);
  }
}
