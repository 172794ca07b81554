package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What events waiting for a stuck listener hold on the heap, against the real Node socket.io
 * server: about their size as received (for JSON in ASCII, a byte per character), so the byte bound
 * of {@link RealtimeOptions.Builder#maxQueuedEvents(int, long)} is close to the heap it lets the
 * event lane hold, not a fraction of it; and a full lane of small events at the default bound holds
 * less than a kilobyte an event, as that method's Javadoc says. Each test prints what it measured.
 */
class QueuedEventHeapTest {
  private static final int WARM_UP = 20;

  /** What the lane held while the listener was stuck, and what arrived after. */
  private record Held(int events, long bytesAsReceived, long heap, List<Integer> seqs) {}

  /**
   * Connects with {@code options}, sends {@code count} {@code blob} events of {@code text} while
   * the listener is stuck on the first, measures the heap the waiting ones hold (after GC, against
   * the heap after a warm-up), then lets the listener go and waits for every event.
   */
  private static Held stuckWhile(
      int count, String text, UnaryOperator<RealtimeOptions.Builder> options) throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (SocketIoTestServer server = SocketIoTestServer.start()) {
      RealtimeClient client =
          RealtimeClient.create(
              options
                  .apply(RealtimeOptions.builder(URI.create(server.url())))
                  // nothing waits longer than the test: the wait never ends in a drop
                  .deliveryStallTimeout(Duration.ofMinutes(5))
                  .errorHandler((c, e) -> errors.add(e))
                  .build());
      try {
        Map<String, String> params = Map.of("executionId", "heap");
        String room = SocketIoTestServer.roomOf(params);
        TopicSubscription sub = client.subscribe(Topic.of("execution", params));
        List<Integer> seqs = new CopyOnWriteArrayList<>();
        AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
        client.on(
            "blob",
            JsonNode.class,
            e -> {
              try {
                if (!gate.get().await(60, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("the test never released the listener");
                }
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
              }
              seqs.add(e.get("seq").asInt());
            });
        client.connect();
        sub.confirmed().get(10, TimeUnit.SECONDS);
        Map<String, Object> base = Map.of("executionId", "heap", "text", text);

        // warm-up: classes loaded and the path compiled before the heap is measured
        server.emitSequence(room, "blob", base, WARM_UP);
        await().atMost(Duration.ofSeconds(10)).until(() -> seqs.size() == WARM_UP);
        long before = DisconnectTest.usedHeapAfterGc();

        CountDownLatch release = new CountDownLatch(1);
        gate.set(release);
        server.emitSequence(room, "blob", base, count);
        // the listener holds the first event; the rest wait on the lane
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> client.stats().queuedEvents() >= count - 1);
        RealtimeStats stats = client.stats();
        long held = DisconnectTest.usedHeapAfterGc() - before;

        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> seqs.size() == WARM_UP + count);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().queuedEvents() == 0);
        assertThat(errors).isEmpty();
        return new Held(
            stats.queuedEvents(),
            stats.queuedBytes(),
            held,
            List.copyOf(seqs.subList(WARM_UP, seqs.size())));
      } finally {
        client.close();
      }
    }
  }

  private static List<Integer> zeroTo(int count) {
    return IntStream.range(0, count).boxed().toList();
  }

  @Test
  void largeEventsWaitingForAStuckListener_holdAboutTheirSizeAsReceived_andAllArriveOnce()
      throws Exception {
    int events = 3_000;
    int textChars = 4_000;
    Held h =
        stuckWhile(
            events,
            "x".repeat(textChars),
            // room for every event of the flood: the lane holds them all, nothing waits before it
            b -> b.maxQueuedEvents(100_000, 64L << 20));
    double perByte = (double) h.heap() / h.bytesAsReceived();
    System.out.printf(
        "QueuedEventHeapTest | 4 KB events waiting=%d | their size as received=%d KiB | heap held"
            + " after GC=%d KiB | heap per byte received=%.2f%n",
        h.events(), h.bytesAsReceived() / 1024, h.heap() / 1024, perByte);

    assertThat(h.seqs()).as("every event once, in order").isEqualTo(zeroTo(events));
    assertThat(h.bytesAsReceived())
        .as("what the lane counts: each event's frame, about the text")
        .isGreaterThan((long) (events - 1) * textChars);
    // a copy of each event's characters as char[] would make this about 2 (two bytes a char)
    assertThat(perByte).as("heap held per byte of the waiting events").isLessThan(1.4);
  }

  @Test
  void aFullLaneOfSmallEvents_atTheDefaultBound_holdsLessThanAKilobyteAnEvent() throws Exception {
    int events = RealtimeOptions.DEFAULT_MAX_QUEUED_EVENTS;
    Held h = stuckWhile(events, "x".repeat(30), b -> b);
    double perEvent = (double) h.heap() / h.events();
    System.out.printf(
        "QueuedEventHeapTest | small events waiting=%d (the default bound) | %.0f bytes as"
            + " received each | heap held after GC=%d KiB | heap per event=%.0f bytes%n",
        h.events(), (double) h.bytesAsReceived() / h.events(), h.heap() / 1024, perEvent);

    assertThat(h.seqs()).as("every event once, in order").isEqualTo(zeroTo(events));
    assertThat(h.events()).isGreaterThanOrEqualTo(events - 1);
    // RealtimeOptions.Builder#maxQueuedEvents documents "under 1 KB of heap per small event"
    assertThat(perEvent).as("heap held per waiting small event").isLessThan(1024);
  }
}
