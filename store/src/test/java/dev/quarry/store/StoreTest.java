package dev.quarry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.core.Registration;
import dev.quarry.testing.RecordingListener;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StoreTest {
  record Counter(int count, String label) {
    Counter increment() {
      return new Counter(count + 1, label);
    }

    Counter withLabel(String l) {
      return new Counter(count, l);
    }
  }

  private final Errors errors = new Errors();

  private Store<Counter> store() {
    return Store.builder(new Counter(0, "a"))
        .name("counter")
        .callbackExecutor(VirtualTime.direct())
        .errorHandler(errors)
        .build();
  }

  @Test
  void select_deliversCurrentValueAtSubscribe_thenOnlyChangesOfTheSelectedValue() {
    Store<Counter> store = store();
    RecordingListener<String> labels = new RecordingListener<>();
    store.select(Counter::label, labels);
    assertThat(labels.next()).isEqualTo("a");

    store.update(Counter::increment); // label unchanged
    store.update(Counter::increment);
    labels.assertExhausted();

    store.update(c -> c.withLabel("b"));
    assertThat(labels.next()).isEqualTo("b");

    store.set(new Counter(7, "b")); // an equal selection
    labels.assertExhausted();
    assertThat(store.get()).isEqualTo(new Counter(7, "b"));
    assertThat(errors.reports).isEmpty();
  }

  @Test
  void subscribe_wholeState_notifiedOnEveryChangeButNotOnAnEqualState() {
    Store<Counter> store = store();
    RecordingListener<Counter> states = new RecordingListener<>();
    store.subscribe(states);
    assertThat(states.next()).isEqualTo(new Counter(0, "a"));

    store.update(Counter::increment);
    assertThat(states.next()).isEqualTo(new Counter(1, "a"));
    store.set(new Counter(1, "a"));
    states.assertExhausted();
  }

  @Test
  void update_eightThreadsTenThousandIncrementsEach_endsAtExactly80000AndListenerSeesIt()
      throws InterruptedException {
    Store<Counter> store = store();
    AtomicInteger lastSeen = new AtomicInteger(-1);
    AtomicBoolean inside = new AtomicBoolean();
    List<String> problems = new ArrayList<>();
    store.select(
        Counter::count,
        n -> {
          if (!inside.compareAndSet(false, true)) {
            problems.add("listener called concurrently");
          }
          if (n <= lastSeen.get()) {
            problems.add("went from " + lastSeen.get() + " to " + n);
          }
          lastSeen.set(n);
          inside.set(false);
        });

    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < 10_000; i++) {
                  store.update(Counter::increment);
                }
              },
              "incrementer-" + t);
      thread.start();
      threads.add(thread);
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(thread.isAlive()).as(thread.getName() + " finished").isFalse();
    }

    assertThat(store.get().count()).isEqualTo(80_000);
    assertThat(lastSeen.get()).isEqualTo(80_000);
    synchronized (problems) {
      assertThat(problems).isEmpty();
    }
    assertThat(errors.reports).isEmpty();
  }

  @Test
  void listener_thatThrows_isReportedAndDoesNotStopTheOthers() {
    Store<Counter> store = store();
    RecordingListener<Integer> before = new RecordingListener<>();
    RecordingListener<Integer> after = new RecordingListener<>();
    AtomicInteger throwerCalls = new AtomicInteger();
    store.select(Counter::count, before);
    store.select(
        Counter::count,
        n -> {
          throwerCalls.incrementAndGet();
          throw new IllegalStateException("boom " + n);
        });
    store.select(Counter::count, after);

    store.update(Counter::increment);
    store.update(Counter::increment);

    assertThat(before.drain()).containsExactly(0, 1, 2);
    assertThat(after.drain()).containsExactly(0, 1, 2);
    assertThat(throwerCalls.get()).isEqualTo(3); // it keeps receiving too
    assertThat(errors.reports).hasSize(3);
    assertThat(errors.reports.get(2).context()).contains("store 'counter'");
    assertThat(errors.reports.get(2).error()).hasMessage("boom 2");
  }

  @Test
  void selector_thatThrows_isReportedAndDoesNotStopTheOthers() {
    Store<Counter> store = store();
    RecordingListener<Integer> other = new RecordingListener<>();
    RecordingListener<Integer> picky = new RecordingListener<>();
    store.select(
        c -> {
          if (c.count() == 1) {
            throw new IllegalArgumentException("cannot select 1");
          }
          return c.count();
        },
        picky);
    store.select(Counter::count, other);

    store.update(Counter::increment);
    store.update(Counter::increment);

    assertThat(other.drain()).containsExactly(0, 1, 2);
    assertThat(picky.drain()).containsExactly(0, 2);
    assertThat(errors.reports)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.context()).startsWith("selector of").contains("store 'counter'");
              assertThat(r.error()).hasMessage("cannot select 1");
            });
  }

  @Test
  void batch_severalUpdates_notifyOnceWithTheFinalState() {
    Store<Counter> store = store();
    RecordingListener<Counter> states = new RecordingListener<>();
    store.subscribe(states);
    states.next();

    store.batch(
        () -> {
          store.update(Counter::increment);
          assertThat(store.get().count()).isEqualTo(1); // changes apply at once
          store.batch(
              () -> {
                store.update(Counter::increment);
                store.update(c -> c.withLabel("z"));
              });
          states.assertExhausted(); // the nested batch ending does not notify
          store.update(Counter::increment);
        });

    assertThat(states.next()).isEqualTo(new Counter(3, "z"));
    states.assertExhausted();
  }

  @Test
  void batch_thatThrows_keepsItsChangesNotifiesOnceAndRethrows() {
    Store<Counter> store = store();
    RecordingListener<Integer> counts = new RecordingListener<>();
    store.select(Counter::count, counts);
    counts.next();

    assertThatThrownBy(
            () ->
                store.batch(
                    () -> {
                      store.update(Counter::increment);
                      store.update(Counter::increment);
                      throw new IllegalStateException("half way");
                    }))
        .hasMessage("half way");

    assertThat(counts.drain()).containsExactly(2);
    store.update(Counter::increment); // no batch left open
    assertThat(counts.drain()).containsExactly(3);
  }

  @Test
  void batch_updatesFromAnotherThreadDuringTheBatch_applyAtomicallyAndJoinTheOneNotification()
      throws Exception {
    Store<Counter> store = store();
    RecordingListener<Integer> counts = new RecordingListener<>();
    store.select(Counter::count, counts);
    counts.next();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      store.batch(
          () -> {
            store.update(Counter::increment);
            try {
              other.submit(() -> store.update(Counter::increment)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new AssertionError(e);
            }
            store.update(Counter::increment);
          });
    } finally {
      other.shutdownNow();
    }
    assertThat(store.get().count()).isEqualTo(3);
    assertThat(counts.drain()).containsExactly(3);
  }

  @Test
  void listener_callingUpdateFromInside_onDirectExecutor_doesNotDeadlockAndSeesEveryStepInOrder() {
    Store<Counter> store = store();
    List<Integer> seen = new ArrayList<>();
    RecordingListener<Integer> bystander = new RecordingListener<>();
    store.select(
        Counter::count,
        n -> {
          seen.add(n);
          if (n < 5) {
            Counter after = store.update(Counter::increment); // re-enters the store
            assertThat(after.count()).isEqualTo(n + 1);
          }
        });
    store.select(Counter::count, bystander);

    assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(store.get().count()).isEqualTo(5);
    List<Integer> bystanderSaw = bystander.drain();
    assertThat(bystanderSaw).isSorted().endsWith(5);
    assertThat(errors.reports).isEmpty();
  }

  @Test
  void update_whileAListenerIsRunningOnTheCallbackThread_doesNotWaitForIt() throws Exception {
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    CountDownLatch listenerEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingListener<Integer> counts = new RecordingListener<>();
    try (Store<Counter> store =
        Store.builder(new Counter(0, "a"))
            .callbackExecutor(callbacks)
            .errorHandler(errors)
            .build()) {
      store.select(
          Counter::count,
          n -> {
            counts.accept(n);
            if (n == 1) {
              listenerEntered.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          });
      assertThat(counts.next(Duration.ofSeconds(30))).isEqualTo(0);
      store.update(Counter::increment);
      assertThat(listenerEntered.await(30, TimeUnit.SECONDS)).isTrue();

      // The listener is blocked inside its callback; the store must still take changes.
      for (int i = 0; i < 100; i++) {
        store.update(Counter::increment);
      }
      assertThat(store.get().count()).isEqualTo(101);
      release.countDown();

      assertThat(counts.next(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(counts.next(Duration.ofSeconds(30))).isEqualTo(101); // conflated, latest last
    } finally {
      callbacks.shutdownNow();
    }
  }

  @Test
  void subscriptionClose_stopsDelivery_andIsIdempotent() {
    Store<Counter> store = store();
    RecordingListener<Integer> counts = new RecordingListener<>();
    Registration s = store.select(Counter::count, counts);
    counts.next();
    s.close();
    s.close();
    store.update(Counter::increment);
    counts.assertExhausted();
  }

  @Test
  void update_functionReturningNull_failsAndLeavesTheStateUnchanged() {
    Store<Counter> store = store();
    assertThatThrownBy(() -> store.update(c -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("store 'counter'");
    assertThat(store.get()).isEqualTo(new Counter(0, "a"));
  }

  @Test
  void close_isIdempotent_keepsGet_andRejectsChanges() {
    Store<Counter> store = store();
    store.update(Counter::increment);
    store.close();
    store.close();
    assertThat(store.get().count()).isEqualTo(1);
    assertThatThrownBy(() -> store.update(Counter::increment))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("store 'counter' is closed");
    assertThatThrownBy(() -> store.select(Counter::count, n -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void builder_badName_failsNamingTheOptionAndValue() {
    assertThatThrownBy(() -> Store.builder(new Counter(0, "a")).name("my store"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name")
        .hasMessageContaining("'my store'");
  }

  @Test
  void registry_listsStoresAndTheirState_rejectsDuplicateNames_andForgetsClosedStores() {
    StoreRegistry registry = new StoreRegistry();
    Store<Counter> layout =
        Store.builder(new Counter(1, "l")).name("layout").registry(registry).build();
    Store<String> ui = Store.builder("idle").name("ui").registry(registry).build();
    layout.update(Counter::increment);

    assertThat(registry.snapshot())
        .containsExactly(
            java.util.Map.entry("layout", new Counter(2, "l")), java.util.Map.entry("ui", "idle"));
    assertThatThrownBy(() -> Store.builder("x").name("ui").registry(registry).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'ui' is already registered");

    ui.close();
    assertThat(registry.stores()).containsExactly(layout);
  }
}
