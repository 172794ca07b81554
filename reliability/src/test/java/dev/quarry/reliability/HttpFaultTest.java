package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.RealScheduler;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.HttpDecodeException;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Retryer;
import dev.quarry.testing.fault.FaultProxy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP faults from mockwebserver3 (and the {@link FaultProxy}) through {@link JsonHttp} and the
 * core retry loop with the policy "retry what {@link JsonHttp#isRetryable} says, at most twice":
 * each fault ends in its typed error, and only I/O errors, 5xx and 429 are retried.
 */
class HttpFaultTest {
  /** Item, the decoded type. */
  record Item(String id, int n) {}

  private static final String OK = "{\"id\":\"a\",\"n\":1}";
  private static final Duration READ_TIMEOUT = Duration.ofMillis(400);
  private static final Map<String, FaultTally> TALLIES = new LinkedHashMap<>();

  private final RetryPolicy policy =
      RetryPolicy.when((n, e) -> n < 2 && JsonHttp.isRetryable(e)).withDelay(Duration.ofMillis(5));
  private MockWebServer server;
  private JsonHttp http;
  private RealScheduler scheduler;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
    server.start();
    http = client(server.url("/").toString());
    scheduler = RealScheduler.create();
  }

  private static JsonHttp client(String baseUrl) {
    return JsonHttp.builder()
        .baseUrl(baseUrl)
        .readTimeout(READ_TIMEOUT)
        .maxResponseBytes(10_000)
        .build();
  }

  @AfterEach
  void tearDown() {
    http.close();
    scheduler.close();
    server.close();
  }

  @AfterAll
  static void printCounts() {
    TALLIES.values().forEach(t -> t.print("through JsonHttp + Retryer, retry only if retryable"));
  }

  /** What a run through the retry loop ended with. */
  private record Outcome(Object valueOrError, int attempts) {
    Throwable error() {
      return (Throwable) valueOrError;
    }
  }

  private Outcome run(JsonHttp client) throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    Retryer<Item> retryer =
        Retryer.create(
            () -> {
              attempts.incrementAndGet();
              return client.get("item", Item.class);
            },
            policy,
            scheduler,
            () -> true,
            () -> true,
            null);
    retryer.start();
    CompletableFuture<Item> f = retryer.future();
    try {
      return new Outcome(f.get(20, TimeUnit.SECONDS), attempts.get());
    } catch (ExecutionException e) {
      return new Outcome(Retryer.unwrap(e), attempts.get());
    }
  }

  private Outcome run(MockResponse... responses) throws Exception {
    for (MockResponse r : responses) {
      server.enqueue(r);
    }
    return run(http);
  }

  /** Records the fault: survived if the outcome is as expected. */
  private static void tally(String fault, int injected, boolean asExpected, Outcome o) {
    FaultTally t;
    synchronized (TALLIES) {
      t = TALLIES.computeIfAbsent(fault, FaultTally::new);
    }
    t.injected(injected);
    if (asExpected) {
      t.survived(injected);
    } else {
      t.lost(injected, fault + ": " + o);
    }
  }

  private static MockResponse.Builder json(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body(body);
  }

  private static MockResponse ok() {
    return json(OK).build();
  }

  @Test
  void truncatedJson_isAMalformedDecodeError_andNotRetried() throws Exception {
    Outcome o = run(json(OK.substring(0, 9)).build(), ok());
    tally("HTTP truncated JSON", 1, o.attempts() == 1, o);
    assertThat(o.error())
        .isInstanceOfSatisfying(
            HttpDecodeException.class,
            d -> assertThat(d.reason()).isEqualTo(HttpDecodeException.Reason.MALFORMED));
    assertThat(o.attempts()).isEqualTo(1);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void wrongContentType_isANotJsonDecodeError_andNotRetried() throws Exception {
    Outcome o =
        run(json("<html>maintenance</html>").setHeader("Content-Type", "text/html").build(), ok());
    tally("HTTP wrong content type", 1, o.attempts() == 1, o);
    assertThat(o.error())
        .isInstanceOfSatisfying(
            HttpDecodeException.class,
            d -> assertThat(d.reason()).isEqualTo(HttpDecodeException.Reason.NOT_JSON));
    assertThat(o.attempts()).isEqualTo(1);
  }

  @Test
  void bodyOverTheLimit_declaredOrChunked_isTooLarge_andNotRetried() throws Exception {
    String big = "[" + "1,".repeat(10_000) + "1]";
    Outcome declared = run(json(big).build());
    tally("HTTP body over the size limit", 1, declared.attempts() == 1, declared);
    assertThat(declared.error())
        .isInstanceOfSatisfying(
            HttpDecodeException.class,
            d -> assertThat(d.reason()).isEqualTo(HttpDecodeException.Reason.TOO_LARGE));
    assertThat(declared.attempts()).isEqualTo(1);

    Outcome chunked =
        run(
            new MockResponse.Builder()
                .code(200)
                .setHeader("Content-Type", "application/json")
                .chunkedBody(big, 1024)
                .build());
    tally("HTTP body over the size limit", 1, chunked.attempts() == 1, chunked);
    assertThat(chunked.error())
        .isInstanceOfSatisfying(
            HttpDecodeException.class,
            d -> assertThat(d.reason()).isEqualTo(HttpDecodeException.Reason.TOO_LARGE));
  }

  @Test
  void stalledBody_timesOutAsAnIoError_andIsRetriedUntilItSucceeds() throws Exception {
    MockResponse stalled = json(OK).onResponseBody(SocketEffect.Stall.INSTANCE).build();
    Outcome o = run(stalled, ok());
    tally("HTTP stalled body (read timeout)", 1, Item.class.isInstance(o.valueOrError()), o);
    assertThat(o.valueOrError()).isEqualTo(new Item("a", 1));
    assertThat(o.attempts()).isEqualTo(2);
  }

  @Test
  void stalledBodyEveryTime_failsWithTheIoError_afterThreeAttempts() throws Exception {
    MockResponse stalled = json(OK).onResponseBody(SocketEffect.Stall.INSTANCE).build();
    Outcome o = run(stalled, stalled, stalled, ok());
    tally(
        "HTTP stalled body (read timeout)",
        3,
        o.error() instanceof HttpIoException && o.attempts() == 3,
        o);
    assertThat(o.error()).isInstanceOf(HttpIoException.class).hasMessageContaining("item");
    assertThat(o.attempts()).isEqualTo(3);
  }

  @Test
  void resetMidBody_isAnIoError_andIsRetried() throws Exception {
    String body = "{\"id\":\"" + "x".repeat(4000) + "\",\"n\":1}";
    MockResponse cut = json(body).onResponseBody(new SocketEffect.CloseSocket()).build();
    Outcome o = run(cut, ok());
    tally("HTTP connection closed mid-body", 1, Item.class.isInstance(o.valueOrError()), o);
    assertThat(o.valueOrError()).isEqualTo(new Item("a", 1));
    assertThat(o.attempts()).isEqualTo(2);

    Outcome always = run(cut, cut, cut);
    tally(
        "HTTP connection closed mid-body",
        3,
        always.error() instanceof HttpIoException && always.attempts() == 3,
        always);
    assertThat(always.error()).isInstanceOf(HttpIoException.class);
  }

  @Test
  void serverErrorsAnd429_areRetried_clientErrorsAreNot() throws Exception {
    for (int status : new int[] {500, 502, 503, 429}) {
      Outcome o = run(new MockResponse.Builder().code(status).body("busy").build(), ok());
      tally("HTTP 5xx / 429 status", 1, Item.class.isInstance(o.valueOrError()), o);
      assertThat(o.valueOrError()).as("after %s", status).isEqualTo(new Item("a", 1));
      assertThat(o.attempts()).as("attempts after %s", status).isEqualTo(2);
    }
    for (int status : new int[] {400, 401, 403, 404, 409, 422}) {
      Outcome o = run(new MockResponse.Builder().code(status).body("{\"error\":1}").build(), ok());
      tally(
          "HTTP 4xx status (not retried)",
          1,
          o.error() instanceof HttpStatusException s && s.status() == status && o.attempts() == 1,
          o);
      assertThat(o.error())
          .isInstanceOfSatisfying(
              HttpStatusException.class, s -> assertThat(s.status()).isEqualTo(status));
      assertThat(o.attempts()).isEqualTo(1);
      server.takeRequest();
      run(http); // consume the unused ok response
    }
  }

  @Test
  void proxyResetMidBody_isAnIoError_andTheRetrySucceeds() throws Exception {
    try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.getPort());
        JsonHttp viaProxy = client(proxy.url() + "/")) {
      String body = "{\"id\":\"" + "y".repeat(8000) + "\",\"n\":2}";
      server.enqueue(json(body).build());
      server.enqueue(json(body).build());
      proxy.bandwidth(FaultProxy.Direction.DOWNSTREAM, 4_000); // ~2 s for the body
      CompletableFuture<Void> resetter =
          CompletableFuture.runAsync(
              () -> {
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> proxy.stats().bytesDownstream() > 500);
                proxy.bandwidth(FaultProxy.Direction.DOWNSTREAM, 0);
                proxy.resetAll();
              });
      Outcome o = run(viaProxy);
      resetter.get(10, TimeUnit.SECONDS);
      tally("HTTP reset mid-body (FaultProxy RST)", 1, o.attempts() == 2, o);
      assertThat(o.valueOrError()).isEqualTo(new Item("y".repeat(8000), 2));
      assertThat(o.attempts()).isEqualTo(2);
      assertThat(proxy.stats().resets()).isEqualTo(1);
    }
  }

  @Test
  void blackHoledServer_timesOut_andTheRetryAfterHealingSucceeds() throws Exception {
    try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.getPort());
        JsonHttp viaProxy = client(proxy.url() + "/")) {
      server.enqueue(ok());
      server.enqueue(ok());
      proxy.blackHole(true);
      AtomicInteger attempts = new AtomicInteger();
      Retryer<Item> retryer =
          Retryer.create(
              () -> {
                if (attempts.incrementAndGet() == 2) {
                  proxy.blackHole(false);
                }
                return viaProxy.get("item", Item.class);
              },
              policy,
              scheduler,
              () -> true,
              () -> true,
              null);
      retryer.start();
      Item item = retryer.future().get(20, TimeUnit.SECONDS);
      Outcome o = new Outcome(item, attempts.get());
      tally("HTTP black hole (read timeout)", 1, attempts.get() == 2, o);
      assertThat(item).isEqualTo(new Item("a", 1));
      assertThat(attempts.get()).isEqualTo(2);
      assertThat(proxy.stats().bytesDropped()).isPositive();
    }
  }

  @Test
  void refusedConnections_areIoErrors_retriedUntilThePolicyGivesUp() throws Exception {
    try (FaultProxy proxy = FaultProxy.start("127.0.0.1", server.getPort());
        JsonHttp viaProxy = client(proxy.url() + "/")) {
      proxy.refuseNewConnections(true);
      Outcome o = run(viaProxy);
      tally(
          "HTTP connection refused",
          3,
          o.error() instanceof HttpIoException && o.attempts() == 3,
          o);
      assertThat(o.error()).isInstanceOf(HttpIoException.class);
      assertThat(o.attempts()).isEqualTo(3);
      assertThat(server.getRequestCount()).isZero();
      assertThat(proxy.stats().accepted()).isZero();
    }
  }
}
