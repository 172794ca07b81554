package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue between a reader thread and the inbound stage, on its own: real threads, no client. */
class InboundQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ExecutorService stage = Executors.newSingleThreadExecutor();
  private final Semaphore permits = new Semaphore(0);
  private final List<String> taken = new CopyOnWriteArrayList<>();

  /** A stage that takes a frame only when the test gives it a permit. */
  private final Inbound.Sink gated =
      new Inbound.Sink() {
        @Override
        public void text(String text) {
          permits.acquireUninterruptibly();
          taken.add(text);
        }

        @Override
        public void binary(byte[] bytes) {
          throw new AssertionError("no binary frame is offered");
        }

        @Override
        public void end(String reason, @Nullable Throwable cause) {}
      };

  @AfterEach
  void stop() {
    stage.shutdownNow();
  }

  @Test
  void aReaderHeldBackByAFullQueue_isWokenOnceItIsHalfEmpty_notForEveryFrameTaken()
      throws Exception {
    Inbound inbound =
        new Inbound(
            gated, stage, new Inbound.Limits(8, 1 << 20, false), System::nanoTime, () -> true);
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      frames.add("f" + i);
    }
    Thread reader = new Thread(() -> frames.forEach(inbound::offer), "test-reader");
    reader.start();
    // The stage holds f0 and the reader waits for room: with f1 to f8 queued, or with f1 to f7 if
    // the queue was full (f0 to f7) when it first waited and the stage took f0 after that.
    await()
        .atMost(WAIT)
        .until(
            () ->
                reader.getState() == Thread.State.WAITING
                    && inbound.queued() >= 7
                    && permits.hasQueuedThreads());

    // The stage takes the frames one at a time, each as soon as the previous one is done.
    for (int k = 1; k < frames.size(); k++) {
      permits.release();
      int done = k;
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(1))
          .until(() -> taken.size() == done && permits.hasQueuedThreads());
    }
    permits.release();
    reader.join(WAIT.toMillis());
    await().atMost(WAIT).until(() -> taken.size() == frames.size());

    assertThat(taken).isEqualTo(frames);
    // Woken at four queued frames, the reader adds four and waits again: about (40 - 9) / 4 waits.
    // Woken for every frame taken, it would wait about once per frame after the ninth (31).
    assertThat(inbound.readerWaits()).isBetween(1L, 12L);
  }
}
