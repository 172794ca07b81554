package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.ErrorHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ListenerSetTest {
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final ErrorHandler handler = (ctx, e) -> errors.add(ctx + ": " + e.getMessage());

  @Test
  void eachListener_receivesEveryEventInOrder_onAPool() throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      ListenerSet<Integer> set = new ListenerSet<>(pool, handler, "test");
      List<Integer> a = new CopyOnWriteArrayList<>();
      List<Integer> b = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(2);
      set.add(
          i -> {
            a.add(i);
            if (i == 999) done.countDown();
          });
      set.add(
          i -> {
            b.add(i);
            if (i == 999) done.countDown();
          });
      for (int i = 0; i < 1000; i++) {
        set.emit(i);
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        expected.add(i);
      }
      assertThat(a).isEqualTo(expected);
      assertThat(b).isEqualTo(expected);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void throwingListener_isReportedWithContext_andDoesNotStopOthersOrItself() {
    ListenerSet<String> set = new ListenerSet<>(Runnable::run, handler, "topic t1");
    List<String> seen = new ArrayList<>();
    set.add(
        s -> {
          throw new IllegalStateException("bad " + s);
        });
    set.add(seen::add);
    set.emit("x");
    set.emit("y");
    assertThat(seen).containsExactly("x", "y");
    assertThat(errors).hasSize(2);
    assertThat(errors.get(0)).contains("topic t1").contains("bad x");
  }

  @Test
  void closedListener_receivesNothingMore() {
    ListenerSet<String> set = new ListenerSet<>(Runnable::run, handler, "test");
    List<String> seen = new ArrayList<>();
    var sub = set.add(seen::add);
    set.emit("a");
    sub.close();
    set.emit("b");
    assertThat(seen).containsExactly("a");
    assertThat(set.isEmpty()).isTrue();
  }

  @Test
  void emitWhenDelivered_runsAfterEveryListenerHasTheEvent_evenOneThatThrows()
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // the error handler runs after the throwing listener's task, so it is awaited on its own
      CountDownLatch reported = new CountDownLatch(1);
      ErrorHandler reporting =
          (ctx, e) -> {
            errors.add(ctx + ": " + e.getMessage());
            reported.countDown();
          };
      ListenerSet<Integer> set = new ListenerSet<>(pool, reporting, "test");
      List<Integer> a = new CopyOnWriteArrayList<>();
      List<Integer> b = new CopyOnWriteArrayList<>();
      set.add(a::add);
      set.add(b::add);
      set.add(
          i -> {
            if (i == 100) {
              throw new IllegalStateException("last one refused");
            }
          });
      for (int i = 0; i < 100; i++) {
        set.emit(i);
      }
      List<Integer> sizesWhenDelivered = new CopyOnWriteArrayList<>();
      CountDownLatch delivered = new CountDownLatch(1);
      set.emit(
          100,
          () -> {
            sizesWhenDelivered.add(a.size());
            sizesWhenDelivered.add(b.size());
            delivered.countDown();
          });
      assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(sizesWhenDelivered).containsExactly(101, 101);
      assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(errors).anySatisfy(e -> assertThat(e).contains("last one refused"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void emitWhenDelivered_withNoListener_runsAtOnceOnTheCaller() {
    ListenerSet<String> set = new ListenerSet<>(command -> {}, handler, "test");
    List<String> ran = new ArrayList<>();
    set.emit("x", () -> ran.add(Thread.currentThread().getName()));
    assertThat(ran).containsExactly(Thread.currentThread().getName());
  }
}
