package dev.quarry.benchmarks;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The deduplication storm: {@value #CALLERS} calls of {@code fetchQuery} for one stale key, made
 * from two threads at once while the one request is in flight (the loopback server holds its answer
 * until every call has been made), then the time until every caller has its answer. Each invocation
 * checks that the server saw exactly one request and fails otherwise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 20)
@Measurement(iterations = 30)
public class DedupBenchmark {
  /** Concurrent callers per storm. */
  public static final int CALLERS = 10_000;

  private static final QueryKey KEY = QueryKey.of("episodes", "p-3f2a", Map.of("page", 1));

  private LoopbackServer server = LoopbackServer.start(EpisodePage.sample(0));
  private JsonHttp http = JsonHttp.builder().build();
  private QueryClient client = QueryClient.builder().build();
  private QueryOptions<EpisodePage> options =
      QueryOptions.of(KEY, ctx -> http.get("doc", EpisodePage.class));
  private ExecutorService callers = Executors.newFixedThreadPool(2);
  private CountDownLatch gate = new CountDownLatch(1);
  private long requestsBefore;

  @Setup(Level.Trial)
  public void setUp() {
    server.close();
    server = LoopbackServer.start(EpisodePage.sample(10));
    http = JsonHttp.builder().baseUrl(server.url()).build();
    client.close();
    client = QueryClient.builder().build();
    JsonHttp h = http;
    options =
        QueryOptions.builder(KEY, ctx -> h.get("doc", EpisodePage.class))
            .staleTime(StaleTime.of(Duration.ofMinutes(5)))
            .build();
    callers.shutdown();
    callers =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "storm-caller");
              t.setDaemon(true);
              return t;
            });
  }

  /** Makes the key stale (data present, invalidated) and closes the server's gate. */
  @Setup(Level.Invocation)
  public void makeStale() {
    client.setQueryData(KEY, EpisodePage.sample(1));
    client.invalidateQueries(QueryFilters.exact(KEY)).join();
    gate = new CountDownLatch(1);
    server.holdUntil(gate);
    requestsBefore = server.requests();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    callers.shutdownNow();
    client.close();
    http.close();
    server.close();
  }

  @Benchmark
  public Object storm() throws Exception {
    @SuppressWarnings("unchecked")
    CompletableFuture<EpisodePage>[] answers = new CompletableFuture[CALLERS];
    int half = CALLERS / 2;
    Future<?> a = callers.submit(() -> call(answers, 0, half));
    Future<?> b = callers.submit(() -> call(answers, half, CALLERS));
    a.get(60, TimeUnit.SECONDS);
    b.get(60, TimeUnit.SECONDS);
    gate.countDown();
    CompletableFuture.allOf(answers).get(60, TimeUnit.SECONDS);
    long made = server.requests() - requestsBefore;
    if (made != 1) {
      throw new IllegalStateException(CALLERS + " callers made " + made + " requests, not 1");
    }
    return answers[CALLERS - 1].join();
  }

  private void call(CompletableFuture<EpisodePage>[] answers, int from, int to) {
    for (int i = from; i < to; i++) {
      answers[i] = client.fetchQuery(options);
    }
  }
}
