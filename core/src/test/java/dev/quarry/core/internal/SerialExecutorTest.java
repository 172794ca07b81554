package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
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
}
