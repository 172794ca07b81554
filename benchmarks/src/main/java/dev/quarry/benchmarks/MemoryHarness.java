package dev.quarry.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Retained heap, measured as the growth of the used heap after full collections (several {@code
 * System.gc()} until the figure settles), per cached query over 100,000 small entries and per
 * subscription over 10,000. Figures include the keys and values themselves; the same keys and
 * values in raw Caffeine and in plain arrays are measured the same way for comparison.
 *
 * <p>Run alone, with a fixed heap for steadier figures: {@code java -Xms1g -Xmx1g -cp
 * benchmarks.jar dev.quarry.benchmarks.MemoryHarness}.
 */
public final class MemoryHarness {
  private static final int ENTRIES = 100_000;
  private static final int SUBSCRIPTIONS = 10_000;
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MemoryHarness() {}

  /** Prints the markdown section. */
  public static void main(String[] args) {
    System.out.println(run());
  }

  /**
   * A small cached value.
   *
   * @param id its id
   * @param title its title
   * @param done whether it is done
   */
  public record Todo(int id, String title, boolean done) {}

  /** Measures and returns the markdown section. */
  public static String run() {
    String load = Machine.load();
    String started = Machine.now();
    // warm up the code paths once, so class metadata is not counted as data
    measureQueryClient(1_000);
    measureCaffeine(1_000);
    measureKeysAndValues(1_000);
    measureObservers(100);
    measureTopics(100);

    double keysAndValues = measureKeysAndValues(ENTRIES) / (double) ENTRIES;
    double caffeine = measureCaffeine(ENTRIES) / (double) ENTRIES;
    double client = measureQueryClient(ENTRIES) / (double) ENTRIES;
    double observer = measureObservers(SUBSCRIPTIONS) / (double) SUBSCRIPTIONS;
    double topic = measureTopics(SUBSCRIPTIONS) / (double) SUBSCRIPTIONS;

    StringBuilder out = new StringBuilder();
    out.append("### Memory (harness, ")
        .append(started)
        .append(")\n\n")
        .append(Machine.describe())
        .append(". Load averages before: ")
        .append(load)
        .append(". Used heap after full GCs, growth divided by the count.\n\n")
        .append("| what | bytes each | beyond key + value |\n|---|---:|---:|\n");
    out.append(
        row(
            "key + value alone (`QueryKey.of(\"todo\", i)`, `Todo` record), in an array",
            keysAndValues,
            Double.NaN));
    out.append(
        row(
            "raw Caffeine entry (same keys and values), " + ENTRIES,
            caffeine,
            caffeine - keysAndValues));
    out.append(
        row(
            "QueryClient cached query (`setQueryData`), " + ENTRIES,
            client,
            client - keysAndValues));
    out.append(
        row(
            "QueryClient observer (`observe`, one query, " + SUBSCRIPTIONS + " observers)",
            observer,
            Double.NaN));
    out.append(
        row(
            "RealtimeClient topic subscription (`subscribe`, distinct topics, not connected), "
                + SUBSCRIPTIONS,
            topic,
            Double.NaN));
    out.append(
        String.format(
            Locale.ROOT,
            "%nQueryClient per query / raw Caffeine per entry: %.2fx; Quarry's own overhead per"
                + " query: %.0f bytes (Caffeine's: %.0f).%n",
            client / caffeine,
            client - keysAndValues,
            caffeine - keysAndValues));
    return out.toString();
  }

  private static String row(String what, double bytes, double beyond) {
    return String.format(
        Locale.ROOT,
        "| %s | %.0f | %s |%n",
        what,
        bytes,
        Double.isNaN(beyond) ? "" : String.format(Locale.ROOT, "%.0f", beyond));
  }

  /** Used heap after full collections, once the figure settles. */
  static long used() {
    long previous = Long.MAX_VALUE;
    long current = 0;
    for (int i = 0; i < 20; i++) {
      System.gc();
      current = MEMORY.getHeapMemoryUsage().getUsed();
      if (Math.abs(previous - current) < 64 * 1024) {
        break;
      }
      previous = current;
    }
    return current;
  }

  private static long measureKeysAndValues(int n) {
    long before = used();
    QueryKey[] keys = new QueryKey[n];
    Todo[] values = new Todo[n];
    for (int i = 0; i < n; i++) {
      keys[i] = QueryKey.of("todo", i);
      values[i] = new Todo(i, "Todo number " + i, i % 2 == 0);
    }
    long after = used();
    Reference.reachabilityFence(keys);
    Reference.reachabilityFence(values);
    return after - before;
  }

  private static long measureCaffeine(int n) {
    long before = used();
    Cache<QueryKey, Object> cache = Caffeine.newBuilder().build();
    for (int i = 0; i < n; i++) {
      cache.put(QueryKey.of("todo", i), new Todo(i, "Todo number " + i, i % 2 == 0));
    }
    long after = used();
    Reference.reachabilityFence(cache);
    return after - before;
  }

  private static long measureQueryClient(int n) {
    QueryClient client = QueryClient.builder().build();
    long before = used();
    for (int i = 0; i < n; i++) {
      client.setQueryData(QueryKey.of("todo", i), new Todo(i, "Todo number " + i, i % 2 == 0));
    }
    long after = used();
    Reference.reachabilityFence(client);
    client.close();
    return after - before;
  }

  private static long measureObservers(int n) {
    QueryClient client = QueryClient.builder().build();
    QueryKey key = QueryKey.of("todo", "observed");
    client.setQueryData(key, new Todo(0, "observed", false));
    QueryOptions<Todo> options =
        QueryOptions.<Todo>builder(
                key, ctx -> CompletableFuture.failedFuture(new IllegalStateException("no fetch")))
            .staleTime(StaleTime.never())
            .build();
    List<Registration> subscriptions = new ArrayList<>(n);
    long before = used();
    for (int i = 0; i < n; i++) {
      subscriptions.add(client.observe(options, result -> {}));
    }
    long after = used();
    subscriptions.forEach(Registration::close);
    client.close();
    return after - before;
  }

  private static long measureTopics(int n) {
    RealtimeClient client =
        RealtimeClient.create(RealtimeOptions.builder(URI.create("http://127.0.0.1:9")).build());
    List<Registration> subscriptions = new ArrayList<>(n);
    long before = used();
    for (int i = 0; i < n; i++) {
      subscriptions.add(client.subscribe(Topic.of("execution", "executionId", "e-" + i)));
    }
    long after = used();
    subscriptions.forEach(Registration::close);
    client.close();
    return after - before;
  }
}
