package dev.quarry.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.Quarry;
import dev.quarry.QuarryBuilder;
import dev.quarry.cache.QueryObserver;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters of cache, mutations and the outbox, against real HTTP traffic (MockWebServer). */
class QuarryMetricsTest {
  static MockWebServer http;
  static final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> COUNTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  Quarry quarry;
  QuarryMetrics metrics;

  @BeforeAll
  static void startServer() throws Exception {
    http = new MockWebServer();
    http.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getTarget().replaceFirst("^/", "").replaceFirst("/.*", "");
            int n =
                COUNTS
                    .computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            return switch (path) {
              case "numbers" -> new MockResponse.Builder().code(200).body("[1,2,3]").build();
              case "flaky" ->
                  n <= 2
                      ? new MockResponse.Builder().code(500).build()
                      : new MockResponse.Builder().code(200).body("[7]").build();
              case "unavailable" -> new MockResponse.Builder().code(503).build();
              default -> new MockResponse.Builder().code(404).body("{}").build();
            };
          }
        });
    http.start();
  }

  @AfterAll
  static void stopServer() {
    http.close();
  }

  private void start(QuarryBuilder builder) {
    start(builder, QuarryMetrics::builder);
  }

  private void start(
      QuarryBuilder builder, java.util.function.Function<Quarry, QuarryMetrics.Builder> custom) {
    quarry = builder.baseUrl(http.url("/").toString()).build();
    metrics = custom.apply(quarry).build();
    metrics.bindTo(registry);
  }

  @AfterEach
  void close() {
    if (metrics != null) {
      metrics.close();
    }
    if (quarry != null) {
      quarry.close();
    }
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private long timerCount(String name, String... tags) {
    Timer t = registry.find(name).tags(tags).timer();
    return t == null ? 0 : t.count();
  }

  private double gauge(String name) {
    var g = registry.find(name).gauge();
    assertThat(g).as(name).isNotNull();
    return g.value();
  }

  private Set<String> keyTagValues() {
    return registry.getMeters().stream()
        .map(Meter::getId)
        .map(id -> id.getTag("key"))
        .filter(v -> v != null)
        .collect(Collectors.toSet());
  }

  @Test
  void fetches_areTimedByOutcome_taggedWithTheKeysFirstPart_neverTheRawKey() throws Exception {
    start(Quarry.builder());
    var numbers = quarry.query(QueryKey.of("numbers", 42), h -> h.get("numbers/42", int[].class));
    var missing =
        quarry.query(QueryKey.of("missing", "id-1"), h -> h.get("missing/id-1", int[].class));

    assertThat(quarry.fetch(numbers).get(10, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
    assertThat(quarry.fetch(missing).handle((v, e) -> e).get(10, TimeUnit.SECONDS)).isNotNull();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(timerCount("quarry.query.fetch", "key", "numbers", "outcome", "success"))
                  .isEqualTo(1);
              assertThat(timerCount("quarry.query.fetch", "key", "missing", "outcome", "error"))
                  .isEqualTo(1);
            });
    assertThat(registry.find("quarry.query.fetch").timer().totalTime(TimeUnit.NANOSECONDS))
        .isPositive();
    assertThat(keyTagValues()).containsOnly("numbers", "missing");
    assertThat(gauge("quarry.queries")).isEqualTo(2);
  }

  @Test
  void retriesAndObservedQueries_areMeasured() throws Exception {
    start(Quarry.builder().queryDefaults(d -> d.retry(2).retryDelay(Duration.ZERO)));
    var flaky = quarry.query(QueryKey.of("flaky"), h -> h.get("flaky", int[].class));
    QueryObserver<int[]> observer = quarry.observe(flaky, r -> {});
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(counter("quarry.query.retries", "key", "flaky")).isEqualTo(2);
              assertThat(timerCount("quarry.query.fetch", "key", "flaky", "outcome", "success"))
                  .isEqualTo(1);
            });
    assertThat(gauge("quarry.queries.observed")).isEqualTo(1);
    observer.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(gauge("quarry.queries.observed")).isZero());
  }

  @Test
  void mutations_areCountedByOutcome() throws Exception {
    start(Quarry.builder());
    var ok =
        quarry.mutation(
            MutationOptions.<String, int[], Void>builder()
                .mutationKey(QueryKey.of("numbers", "add", 42))
                .mutationFn((v, ctx) -> ctx.http().post("numbers", v, int[].class))
                .build());
    var bad =
        quarry.mutation(
            MutationOptions.<String, int[]>of(
                (v, ctx) -> ctx.http().post("missing", v, int[].class)));
    ok.mutate("a").get(10, TimeUnit.SECONDS);
    ok.mutate("b").get(10, TimeUnit.SECONDS);
    bad.mutate("c").handle((v, e) -> e).get(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(counter("quarry.mutations", "key", "numbers", "outcome", "success"))
                  .isEqualTo(2);
              assertThat(counter("quarry.mutations", "key", "none", "outcome", "error"))
                  .isEqualTo(1);
            });
    assertThat(gauge("quarry.mutations.pending")).isZero();
  }

  @Test
  void outbox_pendingRecordsPausedMutationsAndFileSize(@TempDir Path dir) throws Exception {
    quarry = Quarry.builder().baseUrl(http.url("/").toString()).persistence(dir).build();
    metrics = QuarryMetrics.builder(quarry).outboxFile(dir.resolve("outbox.mv")).build();
    metrics.bindTo(registry);
    quarry
        .mutation(
            MutationOptions.<String, int[], Void>builder()
                .mutationKey(QueryKey.of("numbers", "add"))
                .variablesType(String.class)
                .persistent(true)
                .mutationFn((v, ctx) -> ctx.http().post("unavailable", v, int[].class))
                .build())
        .mutate("x");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(gauge("quarry.outbox.pending")).isEqualTo(1);
              assertThat(gauge("quarry.mutations.paused")).isEqualTo(1);
              assertThat(counter("quarry.mutation.retries", "key", "numbers")).isPositive();
            });
    assertThat(gauge("quarry.outbox.set.aside")).isZero();
    assertThat(gauge("quarry.outbox.size")).isPositive();
  }

  @Test
  void afterClose_gaugesReadNaN_andEventsAreNoLongerCounted() throws Exception {
    start(Quarry.builder());
    metrics.close();
    quarry
        .fetch(quarry.query(QueryKey.of("numbers"), h -> h.get("numbers", int[].class)))
        .get(10, TimeUnit.SECONDS);
    assertThat(timerCount("quarry.query.fetch", "key", "numbers", "outcome", "success")).isZero();
    quarry.close();
    assertThat(gauge("quarry.queries")).isNaN();
  }

  @Test
  void keyTags_areBounded_whateverTheFunction() throws Exception {
    // a function that would leak raw keys: bounded to 3 values, the rest are "other"
    start(
        Quarry.builder(),
        q -> QuarryMetrics.builder(q).keyTags(KeyTags.of(QueryKey::hash).withMaxValues(3)));
    for (int i = 0; i < 6; i++) {
      quarry
          .fetch(quarry.query(QueryKey.of("numbers", i), h -> h.get("numbers", int[].class)))
          .get(10, TimeUnit.SECONDS);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        registry.find("quarry.query.fetch").timers().stream()
                            .mapToLong(Timer::count)
                            .sum())
                    .isEqualTo(6));
    assertThat(keyTagValues()).hasSize(4).contains(KeyTags.OTHER);
  }

  @Test
  void cacheHits_areCountedByKey_whenAReadNeedsNoFetch() throws Exception {
    start(Quarry.builder().queryDefaults(d -> d.staleTime(Duration.ofMinutes(5))));
    COUNTS.clear();
    var numbers = quarry.query(QueryKey.of("numbers", 1), h -> h.get("numbers/1", int[].class));

    quarry.fetch(numbers).get(10, TimeUnit.SECONDS); // a miss: fetched
    quarry.fetch(numbers).get(10, TimeUnit.SECONDS); // fresh: a hit
    quarry.queries().ensureQueryData(numbers).get(10, TimeUnit.SECONDS); // cached: a hit

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(counter("quarry.query.hits", "key", "numbers")).isEqualTo(2);
              assertThat(timerCount("quarry.query.fetch", "key", "numbers", "outcome", "success"))
                  .isEqualTo(1);
            });
    assertThat(COUNTS.get("numbers").get()).isEqualTo(1);
  }

  @Test
  void fetchDurations_areExact_evenWhenTheCallbackExecutorIsBehind() throws Exception {
    VirtualTime time = new VirtualTime();
    // a callback executor that runs nothing until the test drains it: as far behind as can be
    Queue<Runnable> behind = new ConcurrentLinkedQueue<>();
    start(Quarry.builder().time(time, time).callbackExecutor(behind::add));
    CompletableFuture<Void> serverAnswered = new CompletableFuture<>();
    var slow =
        quarry.query(
            QueryKey.of("numbers", "slow"),
            h -> serverAnswered.thenCompose(x -> h.get("numbers/slow", int[].class)));

    CompletableFuture<int[]> fetch = quarry.fetch(slow);
    time.advance(Duration.ofMillis(7_250)); // the request takes 7.25 s of the facade's clock
    serverAnswered.complete(null);
    assertThat(fetch.get(10, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
    time.advance(Duration.ofSeconds(3)); // the callbacks run 3 s later
    for (Runnable r; (r = behind.poll()) != null; ) {
      r.run();
    }

    Timer t =
        registry.find("quarry.query.fetch").tags("key", "numbers", "outcome", "success").timer();
    assertThat(t).isNotNull();
    assertThat(t.count()).isEqualTo(1);
    // the real HTTP round trip adds no virtual time, the late callbacks change nothing
    assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(7_250.0);
  }

  @Test
  void optimisticRollbacks_areCountedByKey_onlyForFailedMutationsWithChanges() throws Exception {
    start(Quarry.builder());
    QueryKey list = QueryKey.of("numbers", "list");
    quarry.setQueryData(list, new int[] {1, 2, 3});
    var refused =
        quarry.mutation(
            MutationOptions.<Integer, int[], Void>builder()
                .mutationKey(QueryKey.of("numbers", "add"))
                .mutationFn((v, ctx) -> ctx.http().post("missing", v, int[].class))
                .<int[]>optimistic(v -> list, (old, v) -> old.map(o -> new int[] {v}))
                .build());
    var accepted =
        quarry.mutation(
            MutationOptions.<Integer, int[], Void>builder()
                .mutationKey(QueryKey.of("numbers", "add"))
                .mutationFn((v, ctx) -> ctx.http().post("numbers", v, int[].class))
                .<int[]>optimistic(v -> list, (old, v) -> old.map(o -> new int[] {v}))
                .build());

    assertThat(refused.mutate(9).handle((v, e) -> e).get(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(refused.mutate(8).handle((v, e) -> e).get(10, TimeUnit.SECONDS)).isNotNull();
    accepted.mutate(7).get(10, TimeUnit.SECONDS);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(counter("quarry.mutations", "key", "numbers", "outcome", "error"))
                  .isEqualTo(2);
              assertThat(counter("quarry.mutations", "key", "numbers", "outcome", "success"))
                  .isEqualTo(1);
            });
    assertThat(counter("quarry.mutation.rollbacks", "key", "numbers")).isEqualTo(2);
  }

  @Test
  void outboxSize_isTheFacadesOutboxOnDisk_withoutAPathGiven(@TempDir Path dir) throws Exception {
    quarry = Quarry.builder().baseUrl(http.url("/").toString()).persistence(dir).build();
    metrics = QuarryMetrics.of(quarry);
    metrics.bindTo(registry);
    quarry
        .mutation(
            MutationOptions.<String, int[], Void>builder()
                .mutationKey(QueryKey.of("numbers", "add"))
                .variablesType(String.class)
                .persistent(true)
                .mutationFn((v, ctx) -> ctx.http().post("unavailable", v, int[].class))
                .build())
        .mutate("x");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(gauge("quarry.outbox.pending")).isEqualTo(1));
    long file = Files.size(dir.resolve("outbox.mv"));
    assertThat(file).isPositive();
    assertThat(gauge("quarry.outbox.size")).isGreaterThanOrEqualTo(file);
  }

  @Test
  void withoutAnOutbox_thereIsNoOutboxSizeMeter() {
    start(Quarry.builder());
    assertThat(registry.find("quarry.outbox.size").gauge()).isNull();
  }

  @Test
  void defaultKeyTags_takeANameLikeFirstPartOnly() {
    KeyTags tags = KeyTags.firstPart();
    assertThat(tags.tag(QueryKey.of("episodes", "p1"))).isEqualTo("episodes");
    assertThat(tags.tag(QueryKey.of(42, "x"))).isEqualTo(KeyTags.OTHER);
    assertThat(tags.tag(QueryKey.of("user 7@example.com"))).isEqualTo(KeyTags.OTHER);
    assertThat(tags.tag(QueryKey.empty())).isEqualTo(KeyTags.NONE);
    KeyTags failing =
        KeyTags.of(
            k -> {
              throw new IllegalStateException("broken");
            });
    assertThat(failing.tag(QueryKey.of("a"))).isEqualTo(KeyTags.OTHER);
  }
}
