package dev.quarry.benchmarks;

import dev.quarry.core.Connectivity;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The heap of a long-running app that creates a {@link MutationObserver} handle per view: 100,000
 * handles, each listened to, used for one mutation, and its listener closed, in virtual time with
 * {@code gcTime} 1 s. Used heap after full collections is sampled every 25,000 mutations (each
 * sample after advancing past {@code gcTime}), together with the size of the mutation cache. A
 * second run leaves every listener open, the way a view that never unsubscribes would: its
 * mutations stay observed, so its heap grows, which shows the measurement can see a leak.
 *
 * <p>Run alone: {@code java -Xms512m -Xmx512m -cp benchmarks.jar
 * dev.quarry.benchmarks.MutationLeakHarness}.
 */
public final class MutationLeakHarness {
  private static final int MUTATIONS = 100_000;
  private static final int SAMPLE_EVERY = 25_000;
  private static final Duration GC_TIME = Duration.ofSeconds(1);

  private MutationLeakHarness() {}

  /** Prints the markdown section. */
  public static void main(String[] args) {
    System.out.println(run());
  }

  /** Measures and returns the markdown section. */
  public static String run() {
    String load = Machine.load();
    String started = Machine.now();
    measure(5_000, true); // warm-up: code paths and class metadata
    List<long[]> closed = measure(MUTATIONS, true);
    List<long[]> open = measure(MUTATIONS, false);

    StringBuilder out = new StringBuilder();
    out.append("### Mutation handles (harness, ")
        .append(started)
        .append(")\n\n")
        .append(Machine.describe())
        .append(". Load averages before: ")
        .append(load)
        .append(
            ". 100,000 mutations through one handle each; used heap after full GCs minus the"
                + " heap before the first mutation, sampled after advancing past gcTime (1 s,"
                + " virtual time).\n\n")
        .append(
            "| mutations | listeners closed: mutations in cache | listeners closed: heap growth"
                + " | listeners left open: mutations in cache | listeners left open: heap growth"
                + " |\n|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < closed.size(); i++) {
      long[] c = closed.get(i);
      long[] o = open.get(i);
      out.append(
          String.format(
              Locale.ROOT,
              "| %,d | %,d | %.1f MiB | %,d | %.1f MiB |%n",
              c[0],
              c[1],
              c[2] / (1024.0 * 1024),
              o[1],
              o[2] / (1024.0 * 1024)));
    }
    return out.toString();
  }

  /** Rows of {mutations so far, mutations in the cache, heap growth in bytes}. */
  private static List<long[]> measure(int count, boolean closeListeners) {
    VirtualTime time = new VirtualTime();
    List<long[]> rows = new ArrayList<>();
    List<Registration> kept = new ArrayList<>();
    try (MutationClient client =
        MutationClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .connectivity(Connectivity.create())
            .build()) {
      MutationOptions<Integer, Integer, Void> options =
          MutationOptions.<Integer, Integer, Void>builder()
              .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
              .gcTime(GC_TIME)
              .build();
      long before = MemoryHarness.used();
      for (int i = 1; i <= count; i++) {
        MutationObserver<Integer, Integer, Void> handle = client.mutation(options);
        Registration s = handle.subscribe(state -> {});
        handle.mutate(i);
        if (closeListeners) {
          s.close();
        } else {
          kept.add(s);
        }
        if (i % SAMPLE_EVERY == 0) {
          time.advance(GC_TIME);
          long inCache = client.findAll(MutationFilters.all()).size();
          rows.add(new long[] {i, inCache, MemoryHarness.used() - before});
        }
      }
    }
    kept.clear();
    return rows;
  }
}
