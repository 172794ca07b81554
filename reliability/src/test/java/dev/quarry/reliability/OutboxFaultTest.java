package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 persistent mutations through the outbox against an idempotent server (mockwebserver3) that
 * fails a third of the requests (500, 503, 429, a response cut after the write was applied, a
 * connection closed before the request was read), with a client restart half way: every mutation
 * must be applied exactly once, in submission order, and the outbox must end empty.
 */
class OutboxFaultTest {
  private static final long SEED = 0x0B0C5L;
  private static final int MUTATIONS = 100;
  private static final QueryKey CREATE = QueryKey.of("episodes", "create");

  /** The variables. */
  record NewEpisode(String title, int number) {}

  @TempDir Path dir;

  private final ObjectMapper mapper = new ObjectMapper();
  private final Map<String, Integer> appliedByKey = new ConcurrentHashMap<>();
  private final List<Integer> applicationOrder = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger faults = new AtomicInteger();
  private final AtomicInteger replays = new AtomicInteger();

  private MutationClient client(Path file, JsonHttp http) {
    MutationClient client =
        MutationClient.builder().outbox(file).http(http).errorHandler((c, e) -> {}).build();
    client.setMutationDefaults(
        CREATE,
        MutationOptions.<NewEpisode, JsonNode, Void>builder()
            .mutationFn((ep, ctx) -> ctx.http().post("episodes", ep, JsonNode.class))
            .variablesType(NewEpisode.class)
            .persistent(true)
            .scope("episodes")
            .retry(RetryPolicy.when((n, e) -> n < 30 && JsonHttp.isRetryable(e)))
            .retryDelay(Duration.ofMillis(5))
            .build());
    return client;
  }

  private MockResponse applied(int number) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body("{\"number\":" + number + ",\"padding\":\"" + "p".repeat(2000) + "\"}")
        .build();
  }

  private MockResponse handle(RecordedRequest request, Random random) throws Exception {
    requests.incrementAndGet();
    String key = request.getHeaders().get("Idempotency-Key");
    if (key == null) {
      return new MockResponse.Builder().code(400).body("{\"error\":\"no key\"}").build();
    }
    int number = mapper.readTree(request.getBody().utf8()).get("number").asInt();
    int roll;
    synchronized (random) {
      roll = random.nextInt(15);
    }
    switch (roll) {
      case 0 -> {
        faults.incrementAndGet();
        return new MockResponse.Builder().code(503).body("busy").build();
      }
      case 1 -> {
        faults.incrementAndGet();
        return new MockResponse.Builder().code(500).body("oops").build();
      }
      case 2 -> {
        faults.incrementAndGet();
        return new MockResponse.Builder().code(429).body("slow down").build();
      }
      case 3 -> {
        faults.incrementAndGet();
        apply(key, number); // applied, but the client never sees the answer
        return new MockResponse.Builder(applied(number))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build();
      }
      case 4 -> {
        faults.incrementAndGet();
        return new MockResponse.Builder(applied(number))
            .onResponseStart(new SocketEffect.CloseSocket())
            .build();
      }
      default -> {
        apply(key, number);
        return applied(number);
      }
    }
  }

  private void apply(String key, int number) {
    synchronized (applicationOrder) {
      if (appliedByKey.putIfAbsent(key, number) == null) {
        applicationOrder.add(number);
      } else {
        replays.incrementAndGet(); // an idempotent replay: answered, not applied again
      }
    }
  }

  @Test
  void persistentMutations_throughFaultsAndARestart_areAppliedExactlyOnceInOrder()
      throws Exception {
    Random random = new Random(SEED);
    Path file = dir.resolve("outbox.mv");
    try (MockWebServer server = new MockWebServer()) {
      server.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              try {
                return handle(request, random);
              } catch (Exception e) {
                return new MockResponse.Builder().code(400).body(String.valueOf(e)).build();
              }
            }
          });
      server.start();
      try (JsonHttp http =
          JsonHttp.builder()
              .baseUrl(server.url("/").toString())
              .readTimeout(Duration.ofSeconds(5))
              .build()) {
        List<CompletableFuture<JsonNode>> first = new ArrayList<>();
        MutationClient a = client(file, http);
        MutationOptions<NewEpisode, JsonNode, Void> create =
            MutationOptions.<NewEpisode, JsonNode, Void>builder().mutationKey(CREATE).build();
        for (int i = 0; i < MUTATIONS; i++) {
          first.add(a.mutate(create, new NewEpisode("e" + i, i)));
        }
        // Restart half way: the first client stops with mutations unsettled, a new one resumes.
        await().atMost(Duration.ofSeconds(30)).until(() -> appliedByKey.size() >= MUTATIONS / 2);
        a.close();
        int settledBeforeRestart =
            (int) first.stream().filter(f -> !f.isCompletedExceptionally() && f.isDone()).count();
        try (MutationClient b = client(file, http)) {
          b.resumeOutbox().get(60, TimeUnit.SECONDS);
          await().atMost(Duration.ofSeconds(30)).until(() -> b.outboxRecords().isEmpty());
          assertThat(b.setAsideRecords()).isEmpty();
        }
        List<Integer> order;
        synchronized (applicationOrder) {
          order = List.copyOf(applicationOrder);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < MUTATIONS; i++) {
          expected.add(i);
        }
        FaultTally tally =
            new FaultTally("HTTP faults and a client restart under persistent mutations (outbox)");
        tally.injected(faults.get() + 1L);
        long missing = expected.stream().filter(n -> !order.contains(n)).count();
        long doubled = order.size() - order.stream().distinct().count();
        tally.survived(faults.get() + 1L);
        if (missing + doubled > 0) {
          tally.lost(missing + doubled, "applied " + order);
        }
        tally.print(
            "seed "
                + Long.toHexString(SEED)
                + ": "
                + MUTATIONS
                + " mutations, "
                + requests.get()
                + " requests, "
                + faults.get()
                + " faults and 1 restart ("
                + settledBeforeRestart
                + " settled before it): "
                + order.stream().distinct().count()
                + " applied once, "
                + missing
                + " missing, "
                + doubled
                + " applied twice, "
                + replays.get()
                + " idempotent replays answered without re-applying; in order: "
                + order.equals(expected));
        assertThat(order).as("applied exactly once, in submission order").isEqualTo(expected);
      }
    }
  }
}
