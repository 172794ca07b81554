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

  /** Live threads whose name starts with {@code prefix}. */
  private static long liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  @Test
  void runsTasksOnANamedDaemonThread_andCloseStopsIt() throws Exception {
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
    // Every thread of this scheduler's pool (quarry-scheduler-<pool>-<n>) is gone; threads of
    // other tests' schedulers are not counted.
    String name = ran.get().getName();
    String poolPrefix = name.substring(0, name.lastIndexOf('-') + 1);
    assertThat(liveThreads(poolPrefix)).isZero();
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
