package dev.quarry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RealSchedulerTest {

  private static long quarrySchedulerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("quarry-scheduler-"))
        .count();
  }

  @Test
  void runsTasksOnANamedDaemonThread_andCloseStopsIt() throws Exception {
    long before = quarrySchedulerThreads();
    RealScheduler scheduler = RealScheduler.create();
    AtomicReference<Thread> ran = new AtomicReference<>();
    CountDownLatch latch = new CountDownLatch(1);
    scheduler.schedule(
        Duration.ofMillis(1),
        () -> {
          ran.set(Thread.currentThread());
          latch.countDown();
        });
    assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.get().getName()).startsWith("quarry-scheduler-");
    assertThat(ran.get().isDaemon()).isTrue();

    scheduler.close();
    ran.get().join(5000);
    assertThat(ran.get().isAlive()).isFalse();
    assertThat(quarrySchedulerThreads()).isEqualTo(before);
    assertThat(scheduler.isClosed()).isTrue();
    scheduler.close();
  }

  @Test
  void cancelledTask_doesNotRun_andAThrowingTaskIsReported() throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    try (RealScheduler scheduler = RealScheduler.create((ctx, e) -> errors.add(e.getMessage()))) {
      List<String> ran = new CopyOnWriteArrayList<>();
      Cancellable c = scheduler.schedule(Duration.ofHours(1), () -> ran.add("late"));
      assertThat(c.cancel()).isTrue();
      assertThat(c.cancel()).isFalse();
      CountDownLatch latch = new CountDownLatch(1);
      scheduler.schedule(
          Duration.ZERO,
          () -> {
            throw new IllegalStateException("task broke");
          });
      scheduler.schedule(Duration.ofMillis(5), latch::countDown);
      assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(ran).isEmpty();
      assertThat(errors).containsExactly("task broke");
    }
  }

  @Test
  void scheduleAfterClose_isIgnored() {
    RealScheduler scheduler = RealScheduler.create();
    scheduler.close();
    assertThat(scheduler.schedule(Duration.ZERO, () -> {}).cancel()).isFalse();
  }
}
