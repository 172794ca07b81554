package dev.quarry.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
 * Structural sharing of a page of 1,000 episodes (records, or the same document as a Jackson tree),
 * each version decoded by Jackson from JSON as a fetch would: the new data equal to the old, or
 * with one episode's title changed.
 *
 * <ul>
 *   <li>{@code replaceEqualDeep}: the default sharing alone, old against new;
 *   <li>{@code topLevelEquals}: {@code old.equals(new) ? old : new}, the change detection before
 *       sharing per node (same cost as TanStack's check when sharing keeps nothing);
 *   <li>{@code setQueryDataSharing} / {@code setQueryDataNoSharing}: {@code setQueryData} of the
 *       two versions in turn on one key, with the default sharing or {@code
 *       structuralSharing(false)} in the client defaults (no observers).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SharingBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final QueryKey KEY = QueryKey.of("episodes", "p-3f2a", "all");
  private static final int EPISODES = 1000;

  /** {@code records}: {@link EpisodePage} records; {@code json}: a {@link JsonNode} tree. */
  @Param({"records", "json"})
  public String kind = "records";

  /** {@code equal}: the new version equals the old; {@code oneChanged}: one title differs. */
  @Param({"equal", "oneChanged"})
  public String change = "equal";

  private Object old = new Object();
  private Object fresh = new Object();
  private QueryClient sharing = QueryClient.builder().build();
  private QueryClient noSharing = QueryClient.builder().build();
  private boolean flip;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    EpisodePage page = EpisodePage.sample(EPISODES);
    List<EpisodePage.Episode> items = new ArrayList<>(page.items());
    EpisodePage.Episode e = items.get(EPISODES / 2);
    items.set(
        EPISODES / 2,
        new EpisodePage.Episode(
            e.id(),
            e.projectId(),
            e.title() + " (edited)",
            e.status(),
            e.number(),
            e.updatedAt(),
            e.tags()));
    byte[] before = JSON.writeValueAsBytes(page);
    byte[] after =
        "equal".equals(change)
            ? before
            : JSON.writeValueAsBytes(new EpisodePage(page.page(), page.total(), items));
    old = decode(before);
    fresh = decode(after);
    if (old == fresh || !old.equals(decode(before))) {
      throw new IllegalStateException("decoding must give equal, distinct instances");
    }
    sharing.close();
    noSharing.close();
    sharing = QueryClient.builder().build();
    noSharing =
        QueryClient.builder()
            .defaults(QueryDefaults.builder().structuralSharing(false).build())
            .build();
    sharing.setQueryData(KEY, old);
    noSharing.setQueryData(KEY, old);
    Object shared = QueryOptions.replaceEqualDeep(old, fresh);
    if ("equal".equals(change) ? shared != old : shared == old || !shared.equals(fresh)) {
      throw new IllegalStateException("structural sharing did not give the expected value");
    }
  }

  private Object decode(byte[] json) throws IOException {
    return "json".equals(kind) ? JSON.readTree(json) : JSON.readValue(json, EpisodePage.class);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sharing.close();
    noSharing.close();
  }

  @Benchmark
  public Object replaceEqualDeep() {
    return QueryOptions.replaceEqualDeep(old, fresh);
  }

  @Benchmark
  public Object topLevelEquals() {
    return old.equals(fresh) ? old : fresh;
  }

  @Benchmark
  public Object setQueryDataSharing() {
    flip = !flip;
    return sharing.setQueryData(KEY, flip ? fresh : old);
  }

  @Benchmark
  public Object setQueryDataNoSharing() {
    flip = !flip;
    return noSharing.setQueryData(KEY, flip ? fresh : old);
  }
}
