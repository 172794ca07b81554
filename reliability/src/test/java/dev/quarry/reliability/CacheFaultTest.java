package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.HttpDecodeException;
import dev.quarry.core.http.HttpException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Retryer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

/**
 * 200 concurrent {@code fetchQuery} calls through the cache, each against a seeded plan of HTTP
 * faults from mockwebserver3: retryable ones (500, 503, 429, connection closed mid-body) before a
 * success, or one non-retryable one (404, 400, malformed JSON, wrong content type). Every query
 * must end with its value after exactly the planned attempts, or with the typed error after one.
 */
class CacheFaultTest {
  private static final long SEED = 0xCAC4EL;
  private static final int QUERIES = 200;

  /** The decoded type. */
  record Item(String id, int n) {}

  private record Plan(List<MockResponse> responses, boolean succeeds, String label) {}

  private static MockResponse ok(int i) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body("{\"id\":\"i" + i + "\",\"n\":" + i + "}")
        .build();
  }

  private static Plan plan(Random random, int i) {
    List<MockResponse> r = new ArrayList<>();
    if (random.nextInt(4) == 0) {
      int k = random.nextInt(4);
      MockResponse fault =
          switch (k) {
            case 0 -> new MockResponse.Builder().code(404).body("{}").build();
            case 1 -> new MockResponse.Builder().code(400).body("{}").build();
            case 2 ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .body("{\"id\":\"i" + i + "\",")
                    .build();
            default ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "text/html")
                    .body("<html/>")
                    .build();
          };
      r.add(fault);
      return new Plan(r, false, new String[] {"404", "400", "malformed", "text/html"}[k]);
    }
    int faults = random.nextInt(3);
    StringBuilder label = new StringBuilder();
    for (int f = 0; f < faults; f++) {
      int k = random.nextInt(4);
      r.add(
          switch (k) {
            case 0 -> new MockResponse.Builder().code(500).body("x").build();
            case 1 -> new MockResponse.Builder().code(503).body("x").build();
            case 2 -> new MockResponse.Builder().code(429).body("x").build();
            default ->
                new MockResponse.Builder()
                    .code(200)
                    .setHeader("Content-Type", "application/json")
                    .body("{\"id\":\"" + "z".repeat(3000) + "\",\"n\":1}")
                    .onResponseBody(new SocketEffect.CloseSocket())
                    .build();
          });
      label.append(new String[] {"500", "503", "429", "cut"}[k]).append(' ');
    }
    r.add(ok(i));
    return new Plan(r, true, label.toString().trim());
  }

  @Test
  void concurrentFetches_throughFaults_endWithTheValueOrTheTypedError_retriedOnlyWhenRetryable()
      throws Exception {
    Random random = new Random(SEED);
    Map<String, Deque<MockResponse>> queues = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    List<Plan> plans = new ArrayList<>();
    for (int i = 0; i < QUERIES; i++) {
      Plan p = plan(random, i);
      plans.add(p);
      queues.put("/item/" + i, new ArrayDeque<>(p.responses()));
      attempts.put("/item/" + i, new AtomicInteger());
    }
    try (MockWebServer server = new MockWebServer()) {
      server.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              String path = request.getTarget();
              attempts.get(path).incrementAndGet();
              Deque<MockResponse> q = queues.get(path);
              synchronized (q) {
                return q.size() > 1 ? q.poll() : q.peek();
              }
            }
          });
      server.start();
      RetryPolicy policy = RetryPolicy.when((n, e) -> n < 3 && JsonHttp.isRetryable(e));
      try (JsonHttp http =
              JsonHttp.builder()
                  .baseUrl(server.url("/").toString())
                  .readTimeout(Duration.ofSeconds(5))
                  .build();
          QueryClient cache =
              QueryClient.builder()
                  .http(http)
                  .defaults(
                      QueryDefaults.builder()
                          .retry(policy)
                          .retryDelay(Duration.ofMillis(10))
                          .build())
                  .build()) {
        List<CompletableFuture<Item>> futures = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
          int id = i;
          futures.add(
              cache.fetchQuery(
                  QueryOptions.of(
                      QueryKey.of("item", id), ctx -> ctx.http().get("item/" + id, Item.class))));
        }
        FaultTally tally = new FaultTally("HTTP faults under 200 concurrent cache fetches");
        Map<String, Integer> outcomes = new TreeMap<>();
        int faultsInjected = 0;
        for (int i = 0; i < QUERIES; i++) {
          Plan p = plans.get(i);
          int planned = p.responses().size() - (p.succeeds() ? 1 : 0);
          faultsInjected += planned;
          tally.injected(planned);
          String path = "/item/" + i;
          Object outcome;
          try {
            outcome = futures.get(i).get(30, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            outcome = Retryer.unwrap(e);
          }
          boolean asPlanned;
          if (p.succeeds()) {
            asPlanned =
                new Item("i" + i, i).equals(outcome)
                    && attempts.get(path).get() == p.responses().size();
          } else {
            asPlanned =
                (outcome instanceof HttpStatusException || outcome instanceof HttpDecodeException)
                    && attempts.get(path).get() == 1;
          }
          String kind =
              outcome instanceof HttpException ? outcome.getClass().getSimpleName() : "value";
          outcomes.merge(kind, 1, Integer::sum);
          if (asPlanned) {
            tally.survived(planned);
          } else {
            tally.lost(
                Math.max(1, planned),
                "item "
                    + i
                    + " plan ["
                    + p.label()
                    + "] ended with "
                    + outcome
                    + " after "
                    + attempts.get(path).get()
                    + " attempts");
          }
        }
        tally.print(
            "seed "
                + Long.toHexString(SEED)
                + ": "
                + QUERIES
                + " queries, "
                + faultsInjected
                + " faults planned (500/503/429/cut mid-body retried; 404/400/malformed/"
                + "text/html not): outcomes "
                + outcomes
                + "; "
                + server.getRequestCount()
                + " requests");
        assertThat(tally.samples()).isEmpty();
      }
    }
  }
}
