package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Cancellable;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Scheduler;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread completes a fetch's future, what a fetch hands to other threads, and the gc timers
 * of many queries: the caller's future completes on the thread that produced the value, listeners
 * still run only on the callback executor, and an ending fetch schedules nothing.
 */
class FetchThreadsAndGcTest {
  private final VirtualTime time = new VirtualTime();
  private final AtomicInteger scheduled = new AtomicInteger();
  private final Scheduler countingScheduler =
      new Scheduler() {
        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
          scheduled.incrementAndGet();
          return time.schedule(delay, task);
        }
      };

  /** A callback executor that only queues: the test runs the tasks when it wants to. */
  private final Queue<Runnable> callbackTasks = new ConcurrentLinkedQueue<>();

  private final Executor queueingExecutor = callbackTasks::add;
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final ErrorHandler errorHandler = (context, error) -> errors.add(error);
  private final QueryClient client =
      QueryClient.builder()
          .clock(time)
          .scheduler(countingScheduler)
          .callbackExecutor(queueingExecutor)
          .errorHandler(errorHandler)
          .build();
  private final QueryKey key = QueryKey.of("episodes", "p1");

  @AfterEach
  void close() {
    client.close();
    assertThat(errors).isEmpty();
  }

  private int runCallbacks() {
    int ran = 0;
    Runnable task;
    while ((task = callbackTasks.poll()) != null) {
      task.run();
      ran++;
    }
    return ran;
  }

  private boolean cached(QueryKey k) {
    return !client.findAll(QueryFilters.exact(k)).isEmpty();
  }

  @Test
  void fetchQueryFuture_completesOnTheThreadThatCompletedTheQueryFunction_withoutAHandOff()
      throws Exception {
    CompletableFuture<String> response = new CompletableFuture<>();
    QueryOptions<String> options = QueryOptions.of(key, ctx -> response);
    CompletableFuture<String> completedOn =
        client.fetchQuery(options).thenApply(v -> v + " on " + Thread.currentThread().getName());

    Thread producer = new Thread(() -> response.complete("page"), "test-producer");
    producer.start();
    producer.join(10_000);

    assertThat(producer.isAlive()).isFalse();
    assertThat(completedOn).isCompletedWithValue("page on test-producer");
    assertThat(callbackTasks).as("nothing was handed to the callback executor").isEmpty();
  }

  @Test
  void observersOfAFetchedQuery_stillHearOnlyThroughTheCallbackExecutor() throws Exception {
    CompletableFuture<String> response = new CompletableFuture<>();
    QueryOptions<String> options =
        QueryOptions.builder(key, ctx -> response).staleTime(StaleTime.never()).build();
    List<String> heard = new CopyOnWriteArrayList<>();
    QueryObserver<String> observer =
        client.observe(
            options,
            r -> heard.add(r.data().orElse("none") + " on " + Thread.currentThread().getName()));
    runCallbacks();
    heard.clear();

    Thread producer = new Thread(() -> response.complete("page"), "test-producer");
    producer.start();
    producer.join(10_000);

    assertThat(client.fetchQuery(options)).isCompletedWithValue("page");
    assertThat(heard).as("no listener ran on the producing thread").isEmpty();
    assertThat(runCallbacks()).isPositive();
    assertThat(heard).last().isEqualTo("page on " + Thread.currentThread().getName());
    observer.close();
  }

  @Test
  void aFetchThatEnds_schedulesNoTimer_andHandsNothingToTheCallbackExecutor() {
    AtomicInteger calls = new AtomicInteger();
    QueryOptions<String> options =
        QueryOptions.builder(
                key, ctx -> CompletableFuture.completedFuture("v" + calls.getAndIncrement()))
            .staleTime(StaleTime.zero())
            .build();
    assertThat(client.fetchQuery(options)).isCompletedWithValue("v0");
    int before = scheduled.get();

    for (int i = 1; i <= 3; i++) {
      assertThat(client.fetchQuery(options)).isCompletedWithValue("v" + i);
    }

    assertThat(scheduled.get()).as("timers scheduled by three more fetches").isEqualTo(before);
    assertThat(callbackTasks).isEmpty();
    assertThat(client.getQueryState(key).orElseThrow().dataUpdateCount()).isEqualTo(4);
  }

  @Test
  void gcTimersOfManyQueries_shareOneScheduledTask_andEachQueryGoesAtItsOwnDueTime() {
    QueryKey a = QueryKey.of("todo", 1);
    QueryKey b = QueryKey.of("todo", 2);
    QueryKey c = QueryKey.of("todo", 3);
    client.setQueryData(a, "a");
    time.advance(Duration.ofSeconds(10));
    client.setQueryData(b, "b");
    time.advance(Duration.ofSeconds(10));
    client.setQueryData(c, "c");

    assertThat(time.pendingTasks()).isEqualTo(1);

    time.advance(Duration.ofMinutes(5).minusSeconds(20).minusMillis(1));
    assertThat(cached(a)).isTrue();
    time.advance(Duration.ofMillis(1));
    assertThat(cached(a)).isFalse();
    assertThat(cached(b)).isTrue();
    time.advance(Duration.ofSeconds(10));
    assertThat(cached(b)).isFalse();
    assertThat(cached(c)).isTrue();
    time.advance(Duration.ofSeconds(10));
    assertThat(cached(c)).isFalse();
    assertThat(time.pendingTasks()).as("no timer left once every query went").isZero();
  }

  @Test
  void aQueryWhoseTimerRestarted_staysUntilItsNewDueTime_whileTheOthersGoAtTheirs() {
    QueryKey a = QueryKey.of("todo", 1);
    QueryKey b = QueryKey.of("todo", 2);
    client.setQueryData(a, "a");
    client.setQueryData(b, "b");
    time.advance(Duration.ofMinutes(3));
    QueryOptions<String> fetchA =
        QueryOptions.builder(a, ctx -> CompletableFuture.completedFuture("a2"))
            .staleTime(StaleTime.zero())
            .build();
    assertThat(client.fetchQuery(fetchA)).isCompletedWithValue("a2");

    time.advance(Duration.ofMinutes(2));
    assertThat(cached(b)).isFalse();
    assertThat(cached(a)).isTrue();
    assertThat(client.findAll(QueryFilters.exact(a)).get(0).gcDueAt())
        .contains(java.time.Instant.ofEpochMilli(time.currentTimeMillis() + 180_000));
    time.advance(Duration.ofMinutes(3));
    assertThat(cached(a)).isFalse();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void queriesWithDifferentGcTimes_goEachAfterTheirOwn_inWhateverOrderTheyWereCreated() {
    client.setQueryDefaults(
        QueryKey.of("short"), QueryDefaults.builder().gcTime(Duration.ofMinutes(1)).build());
    QueryKey longLived = QueryKey.of("long", 1);
    QueryKey shortLived = QueryKey.of("short", 1);
    client.setQueryData(longLived, "l");
    time.advance(Duration.ofSeconds(30));
    client.setQueryData(shortLived, "s");

    time.advance(Duration.ofSeconds(60));
    assertThat(cached(shortLived)).isFalse();
    assertThat(cached(longLived)).isTrue();
    time.advance(Duration.ofMinutes(5).minusSeconds(90));
    assertThat(cached(longLived)).isFalse();
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void theFirstObserver_andTheFirstObserverAfterTheLastLeft_eachStopTheGcTimer() {
    QueryOptions<String> options =
        QueryOptions.builder(key, ctx -> CompletableFuture.completedFuture("v"))
            .staleTime(StaleTime.never())
            .build();
    client.setQueryData(key, "set");

    for (int round = 0; round < 2; round++) {
      QueryObserver<String> first = client.observe(options, r -> {});
      QueryObserver<String> second = client.observe(options, r -> {});
      QuerySnapshot observed = client.findAll(QueryFilters.exact(key)).get(0);
      assertThat(observed.observerCount()).isEqualTo(2);
      assertThat(observed.gcDueAt()).isEmpty();
      assertThat(time.pendingTasks()).isZero();
      first.close();
      second.close();
      QuerySnapshot left = client.findAll(QueryFilters.exact(key)).get(0);
      assertThat(left.observerCount()).isZero();
      assertThat(left.gcDueAt()).isPresent();
    }
    runCallbacks();
    time.advance(Duration.ofMinutes(5));
    assertThat(cached(key)).isFalse();
  }

  @Test
  void aRevertingCancel_ofTheFirstFetchOfASetQuery_restoresTheSetData_andASecondOneToo() {
    client.setQueryData(key, "set");
    List<CompletableFuture<String>> responses = new CopyOnWriteArrayList<>();
    QueryOptions<String> options =
        QueryOptions.builder(
                key,
                ctx -> {
                  CompletableFuture<String> r = new CompletableFuture<>();
                  responses.add(r);
                  return r;
                })
            .staleTime(StaleTime.zero())
            .build();

    for (int round = 0; round < 2; round++) {
      CompletableFuture<String> fetch = client.fetchQuery(options);
      assertThat(client.getQueryState(key).orElseThrow().fetchStatus())
          .isEqualTo(FetchStatus.FETCHING);
      client.cancelQueries(QueryFilters.exact(key), true);
      QueryState<String> state = client.<String>getQueryState(key).orElseThrow();
      assertThat(state.fetchStatus()).isEqualTo(FetchStatus.IDLE);
      assertThat(state.data()).isEqualTo(Optional.of("set"));
      assertThat(fetch).isCompletedWithValue("set");
    }
    assertThat(responses).hasSize(2);
  }

  @Test
  void getQueryData_followsTheQueryOfItsKey_throughRemovalResetAndANewQuery() {
    client.setQueryData(key, "first");
    assertThat(client.<String>getQueryData(key)).contains("first");

    client.removeQueries(QueryFilters.exact(key));
    assertThat(client.getQueryData(key)).isEmpty();

    client.setQueryData(key, "second");
    assertThat(client.<String>getQueryData(key)).contains("second");
    assertThat(client.<String>getQueryData(key))
        .isSameAs(client.<String>getQueryState(key).orElseThrow().data());

    client.resetQueries(QueryFilters.exact(key));
    assertThat(client.getQueryData(key)).isEmpty();

    client.setQueryData(key, "third");
    time.advance(Duration.ofMinutes(5));
    assertThat(client.getQueryData(key)).as("collected by gc").isEmpty();
    assertThat(cached(key)).isFalse();

    client.setQueryData(key, "fourth");
    client.clear();
    assertThat(client.getQueryData(key)).isEmpty();
  }
}
