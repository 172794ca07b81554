package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.http.HttpDecodeException;
import dev.quarry.core.http.HttpException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.http.JsonType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Serves seeded random and mutated JSON bodies from mockwebserver3 and decodes them with {@link
 * JsonHttp} into several target types: every call must end with a value or a typed {@link
 * HttpException} subclass, never another exception and never a hang.
 */
class JsonBodyFuzzTest {
  private static final long SEED = 0xB0D1E5L;
  private static final int BODIES = Integer.getInteger("fuzz.bodies", 2_000);

  /** A typical response type. */
  record Item(String id, int n, List<String> tags, Map<String, Object> meta) {}

  private final Map<String, MockResponse> responses = new ConcurrentHashMap<>();
  private MockWebServer server;
  private JsonHttp http;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
    // Responses by path, not by queue: OkHttp itself retries a 408 once, which would shift a queue.
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            MockResponse r = responses.get(request.getTarget());
            return r != null ? r : new MockResponse.Builder().code(599).build();
          }
        });
    server.start();
    http =
        JsonHttp.builder()
            .baseUrl(server.url("/").toString())
            .readTimeout(Duration.ofSeconds(5))
            .maxResponseBytes(64 * 1024)
            .build();
  }

  @AfterEach
  void tearDown() {
    http.close();
    server.close();
  }

  @Test
  void jsonHttp_randomAndMutatedBodies_yieldAValueOrATypedHttpException() throws Exception {
    Random random = new Random(SEED);
    RandomJson json = new RandomJson(random);
    FaultTally tally = new FaultTally("JSON body fuzzing (JsonHttp + mockwebserver3)");
    Map<HttpDecodeException.Reason, Integer> reasons =
        new EnumMap<>(HttpDecodeException.Reason.class);
    int values = 0;
    int statusErrors = 0;
    List<String> anomalies = new ArrayList<>();
    List<JsonType<?>> types =
        List.of(
            JsonType.of(JsonNode.class),
            JsonType.of(Item.class),
            JsonType.of(new TypeReference<List<Item>>() {}),
            JsonType.of(new TypeReference<Map<String, Integer>>() {}),
            JsonType.of(String.class),
            JsonType.of(long[].class));
    for (int i = 0; i < BODIES; i++) {
      String body = randomBody(json);
      int code = random.nextInt(10) == 0 ? 400 + random.nextInt(200) : 200;
      String contentType =
          random.nextInt(20) == 0
              ? new String[] {"text/html", "application/problem+json", "application/JSON"}
                  [random.nextInt(3)]
              : "application/json; charset=utf-8";
      responses.put(
          "/items/" + i,
          new MockResponse.Builder()
              .code(code)
              .setHeader("Content-Type", contentType)
              .body(body)
              .build());
      JsonType<?> type = types.get(random.nextInt(types.size()));
      tally.injected(1);
      CompletableFuture<?> f = http.get("items/" + i, type);
      try {
        Object value = f.get(10, TimeUnit.SECONDS);
        assertThat(value).isNotNull();
        values++;
        tally.survived(1);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof HttpDecodeException d) {
          reasons.merge(d.reason(), 1, Integer::sum);
          tally.survived(1);
        } else if (cause instanceof HttpStatusException s && s.status() == code) {
          statusErrors++;
          tally.survived(1);
        } else if (cause instanceof HttpException) {
          // Typed, but not the status error one would expect (OkHttp turns a 407 without a proxy
          // into an IOException, so JsonHttp reports it as a retryable HttpIoException).
          anomalies.add("HTTP " + code + " -> " + cause.getClass().getSimpleName());
          tally.survived(1);
        } else {
          tally.lost(1, cause + " <- " + type + " from HTTP " + code + " body " + abbreviate(body));
        }
      } catch (TimeoutException e) {
        tally.lost(1, "no answer in 10 s <- " + abbreviate(body));
      }
    }
    tally.print(
        "seed "
            + Long.toHexString(SEED)
            + ": "
            + values
            + " values, "
            + statusErrors
            + " HttpStatusException, decode errors "
            + reasons
            + "; "
            + (server.getRequestCount() - BODIES)
            + " extra requests from OkHttp's own retry of 408; status answered as another typed error: "
            + anomalies);
    assertThat(tally.samples()).isEmpty();
    assertThat(values).isGreaterThan(BODIES / 20);
    assertThat(reasons.getOrDefault(HttpDecodeException.Reason.MALFORMED, 0))
        .isGreaterThan(BODIES / 10);
  }

  private static String randomBody(RandomJson json) {
    Random random = json.random();
    String valid =
        switch (random.nextInt(5)) {
          case 0 -> json.value(4);
          case 1 ->
              "{\"id\":\"i1\",\"n\":"
                  + json.value(0)
                  + ",\"tags\":"
                  + json.array(1, 2)
                  + ",\"meta\":"
                  + json.object(2, 2)
                  + "}";
          case 2 -> "[{\"id\":\"a\",\"n\":1,\"tags\":[],\"meta\":{}}," + json.value(2) + "]";
          case 3 -> json.object(1, 3);
          default -> "[" + random.nextInt() + "," + json.value(0) + "]";
        };
    int r = random.nextInt(10);
    if (r < 5) {
      return json.mutate(valid);
    }
    if (r == 5) {
      return valid.substring(0, random.nextInt(valid.length() + 1)); // truncated
    }
    if (r == 6 && random.nextInt(10) == 0) {
      return "[".repeat(70_000); // over the 64 KiB limit
    }
    return valid;
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...(" + s.length() + " chars)";
  }
}
