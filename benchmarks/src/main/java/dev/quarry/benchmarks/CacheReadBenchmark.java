package dev.quarry.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFunction;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
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
 * Cached reads of present keys, in a random order, against raw Caffeine on the same (pre-built)
 * keys. Run with {@code -t 1} and {@code -t 2}: the threads read the same cache.
 *
 * <ul>
 *   <li>{@code caffeineGetIfPresent}: {@code Cache.getIfPresent(key)} of an unbounded Caffeine
 *       cache holding the same values (the QueryClient keeps its queries in one too);
 *   <li>{@code getQueryData}: {@code QueryClient.getQueryData(key)} of a client holding the same
 *       values (set with {@code setQueryData});
 *   <li>{@code fetchQueryFreshHit}: {@code QueryClient.fetchQuery(options).join()} where the data
 *       is fresh (staleTime: never), so it completes from the cache without calling the function.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CacheReadBenchmark {

  /** The caches, shared by all threads. */
  @State(Scope.Benchmark)
  public static class Caches {
    @Param({"1000", "100000"})
    public int keys;

    QueryKey[] keyArray = new QueryKey[0];

    @SuppressWarnings("unchecked")
    QueryOptions<Object>[] options = new QueryOptions[0];

    Cache<QueryKey, Object> caffeine = Caffeine.newBuilder().build();
    QueryClient client = QueryClient.builder().build();

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
      client.close();
      client = QueryClient.builder().build();
      keyArray = new QueryKey[keys];
      options = new QueryOptions[keys];
      caffeine = Caffeine.newBuilder().build();
      QueryFunction<Object> never =
          ctx -> CompletableFuture.failedFuture(new IllegalStateException("fetched a fresh query"));
      for (int i = 0; i < keys; i++) {
        keyArray[i] = key(i);
        options[i] = QueryOptions.builder(keyArray[i], never).staleTime(StaleTime.never()).build();
        caffeine.put(keyArray[i], value(i));
        client.setQueryData(keyArray[i], value(i));
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      client.close();
    }

    static QueryKey key(int i) {
      return QueryKey.of("episodes", "p-" + (i % 97), Map.of("page", i, "filter", "all"));
    }

    static Object value(int i) {
      return new EpisodeSummary("ep-" + i, "Episode " + i, i);
    }
  }

  /**
   * A small cached value.
   *
   * @param id the id
   * @param title the title
   * @param number the number
   */
  public record EpisodeSummary(String id, String title, int number) {}

  /** Each thread walks the keys in its own random order. */
  @State(Scope.Thread)
  public static class Cursor {
    int[] order = new int[0];
    int next;

    @Setup(Level.Trial)
    public void setUp(Caches caches) {
      SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
      order = new int[caches.keys];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }

    int nextIndex() {
      int i = next;
      next = i + 1 == order.length ? 0 : i + 1;
      return order[i];
    }
  }

  @Benchmark
  public Object caffeineGetIfPresent(Caches caches, Cursor cursor) {
    Object value = caches.caffeine.getIfPresent(caches.keyArray[cursor.nextIndex()]);
    if (value == null) {
      throw new IllegalStateException("missing key");
    }
    return value;
  }

  @Benchmark
  public Object getQueryData(Caches caches, Cursor cursor) {
    return caches.client.getQueryData(caches.keyArray[cursor.nextIndex()]).orElseThrow();
  }

  @Benchmark
  public Object fetchQueryFreshHit(Caches caches, Cursor cursor) {
    return caches.client.fetchQuery(caches.options[cursor.nextIndex()]).join();
  }
}
