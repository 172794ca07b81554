package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.QueryKey;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many threads doing random operations on a small key space must leave the cache consistent: no
 * exception, no deadlock, and every live observer's last delivered result matching its query.
 */
class StressTest {
  private static final int THREADS = 8;
  private static final int OPERATIONS = 10_000;
  private static final int KEYS = 100;

  /** A live observer and the last result its listener received. */
  private record Live(
      QueryKey key, QueryObserver<String> observer, AtomicReference<QueryResult<String>> last) {}

  @Test
  void randomOperationsFromEightThreads_endWithoutErrorOrDeadlock_andObserversMatchTheirQueries()
      throws Exception {
    ExecutorService callbacks = Executors.newFixedThreadPool(4);
    ExecutorService io = Executors.newFixedThreadPool(4);
    ExecutorService workers = Executors.newFixedThreadPool(THREADS);
    RealScheduler scheduler = RealScheduler.create();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    QueryClient client =
        QueryClient.builder()
            .scheduler(scheduler)
            .callbackExecutor(callbacks)
            .errorHandler((context, error) -> errors.add(new AssertionError(context, error)))
            .build();
    AtomicInteger counter = new AtomicInteger();
    QueryFunction<String> fn =
        ctx -> {
          int n = counter.incrementAndGet();
          String value = "v" + (n % 7);
          return switch (n % 4) {
            case 0 -> CompletableFuture.failedFuture(new IllegalStateException("fail " + n));
            case 1 -> CompletableFuture.supplyAsync(() -> value, io);
            default -> CompletableFuture.completedFuture(value);
          };
        };
    RetryPolicy retry = RetryPolicy.times(1).withDelay(Duration.ofMillis(1));
    List<Live> live = new CopyOnWriteArrayList<>();
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = t;
        running.add(
            workers.submit(
                () -> {
                  Random random = new Random(seed);
                  for (int i = 0; i < OPERATIONS; i++) {
                    QueryKey key = QueryKey.of("k", random.nextInt(KEYS));
                    QueryOptions<String> options =
                        QueryOptions.builder(key, fn).retry(retry).build();
                    switch (random.nextInt(5)) {
                      case 0 -> client.fetchQuery(options);
                      case 1 -> {
                        if (random.nextBoolean()) {
                          client.setQueryData(key, "s" + random.nextInt(5));
                        } else {
                          client.setQueryData(key, (Optional<String> old) -> old.map(v -> v + "+"));
                        }
                      }
                      case 2 ->
                          client.invalidateQueries(
                              random.nextBoolean()
                                  ? QueryFilters.exact(key)
                                  : QueryFilters.prefix(QueryKey.of("k"))
                                      .refetchType(QueryFilters.RefetchType.NONE));
                      case 3 -> {
                        AtomicReference<QueryResult<String>> last = new AtomicReference<>();
                        live.add(new Live(key, client.observe(options, last::set), last));
                      }
                      default -> {
                        int size = live.size(); // other threads change it concurrently
                        if (size > 0) {
                          try {
                            live.remove(random.nextInt(size)).observer().close();
                          } catch (IndexOutOfBoundsException raced) {
                            // another thread closed one meanwhile; nothing to close here
                          }
                        }
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get(90, TimeUnit.SECONDS); // bounded: a deadlock fails here
      }

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(
              () -> {
                assertThat(client.snapshot())
                    .allSatisfy(q -> assertThat(q.fetchStatus()).isEqualTo(FetchStatus.IDLE));
                for (Live l : live) {
                  QueryState<String> s = client.<String>getQueryState(l.key()).orElseThrow();
                  QueryResult<String> r = l.last().get();
                  assertThat(r).as("result of %s", l.key()).isNotNull();
                  assertThat(r.data()).isEqualTo(s.data());
                  assertThat(r.status()).isEqualTo(s.status());
                  assertThat(r.fetchStatus()).isEqualTo(s.fetchStatus());
                  assertThat(r.dataUpdatedAt()).isEqualTo(s.dataUpdatedAt());
                  assertThat(r.failureCount()).isEqualTo(s.fetchFailureCount());
                  assertThat(l.observer().currentResult()).isEqualTo(r);
                }
              });
      assertThat(errors).isEmpty();
      assertThat(live).isNotEmpty();
    } finally {
      client.close();
      scheduler.close();
      workers.shutdownNow();
      io.shutdownNow();
      callbacks.shutdownNow();
    }
  }
}
