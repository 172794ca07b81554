package dev.quarry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {
  private final VirtualTime time = new VirtualTime();
  private final List<String> ran = new ArrayList<>();

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }

  @Test
  void advance_runsDueTasksInTimeOrder_includingTasksScheduledByTasks_andNotLaterOnes() {
    time.schedule(ms(30), () -> ran.add("30"));
    time.schedule(
        ms(10),
        () -> {
          ran.add("10");
          time.schedule(ms(5), () -> ran.add("15 at " + time.elapsed().toMillis()));
        });
    time.schedule(ms(20), () -> ran.add("20"));

    int count = time.advance(ms(25));

    assertThat(ran).containsExactly("10", "15 at 15", "20");
    assertThat(count).isEqualTo(3);
    assertThat(time.elapsed()).isEqualTo(ms(25));
    assertThat(time.pendingTasks()).isEqualTo(1);
    time.advance(ms(5));
    assertThat(ran).last().isEqualTo("30");
  }

  @Test
  void clockReadsTheTaskDueTime_whileTheTaskRuns() {
    time.schedule(ms(7), () -> ran.add(String.valueOf(time.nanoTime())));
    time.advance(ms(100));
    assertThat(ran).containsExactly(String.valueOf(ms(7).toNanos()));
    assertThat(time.nanoTime()).isEqualTo(ms(100).toNanos());
  }

  @Test
  void tiesRunInSchedulingOrder() {
    time.schedule(ms(5), () -> ran.add("a"));
    time.schedule(ms(5), () -> ran.add("b"));
    time.schedule(ms(5), () -> ran.add("c"));
    time.advance(ms(5));
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void zeroDelayTask_runsOnRunDue_notOnTheSchedulingThreadImmediately() {
    time.schedule(Duration.ZERO, () -> ran.add("now"));
    assertThat(ran).isEmpty();
    assertThat(time.runDue()).isEqualTo(1);
    assertThat(ran).containsExactly("now");
  }

  @Test
  void cancelledTask_neverRuns() {
    Cancellable c = time.schedule(ms(5), () -> ran.add("x"));
    assertThat(c.cancel()).isTrue();
    assertThat(c.cancel()).isFalse();
    time.advance(ms(10));
    assertThat(ran).isEmpty();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void wallClock_movesWithVirtualTime() {
    long start = time.currentTimeMillis();
    time.advance(Duration.ofMinutes(5));
    assertThat(time.currentTimeMillis() - start).isEqualTo(300_000);
  }

  @Test
  void nextDueIn_reportsTheEarliestPendingTask() {
    time.schedule(ms(30), () -> {});
    time.schedule(ms(10), () -> {});
    assertThat(time.nextDueIn()).isEqualTo(ms(10));
    time.advance(ms(30));
    assertThatThrownBy(time::nextDueIn).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void negativeAdvance_isRefused() {
    assertThatThrownBy(() -> time.advance(ms(-1))).hasMessageContaining("negative");
  }
}
