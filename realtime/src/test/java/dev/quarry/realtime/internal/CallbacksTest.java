package dev.quarry.realtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.internal.SerialExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event lane's bounds: what a decoding thread sees of the events the listeners take. */
class CallbacksTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final ExecutorService lane = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    lane.shutdownNow();
  }

  private Callbacks callbacks(int maxEvents) {
    return callbacks(maxEvents, Callbacks.RELEASE_BATCH);
  }

  private Callbacks callbacks(int maxEvents, int releaseBatch) {
    return new Callbacks(
        new SerialExecutor(Runnable::run, (c, e) -> errors.add(e), "control"),
        lane,
        Duration.ZERO,
        new SerialExecutor(Runnable::run, (c, e) -> errors.add(e), "completions"),
        maxEvents,
        1L << 30,
        releaseBatch,
        (c, e) -> errors.add(e),
        "test");
  }

  /** Admits one event of {@code bytes} whose delivery runs {@code delivery}; as the stage does. */
  private static void admit(Callbacks cb, long bytes, Runnable delivery) {
    assertThat(cb.admit(bytes)).as("admitted").isTrue();
    cb.enqueueEvent(delivery);
    cb.releaseAfter(bytes);
    cb.flush();
  }

  @Test
  void deliveredEvents_leaveTheBoundsByTheTimeTheLaneIsIdle_andNeverLookFewerThanTheyAre()
      throws Exception {
    Callbacks cb = callbacks(1_000);
    List<Integer> seenQueued = new CopyOnWriteArrayList<>();
    CountDownLatch hold = new CountDownLatch(1);
    admit(cb, 10, () -> waitFor(hold));
    for (int i = 1; i < 100; i++) {
      admit(cb, 10, () -> seenQueued.add(cb.queuedEvents()));
    }
    hold.countDown();
    await().atMost(WAIT).until(() -> cb.taken() == 100);

    assertThat(cb.queuedEvents()).isZero();
    assertThat(cb.queuedBytes()).isZero();
    // Seen by the k-th delivery (k from 1), 100 - k events are still to be delivered: the count
    // may lag behind (released in batches) but is never below that.
    for (int k = 1; k < 100; k++) {
      assertThat(seenQueued.get(k - 1)).as("delivery %d", k).isGreaterThanOrEqualTo(100 - k);
    }
    assertThat(seenQueued).as("released in batches, not per event").anyMatch(q -> q > 100 - 1);
    assertThat(errors).isEmpty();
  }

  @Test
  void withReleasesOneAtATime_anEventFitsAsSoonAsAListenerHasTakenOne_beforeTheLaneIsIdle() {
    // What the client uses when the stall timeout is zero: a refused event drops the connection.
    Callbacks cb = callbacks(4, 1);
    CountDownLatch third = new CountDownLatch(1);
    CountDownLatch thirdRunning = new CountDownLatch(1);
    admit(cb, 1, () -> {});
    admit(cb, 1, () -> {});
    admit(
        cb,
        1,
        () -> {
          thirdRunning.countDown();
          waitFor(third);
        });
    admit(cb, 1, () -> {});
    waitFor(thirdRunning);

    // Two delivered, the third's listener busy, nobody waiting: two events fit.
    assertThat(cb.queuedEvents()).isEqualTo(2);
    admit(cb, 1, () -> {});
    admit(cb, 1, () -> {});
    assertThat(cb.hasRoom(1)).as("four waiting: full").isFalse();
    third.countDown();
    await().atMost(WAIT).until(() -> cb.queuedEvents() == 0);
    assertThat(errors).isEmpty();
  }

  @Test
  void aDecodingThreadWaitingForRoom_isWokenByTheDeliveriesThatMakeIt_notOnlyWhenTheLaneIsIdle()
      throws Exception {
    Callbacks cb = callbacks(4);
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch third = new CountDownLatch(1);
    admit(cb, 1, () -> waitFor(first));
    admit(cb, 1, () -> {});
    admit(cb, 1, () -> waitFor(third));
    admit(cb, 1, () -> {});
    assertThat(cb.hasRoom(1)).isFalse();

    CountDownLatch roomFound = new CountDownLatch(1);
    Thread decoder =
        new Thread(
            () -> {
              try {
                cb.awaitRoom(1, () -> false);
                roomFound.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "decoder");
    decoder.start();
    await().atMost(WAIT).until(() -> decoder.getState() == Thread.State.WAITING);

    // Two delivered, the third's listener busy: half the lane is free, and the decoder goes on.
    first.countDown();
    assertThat(roomFound.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("woken while the third event's listener still runs")
        .isTrue();
    assertThat(cb.queuedEvents()).isEqualTo(2);
    third.countDown();
    await().atMost(WAIT).until(() -> cb.queuedEvents() == 0);
    assertThat(errors).isEmpty();
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
