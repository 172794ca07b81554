package dev.quarry.benchmarks;

import dev.quarry.core.QueryKey;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building and hashing a typical key, {@code ["episodes", projectId, {page, filter}]}.
 *
 * <ul>
 *   <li>{@code build}: {@code QueryKey.of(...)}, which canonicalises the parts and writes the JSON
 *       hash once;
 *   <li>{@code buildAndHashCode}: the same plus {@code hashCode()} (what a map lookup pays);
 *   <li>{@code equalsOfEqualKeys}: {@code equals} of two equal, separately built keys;
 *   <li>{@code baselineHashMapKey}: a {@code List.of(...)} key with a {@code HashMap} part and its
 *       {@code hashCode()}, what a hand-rolled cache key would cost.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class KeyBenchmark {
  private String projectId = "p-3f2a";
  private int page = 2;
  private String filter = "draft";
  private QueryKey a = QueryKey.empty();
  private QueryKey b = QueryKey.empty();

  @Setup
  public void setUp() {
    a = QueryKey.of("episodes", projectId, Map.of("page", page, "filter", filter));
    b = QueryKey.of("episodes", projectId, Map.of("filter", filter, "page", page));
  }

  @Benchmark
  public QueryKey build() {
    return QueryKey.of("episodes", projectId, Map.of("page", page, "filter", filter));
  }

  @Benchmark
  public int buildAndHashCode() {
    return QueryKey.of("episodes", projectId, Map.of("page", page, "filter", filter)).hashCode();
  }

  @Benchmark
  public boolean equalsOfEqualKeys() {
    return a.equals(b);
  }

  @Benchmark
  public int baselineHashMapKey() {
    Map<String, Object> params = new HashMap<>();
    params.put("page", page);
    params.put("filter", filter);
    return java.util.List.of("episodes", projectId, params).hashCode();
  }
}
