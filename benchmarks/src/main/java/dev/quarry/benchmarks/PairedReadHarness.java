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
 * <p>Usage: {@code PairedReadHarness [--keys N] [--rounds R] [--batch B] [--warmup-rounds W]}.
 */
public final class PairedReadHarness {
  private static volatile @Nullable Object sink;

  private PairedReadHarness() {}

  public static void main(String[] args) {
    int keys = 1_000;
    int rounds = 60;
    int batch = 1_000_000;
    int warmupRounds = 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--warmup-rounds" -> warmupRounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (keys < 1 || rounds < 1 || batch < 1 || warmupRounds < 0) {
      throw new IllegalArgumentException("keys, rounds and batch must be positive");
    }
    QueryKey[] keyArray = new QueryKey[keys];
    @SuppressWarnings("unchecked")
    QueryOptions<Object>[] options = new QueryOptions[keys];
    Cache<QueryKey, Object> caffeine = Caffeine.newBuilder().build();
    QueryFunction<Object> never =
        ctx -> CompletableFuture.failedFuture(new IllegalStateException("fetched a fresh query"));
    int[] order = new int[keys];
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
          long start = System.nanoTime();
          switch (m) {
            case 0 -> getQueryData(client, keyArray, order, batch);
            case 1 -> fetchQuery(client, options, order, batch);
            default -> caffeine(caffeine, keyArray, order, batch);
          }
          ns[m] = (System.nanoTime() - start) / (double) batch;
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
                "%s keys=%d ns/read %.2f caffeine %.2f ratio median %.3f q1 %.3f q3 %.3f%n",
                names[m],
                keys,
                median(own),
                median(base),
                median(ratios),
                quantile(ratios, 0.25),
                quantile(ratios, 0.75)));
      }
      System.out.print(out);
    }
  }

  private static void getQueryData(QueryClient client, QueryKey[] keys, int[] order, int n) {
    @Nullable Object last = null;
    for (int i = 0, c = 0; i < n; i++) {
      last = client.getQueryData(keys[order[c]]).orElseThrow();
      c = c + 1 == order.length ? 0 : c + 1;
    }
    sink = last;
  }

  private static void fetchQuery(
      QueryClient client, QueryOptions<Object>[] options, int[] order, int n) {
    @Nullable Object last = null;
    for (int i = 0, c = 0; i < n; i++) {
      last = client.fetchQuery(options[order[c]]).join();
      c = c + 1 == order.length ? 0 : c + 1;
    }
    sink = last;
  }

  private static void caffeine(Cache<QueryKey, Object> cache, QueryKey[] keys, int[] order, int n) {
    @Nullable Object last = null;
    for (int i = 0, c = 0; i < n; i++) {
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
