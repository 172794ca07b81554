package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What events waiting for a stuck listener hold on the heap, against the real Node socket.io
 * server: about their size as received (for JSON in ASCII, a byte per character), so the byte bound
 * of {@link RealtimeOptions.Builder#maxQueuedEvents(int, long)} is close to the heap it lets the
 * event lane hold, not a fraction of it.
 */
class QueuedEventHeapTest {
  private static final int EVENTS = 3_000;

  private static final int TEXT_CHARS = 4_000;

  @Test
  void eventsWaitingForAStuckListener_holdAboutTheirSizeAsReceived_andAllArriveOnceItMovesOn()
      throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (SocketIoTestServer server = SocketIoTestServer.start();
        RealtimeClient client =
            RealtimeClient.create(
                RealtimeOptions.builder(URI.create(server.url()))
                    // room for every event of the flood: the lane holds them all, nothing waits
                    // before it, and the stall timeout never ends the wait
                    .maxQueuedEvents(100_000, 64L << 20)
                    .deliveryStallTimeout(Duration.ofMinutes(5))
                    .errorHandler((c, e) -> errors.add(e))
                    .build())) {
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
      Map<String, Object> base = Map.of("executionId", "heap", "text", "x".repeat(TEXT_CHARS));

      // warm-up: classes loaded and the path compiled before the heap is measured
      server.emitSequence(room, "blob", base, 20);
      await().atMost(Duration.ofSeconds(10)).until(() -> seqs.size() == 20);
      long before = usedHeapAfterGc();

      CountDownLatch release = new CountDownLatch(1);
      gate.set(release);
      server.emitSequence(room, "blob", base, EVENTS);
      // the listener holds the first event; the rest wait on the lane
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.stats().queuedEvents() >= EVENTS - 1);
      RealtimeStats stats = client.stats();
      long held = usedHeapAfterGc() - before;
      double perByte = (double) held / stats.queuedBytes();
      System.out.printf(
          "QueuedEventHeapTest | events waiting=%d | their size as received=%d KiB | heap held"
              + " after GC=%d KiB | heap per byte received=%.2f%n",
          stats.queuedEvents(), stats.queuedBytes() / 1024, held / 1024, perByte);

      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> seqs.size() == 20 + EVENTS);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        expected.add(i);
      }
      for (int i = 0; i < EVENTS; i++) {
        expected.add(i);
      }
      assertThat(seqs).as("every event once, in order").isEqualTo(expected);
      assertThat(stats.queuedBytes())
          .as("what the lane counts: each event's frame, about the text")
          .isGreaterThan((long) (EVENTS - 1) * TEXT_CHARS);
      // a copy of each event's characters as char[] would make this about 2 (two bytes a char)
      assertThat(perByte).as("heap held per byte of the waiting events").isLessThan(1.4);
      await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().queuedEvents() == 0);
      assertThat(errors).isEmpty();
    }
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
