package dev.quarry.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
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
 * One GET of a 2 KB JSON document from a loopback server, decoded into {@link EpisodePage}, one
 * call at a time:
 *
 * <ul>
 *   <li>{@code rawSync}: OkHttp {@code execute()} on the calling thread + Jackson {@code readValue}
 *       of the body stream (the least a Java program can do);
 *   <li>{@code rawAsync}: OkHttp {@code enqueue} + Jackson in the callback, completing a {@code
 *       CompletableFuture} that the caller joins (the same thread hand-off as Quarry's);
 *   <li>{@code jsonHttp}: Quarry's {@link JsonHttp#get(String, Class)} on the same OkHttp client;
 *   <li>{@code fetchQuery}: {@code QueryClient.fetchQuery(options).join()} whose query function is
 *       that {@code JsonHttp} call; staleTime 0, so every call fetches (and stores the result);
 *   <li>{@code fetchQueryNoNetwork}: the same {@code fetchQuery} with a query function that
 *       completes at once with an already decoded document: the cache's own cost of a fetch.
 * </ul>
 *
 * All share one OkHttp client (one pooled keep-alive connection) and one server. Warm-up is 10
 * iterations: at ~200 µs per call, OkHttp, Jackson and the server need that long to be compiled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class FetchBenchmark {
  private final ObjectMapper mapper = new ObjectMapper();
  private LoopbackServer server = LoopbackServer.start(EpisodePage.sample(0));
  private OkHttpClient client = new OkHttpClient();
  private JsonHttp http = JsonHttp.builder().client(client).build();
  private Request request = new Request.Builder().url(server.url()).build();
  private QueryClient queryClient = QueryClient.builder().build();
  private QueryOptions<EpisodePage> query =
      QueryOptions.of(QueryKey.of("doc"), ctx -> http.get("doc", EpisodePage.class));
  private QueryOptions<EpisodePage> instant = query;

  @Setup(Level.Trial)
  public void setUp() {
    server.close();
    server = LoopbackServer.start(EpisodePage.sample(10));
    client = new OkHttpClient();
    http = JsonHttp.builder().baseUrl(server.url()).client(client).build();
    request =
        new Request.Builder()
            .url(server.url() + "doc")
            .header("Accept", "application/json")
            .build();
    queryClient.close();
    queryClient = QueryClient.builder().build();
    JsonHttp h = http;
    query =
        QueryOptions.builder(
                QueryKey.of("episodes", "p-3f2a", Map.of("page", 1)),
                ctx -> h.get("doc", EpisodePage.class))
            .staleTime(StaleTime.zero())
            .build();
    EpisodePage decoded = EpisodePage.sample(10);
    instant =
        QueryOptions.builder(
                QueryKey.of("episodes", "p-3f2a", Map.of("page", 2)),
                ctx -> CompletableFuture.completedFuture(decoded))
            .staleTime(StaleTime.zero())
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    queryClient.close();
    http.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    server.close();
  }

  @Benchmark
  public EpisodePage rawSync() throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return mapper.readValue(response.body().byteStream(), EpisodePage.class);
    }
  }

  @Benchmark
  public EpisodePage rawAsync() {
    CompletableFuture<EpisodePage> future = new CompletableFuture<>();
    client
        .newCall(request)
        .enqueue(
            new Callback() {
              @Override
              public void onResponse(Call call, Response response) {
                try (response) {
                  future.complete(
                      mapper.readValue(response.body().byteStream(), EpisodePage.class));
                } catch (IOException | RuntimeException e) {
                  future.completeExceptionally(e);
                }
              }

              @Override
              public void onFailure(Call call, IOException e) {
                future.completeExceptionally(e);
              }
            });
    return future.join();
  }

  @Benchmark
  public EpisodePage jsonHttp() {
    return http.get("doc", EpisodePage.class).join();
  }

  @Benchmark
  public EpisodePage fetchQueryNoNetwork() {
    return queryClient.fetchQuery(instant).join();
  }

  @Benchmark
  public EpisodePage fetchQuery() {
    return queryClient.fetchQuery(query).join();
  }
}
