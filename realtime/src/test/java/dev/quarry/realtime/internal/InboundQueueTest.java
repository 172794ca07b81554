package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
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

  @Test
  void aDrainTakesFramesInBatches_thatCountAgainstTheLimits_untilHandedOver() throws Exception {
    // The first drain is held until the queue is full, so that it takes a whole batch at once;
    // later ones run on the stage at once.
    List<Runnable> drains = new CopyOnWriteArrayList<>();
    Executor held =
        r -> {
          if (drains.isEmpty()) {
            drains.add(r);
          } else {
            stage.execute(r);
          }
        };
    Inbound inbound =
        new Inbound(
            gated, held, new Inbound.Limits(100, 1 << 20, false), System::nanoTime, () -> true);
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      frames.add("f" + i);
    }
    frames.subList(0, 100).forEach(inbound::offer);
    assertThat(inbound.queued()).isEqualTo(100);
    assertThat(drains).hasSize(1);
    stage.execute(drains.get(0));
    // The stage has taken a batch of 64 and holds its first frame; 36 are left in the queue.
    await().atMost(WAIT).until(permits::hasQueuedThreads);
    assertThat(inbound.queued())
        .as("the batch's 63 still to hand over, and the queue's 36")
        .isEqualTo(99);

    Thread reader = new Thread(() -> frames.subList(100, 300).forEach(inbound::offer), "reader");
    reader.start();
    // The batch counts against the limit of 100 until the drain comes back for more: 36 queued
    // and 64 taken make 100, so the reader waits at once. Counted only while queued, the frames
    // would leave room for 64 more.
    await().atMost(WAIT).until(() -> reader.getState() == Thread.State.WAITING);
    assertThat(inbound.queued()).isEqualTo(99);
    assertThat(taken).isEmpty();

    permits.release(300);
    reader.join(WAIT.toMillis());
    await().atMost(WAIT).until(() -> taken.size() == frames.size());
    assertThat(taken).isEqualTo(frames);
    assertThat(inbound.queued()).isZero();
  }
}
