package dev.quarry.examples.basics;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.examples.backend.StudioBackend;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Page;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A query: the first fetch goes to the server, concurrent fetches share it, and a fresh result is
 * served from the cache (React Query's {@code useQuery} / {@code queryClient.fetchQuery}).
 */
public final class QueryExample {
  static final JsonType<Page<Episode>> EPISODES = JsonType.of(new TypeReference<>() {});

  private QueryExample() {}

  /** Runs the example against an embedded backend. */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }

  /** Runs the example, printing to {@code out}. */
  public static void run(PrintStream out) throws Exception {
    try (StudioBackend backend = StudioBackend.builder().latency(Duration.ofMillis(100)).start();
        Quarry quarry =
            Quarry.builder()
                .baseUrl(backend.baseUrl().toString())
                .queryDefaults(d -> d.staleTime(Duration.ofMinutes(5)).retry(3))
                .build()) {
      QueryOptions<Page<Episode>> episodes =
          quarry.query(
              QueryKey.of("projects", "p1", "episodes"),
              http -> http.get("projects/p1/episodes", EPISODES));

      CompletableFuture<Page<Episode>> a = quarry.fetch(episodes);
      CompletableFuture<Page<Episode>> b = quarry.fetch(episodes); // joins the fetch in flight
      Page<Episode> page = a.get(10, TimeUnit.SECONDS);
      b.get(10, TimeUnit.SECONDS);
      Page<Episode> cached = quarry.fetch(episodes).get(10, TimeUnit.SECONDS); // fresh: no request

      out.println("episodes: " + page.docs().stream().map(Episode::title).toList());
      out.println("same data from the cache: " + cached.equals(page));
      out.println(
          "requests: " + backend.requestCount("GET /api/projects/p1/episodes") + " for 3 fetches");
    }
  }
}
