package dev.quarry.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFunction;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The cache's single-thread reads timed against raw Caffeine in the same JVM, in alternating short
 * batches, so that what slows the whole machine down for a while (on a shared virtual machine the
 * same JMH fork can run at half speed for seconds) weighs on both sides of each ratio alike.
 *
 * <p>One JVM: the same keys and values as {@link CacheReadBenchmark} ({@code --keys}), one client
 * and one Caffeine cache, read on the main thread only. After a warm-up, each round times one batch
 * of each method ({@code getQueryData}, a fresh-hit {@code fetchQuery}, Caffeine {@code
 * getIfPresent}), in an order that rotates every round, and computes each Quarry method's
 * nanoseconds per read over Caffeine's in that round. Prints each method's median ns/read and the
 * median and quartiles of the per-round ratios, one line per method, for a script to collect across
 * JVMs and builds.
 *
 * <p>It uses only long-standing public API (it runs against builds back to {@code 683fe74}, of
 * 2026-12-06), so it can time an older build: with this module's compiled classes first on the
 * class path and the older build's {@code benchmarks.jar} (its Quarry classes and their
 * dependencies) after them, {@code java -cp benchmarks/target/classes:OLD.jar
 * dev.quarry.benchmarks.PairedReadHarness}.
 *
 * <p>With {@code --threads T} (default 1) each batch is read by T threads at once (this one and T -
 * 1 daemon threads of the harness, each going through the keys from its own offset), timed from
 * their common start to the last one's end: ns per read is then per thread (the wall time of a
 * batch over its B reads per thread), and the ratio compares the three methods under the same
 * contention.
 *
 * <p>Usage: {@code PairedReadHarness [--keys N] [--rounds R] [--batch B] [--warmup-rounds W]
 * [--threads T]}.
 */
public final class PairedReadHarness {
  private static volatile @Nullable Object sink;

  private PairedReadHarness() {}

  public static void main(String[] args) {
    int keys = 1_000;
    int rounds = 60;
    int batch = 1_000_000;
    int warmupRounds = 20;
    int threads = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--warmup-rounds" -> warmupRounds = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (keys < 1 || rounds < 1 || batch < 1 || warmupRounds < 0 || threads < 1) {
      throw new IllegalArgumentException("keys, rounds, batch and threads must be positive");
    }
    QueryKey[] keyArray = new QueryKey[keys];
    @SuppressWarnings("unchecked")
    QueryOptions<Object>[] options = new QueryOptions[keys];
    Cache<QueryKey, Object> caffeine = Caffeine.newBuilder().build();
    QueryFunction<Object> never =
        ctx -> CompletableFuture.failedFuture(new IllegalStateException("fetched a fresh query"));
    int[] order = new int[keys];
    int perBatch = batch;
    ExecutorService helpers =
        Executors.newFixedThreadPool(
            Math.max(1, threads - 1),
            r -> {
              Thread t = new Thread(r, "paired-read-helper");
              t.setDaemon(true);
              return t;
            });
    try (QueryClient client = QueryClient.builder().build()) {
      for (int i = 0; i < keys; i++) {
        keyArray[i] = CacheReadBenchmark.Caches.key(i);
        options[i] = QueryOptions.builder(keyArray[i], never).staleTime(StaleTime.never()).build();
        caffeine.put(keyArray[i], CacheReadBenchmark.Caches.value(i));
        client.setQueryData(keyArray[i], CacheReadBenchmark.Caches.value(i));
        order[i] = i;
      }
      SplittableRandom random = new SplittableRandom(1);
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      String[] names = {"getQueryData", "fetchQueryFreshHit", "caffeineGetIfPresent"};
      List<double[]> perRound = new ArrayList<>();
      for (int r = 0; r < warmupRounds + rounds; r++) {
        double[] ns = new double[3];
        for (int k = 0; k < 3; k++) {
          int m = (k + r) % 3;
          IntConsumer reads =
              switch (m) {
                case 0 -> from -> getQueryData(client, keyArray, order, from, perBatch);
                case 1 -> from -> fetchQuery(client, options, order, from, perBatch);
                default -> from -> caffeine(caffeine, keyArray, order, from, perBatch);
              };
          ns[m] = timed(reads, threads, order.length, helpers) / (double) batch;
        }
        if (r >= warmupRounds) {
          perRound.add(ns);
        }
      }
      StringBuilder out = new StringBuilder();
      for (int m = 0; m < 2; m++) {
        int mm = m;
        double[] ratios = perRound.stream().mapToDouble(ns -> ns[mm] / ns[2]).sorted().toArray();
        double[] own = perRound.stream().mapToDouble(ns -> ns[mm]).sorted().toArray();
        double[] base = perRound.stream().mapToDouble(ns -> ns[2]).sorted().toArray();
        out.append(
            String.format(
                Locale.ROOT,
                "%s keys=%d threads=%d ns/read %.2f caffeine %.2f ratio median %.3f q1 %.3f q3"
                    + " %.3f%n",
                names[m],
                keys,
                threads,
                median(own),
                median(base),
                median(ratios),
                quantile(ratios, 0.25),
                quantile(ratios, 0.75)));
      }
      System.out.print(out);
    } finally {
      helpers.shutdownNow();
    }
  }

  /**
   * Runs {@code reads} on {@code threads} threads at once (this one included), thread t from key
   * offset {@code t * keys / threads}; the nanoseconds from their common start to the last one's
   * end.
   */
  private static long timed(IntConsumer reads, int threads, int keys, ExecutorService helpers) {
    if (threads == 1) {
      long start = System.nanoTime();
      reads.accept(0);
      return System.nanoTime() - start;
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> others = new ArrayList<>();
    for (int t = 1; t < threads; t++) {
      int from = (int) ((long) t * keys / threads);
      others.add(
          helpers.submit(
              () -> {
                go.await();
                reads.accept(from);
                return null;
              }));
    }
    long start = System.nanoTime();
    go.countDown();
    reads.accept(0);
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("a reading thread failed", e.getCause());
      }
    }
    return System.nanoTime() - start;
  }

  private static void getQueryData(
      QueryClient client, QueryKey[] keys, int[] order, int from, int n) {
    @Nullable Object last = null;
    for (int i = 0, c = from; i < n; i++) {
      last = client.getQueryData(keys[order[c]]).orElseThrow();
      c = c + 1 == order.length ? 0 : c + 1;
    }
    sink = last;
  }

  private static void fetchQuery(
      QueryClient client, QueryOptions<Object>[] options, int[] order, int from, int n) {
    @Nullable Object last = null;
    for (int i = 0, c = from; i < n; i++) {
      last = client.fetchQuery(options[order[c]]).join();
      c = c + 1 == order.length ? 0 : c + 1;
    }
    sink = last;
  }

  private static void caffeine(
      Cache<QueryKey, Object> cache, QueryKey[] keys, int[] order, int from, int n) {
    @Nullable Object last = null;
    for (int i = 0, c = from; i < n; i++) {
      last = cache.getIfPresent(keys[order[c]]);
      if (last == null) {
        throw new IllegalStateException("missing key");
      }
      c = c + 1 == order.length ? 0 : c + 1;
    }
    sink = last;
  }

  private static double median(double[] sorted) {
    return quantile(sorted, 0.5);
  }

  private static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
