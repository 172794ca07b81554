package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
  private final List<String> ran = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();

  @Test
  void enqueue_runsNothing_flushRunsEveryQueuedTaskInOrder_evenOnADirectDelegate() {
    SerialExecutor serial =
        new SerialExecutor(Runnable::run, (c, e) -> errors.add(e.getMessage()), "test");
    serial.enqueue(() -> ran.add("a"));
    serial.enqueue(() -> ran.add("b"));
    assertThat(ran).isEmpty();
    serial.flush();
    assertThat(ran).containsExactly("a", "b");
  }

  @Test
  void taskQueuedFromInsideADrain_runsAfterTheCurrentOne_inTheSameDrain() {
    SerialExecutor serial = new SerialExecutor(Runnable::run, (c, e) -> {}, "test");
    serial.execute(
        () -> {
          serial.execute(() -> ran.add("inner"));
          ran.add("outer");
        });
    assertThat(ran).containsExactly("outer", "inner");
  }

  @Test
  void rejectingDelegate_isReported_andTheQueuedTasksAreDropped() {
    SerialExecutor serial =
        new SerialExecutor(
            r -> {
              throw new RejectedExecutionException("shut down");
            },
            (c, e) -> errors.add(c + ": " + e.getMessage()),
            "listener x");
    serial.enqueue(() -> ran.add("a"));
    serial.flush();
    serial.flush();
    assertThat(ran).isEmpty();
    assertThat(errors)
        .containsExactly("listener x (callback executor rejected the task): shut down");
  }

  @Test
  void lingeringDrain_runsATaskQueuedJustAfterTheLast_withoutHandingTheDelegateAnotherDrain()
      throws Exception {
    assertThat(drainsHandedOver(Duration.ofMinutes(1), 2)).isEqualTo(1);
  }

  @Test
  void lingeringDrainThatRanALoneTask_givesTheThreadBackAtOnce() throws Exception {
    assertThat(drainsHandedOver(Duration.ofMinutes(1), 1)).isEqualTo(2);
  }

  @Test
  void drainWithoutLinger_givesTheThreadBack_soTheNextTaskIsAnotherDrain() throws Exception {
    assertThat(drainsHandedOver(Duration.ZERO, 2)).isEqualTo(2);
  }

  @Test
  void idleStep_runsWhenTheDrainRunsOutOfTasks_notBetweenTheTasksOfAStream() {
    SerialExecutor[] serial = new SerialExecutor[1];
    serial[0] =
        new SerialExecutor(
            Runnable::run,
            (c, e) -> errors.add(c + ": " + e.getMessage()),
            "lane",
            Duration.ZERO,
            () -> ran.add("idle"));
    serial[0].enqueue(() -> ran.add("a"));
    serial[0].enqueue(
        () -> {
          ran.add("b");
          serial[0].enqueue(() -> ran.add("c")); // queued by a task: the stream goes on
        });
    serial[0].flush();
    serial[0].execute(() -> ran.add("d"));
    assertThat(ran).containsExactly("a", "b", "c", "idle", "d", "idle");
    assertThat(errors).isEmpty();
  }

  @Test
  void idleStepThatThrows_isReported_andTheNextTaskStillRuns() {
    SerialExecutor serial =
        new SerialExecutor(
            Runnable::run,
            (c, e) -> errors.add(c + ": " + e.getMessage()),
            "lane",
            Duration.ZERO,
            () -> {
              throw new IllegalStateException("idle failed");
            });
    serial.execute(() -> ran.add("a"));
    serial.execute(() -> ran.add("b"));
    assertThat(ran).containsExactly("a", "b");
    assertThat(errors).containsExactly("lane: idle failed", "lane: idle failed");
  }

  @Test
  void negativeLinger_isRefused_namingIt() {
    assertThatThrownBy(
            () -> new SerialExecutor(Runnable::run, (c, e) -> {}, "t", Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linger");
  }

  /**
   * A first drain of {@code burst} tasks, then one more task executed once they have run: how many
   * drains the serial executor handed to its delegate (a thread of its own). Stopping the delegate
   * ends a lingering drain.
   */
  private static int drainsHandedOver(Duration linger, int burst) throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    AtomicInteger handedOver = new AtomicInteger();
    Executor counting =
        task -> {
          handedOver.incrementAndGet();
          thread.execute(task);
        };
    SerialExecutor serial = new SerialExecutor(counting, (c, e) -> {}, "test", linger);
    try {
      CountDownLatch first = new CountDownLatch(burst);
      CountDownLatch second = new CountDownLatch(1);
      for (int i = 0; i < burst; i++) {
        serial.enqueue(first::countDown);
      }
      serial.flush();
      assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
      if (linger.isZero() || burst < 2) {
        // Let the first drain return (a task on the raw thread runs after it), so that the next
        // execute cannot catch it before it gave the thread back.
        thread.submit(() -> {}).get(10, TimeUnit.SECONDS);
      }
      serial.execute(second::countDown);
      assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
      return handedOver.get();
    } finally {
      thread.shutdownNow();
      assertThat(thread.awaitTermination(10, TimeUnit.SECONDS))
          .as("a lingering drain ends when its thread is interrupted")
          .isTrue();
    }
  }
}
