package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.Quarry;
import dev.quarry.TopicBinding;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.Backoff;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: churn through the {@link Quarry} facade (observe / unobserve, fetch / invalidate,
 * persistent writes, topic bindings with server events, a socket.io server restart every 30 s)
 * against mockwebserver3 and the real socket.io server, sampling used heap (after a GC) and the
 * live thread count every 10 s. Both must stay flat, and after {@code close()} the thread count
 * must return to where it started.
 *
 * <p>Not part of the normal build (tag {@code soak}). Run it with:
 *
 * <pre>
 * mvn -o test -pl reliability -Dquarry.soak.excluded= -Dtest=SoakTest -Dquarry.soak.minutes=30
 * </pre>
 */
@Tag("soak")
class SoakTest {
  private static final long SEED = 0x50A4L;
  private static final Duration RESTART_EVERY = Duration.ofSeconds(30);
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
  private static final QueryKey CREATE = QueryKey.of("items", "create");

  /** An item. */
  record Item(String id, int n) {}

  @TempDir Path dir;

  private final AtomicLong writes = new AtomicLong();

  private static MockResponse json(String body) {
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  private static java.util.Set<String> threadNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()) {
        names.add(t.getName());
      }
    }
    return names;
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.HOURS)
  void churn_keepsHeapAndThreadsFlat() throws Exception {
    Duration duration = Duration.ofMinutes(Long.getLong("quarry.soak.minutes", 30));
    Random random = new Random(SEED);
    int threadsAtStart = threads();
    java.util.Set<String> namesAtStart = threadNames();
    List<long[]> samples = new ArrayList<>(); // {seconds, heap bytes, threads}
    long restarts = 0;
    long operations = 0;
    long events = 0;
    try (MockWebServer http = new MockWebServer();
        SocketIoTestServer sio = SocketIoTestServer.start()) {
      http.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
      http.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              String target = request.getTarget();
              if ("POST".equals(request.getMethod())) {
                writes.incrementAndGet();
                return json("{\"id\":\"w\",\"n\":" + writes.get() + "}");
              }
              return json("{\"id\":\"" + target + "\",\"n\":" + target.length() + "}");
            }
          });
      http.start();
      Quarry quarry =
          Quarry.builder()
              .baseUrl(http.url("/").toString())
              .realtime(
                  URI.create(sio.url()),
                  r -> r.reconnectBackoff(Backoff.fixed(Duration.ofMillis(200))))
              .queryDefaults(
                  d -> d.retry(RetryPolicy.when((n, e) -> n < 2 && JsonHttp.isRetryable(e))))
              .persistence(dir)
              .build();
      try {
        quarry
            .mutations()
            .setMutationDefaults(
                CREATE,
                MutationOptions.<Item, JsonNode, Void>builder()
                    .mutationFn((item, ctx) -> ctx.http().post("items", item, JsonNode.class))
                    .variablesType(Item.class)
                    .persistent(true)
                    .retry(RetryPolicy.when((n, e) -> n < 5 && JsonHttp.isRetryable(e)))
                    .retryDelay(Duration.ofMillis(50))
                    // Settled mutations stay in the mutation cache for gcTime (TanStack's
                    // default 5 min); a short one keeps that retention out of the heap curve.
                    .gcTime(Duration.ofSeconds(5))
                    .build());
        List<QueryObserver<Item>> observers = new ArrayList<>();
        List<TopicBinding> bindings = new ArrayList<>();
        long start = System.nanoTime();
        long nextRestart = start + RESTART_EVERY.toNanos();
        long nextSample = start;
        while (System.nanoTime() - start < duration.toNanos()) {
          long now = System.nanoTime();
          if (now >= nextSample) {
            long[] s = {(now - start) / 1_000_000_000L, usedHeapAfterGc(), threads()};
            samples.add(s);
            System.out.println(
                "SOAK t="
                    + s[0]
                    + "s heapMiB="
                    + s[1] / (1024 * 1024)
                    + " threads="
                    + s[2]
                    + " ops="
                    + operations
                    + " restarts="
                    + restarts
                    + " events="
                    + events
                    + " observers="
                    + observers.size()
                    + " bindings="
                    + bindings.size());
            nextSample += SAMPLE_EVERY.toNanos();
          }
          if (now >= nextRestart) {
            sio.restart();
            restarts++;
            nextRestart += RESTART_EVERY.toNanos();
          }
          int id = random.nextInt(50);
          QueryKey key = QueryKey.of("items", id);
          QueryOptions<Item> options = quarry.query(key, h -> h.get("items/" + id, Item.class));
          switch (random.nextInt(8)) {
            case 0 -> {
              if (observers.size() < 20) {
                observers.add(quarry.observe(options, r -> {}));
              }
            }
            case 1 -> {
              if (!observers.isEmpty()) {
                observers.remove(random.nextInt(observers.size())).close();
              }
            }
            case 2 -> quarry.fetch(options).handle((v, e) -> null).get(30, TimeUnit.SECONDS);
            case 3 ->
                quarry
                    .invalidate(QueryKey.of("items"))
                    .handle((v, e) -> null)
                    .get(30, TimeUnit.SECONDS);
            case 4 ->
                quarry
                    .mutations()
                    .mutate(
                        MutationOptions.<Item, JsonNode, Void>builder().mutationKey(CREATE).build(),
                        new Item("i" + id, id))
                    .handle((v, e) -> null)
                    .get(30, TimeUnit.SECONDS);
            case 5 -> {
              if (bindings.size() < 5) {
                Topic topic = Topic.of("execution", "executionId", "x" + id);
                bindings.add(quarry.bind(topic).invalidate("agent-event", key));
              } else {
                bindings.remove(random.nextInt(bindings.size())).close();
              }
            }
            case 6 -> {
              Map<String, String> params = Map.of("executionId", "x" + id);
              sio.emit(SocketIoTestServer.roomOf(params), "agent-event", params);
              events++;
            }
            default -> {
              // A round trip through the realtime connection when it is up.
              if (quarry.realtime().state() == dev.quarry.realtime.ConnectionState.CONNECTED) {
                CompletableFuture<?> echo =
                    quarry.realtime().emitWithAck("echo", Duration.ofSeconds(5), "soak");
                echo.handle((v, e) -> null).get(10, TimeUnit.SECONDS);
              }
            }
          }
          operations++;
          // mockwebserver3 keeps every request until taken: drop them, they are not Quarry's heap.
          while (http.takeRequest(0, TimeUnit.SECONDS) != null) {
            // discard
          }
        }
        observers.forEach(QueryObserver::close);
        bindings.forEach(TopicBinding::close);
      } finally {
        quarry.close();
      }
    }
    // Every quarry-... thread must end with close(). OkHttp's and Okio's shared daemon threads
    // (TaskRunner, Watchdog) and the JDK's process reaper idle out on their own after about 60 s.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> threadNames().stream().noneMatch(n -> n.startsWith("quarry-")));
    java.util.Set<String> left = threadNames();
    left.removeAll(namesAtStart);
    int threadsAtEnd = threads();

    int third = Math.max(1, samples.size() / 3);
    long firstHeap = samples.subList(0, third).stream().mapToLong(s -> s[1]).max().orElse(0);
    long lastHeap =
        samples.subList(samples.size() - third, samples.size()).stream()
            .mapToLong(s -> s[1])
            .max()
            .orElse(0);
    long firstThreads = samples.subList(0, third).stream().mapToLong(s -> s[2]).max().orElse(0);
    long lastThreads =
        samples.subList(samples.size() - third, samples.size()).stream()
            .mapToLong(s -> s[2])
            .max()
            .orElse(0);
    System.out.println(
        "SOAK summary: "
            + duration.toMinutes()
            + " min, "
            + operations
            + " operations, "
            + restarts
            + " server restarts, "
            + events
            + " events, "
            + writes.get()
            + " writes; heap (max after GC) first third "
            + firstHeap / (1024 * 1024)
            + " MiB, last third "
            + lastHeap / (1024 * 1024)
            + " MiB; threads first third "
            + firstThreads
            + ", last third "
            + lastThreads
            + "; threads before "
            + threadsAtStart
            + ", after close "
            + threadsAtEnd);
    assertThat(lastHeap).as("heap stays flat").isLessThan(firstHeap * 3 / 2 + 16L * 1024 * 1024);
    assertThat(lastThreads).as("threads stay flat").isLessThanOrEqualTo(firstThreads + 4);
    assertThat(left).allMatch(n -> !n.startsWith("quarry-"));
  }
}
