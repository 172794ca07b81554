package dev.quarry.benchmarks;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Observer fan-out: one {@code setQueryData} on a key with 1, 100 or 10,000 observers, timed until
 * every observer has received the new data (on the client's default callback thread).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FanoutBenchmark {
  private static final QueryKey KEY = QueryKey.of("episodes", "p-3f2a", "detail");

  @Param({"1", "100", "10000"})
  public int observers;

  private QueryClient client = QueryClient.builder().build();
  private final List<Registration> subscriptions = new ArrayList<>();
  private volatile Object expected = new Object();
  private volatile CountDownLatch delivered = new CountDownLatch(0);
  private long version;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    client.close();
    client = QueryClient.builder().build();
    Object initial = new Version(0);
    client.setQueryData(KEY, initial);
    QueryOptions<Object> options =
        QueryOptions.<Object>builder(
                KEY,
                ctx ->
                    CompletableFuture.failedFuture(
                        new IllegalStateException("fresh data was fetched")))
            .staleTime(StaleTime.never())
            .build();
    expected = initial;
    delivered = new CountDownLatch(observers);
    for (int i = 0; i < observers; i++) {
      subscriptions.add(
          client.observe(
              options,
              result -> {
                if (result.data().orElse(null) == expected) {
                  delivered.countDown();
                }
              }));
    }
    if (!delivered.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("observers did not receive the initial data");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    subscriptions.forEach(Registration::close);
    subscriptions.clear();
    client.close();
  }

  @Benchmark
  public Object setQueryData() throws InterruptedException {
    Object next = new Version(++version);
    delivered = new CountDownLatch(observers);
    expected = next;
    client.setQueryData(KEY, next);
    if (!delivered.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "only " + (observers - delivered.getCount()) + " of " + observers + " observers got it");
    }
    return next;
  }

  /**
   * A value that is never equal to the previous one.
   *
   * @param n its number
   */
  public record Version(long n) {}
}
