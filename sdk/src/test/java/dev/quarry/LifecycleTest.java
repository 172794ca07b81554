package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quarry.cache.QueryObserver;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RealScheduler;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleTest {
  static SocketIoTestServer socketio;
  static MockWebServer http;
  static final List<String> ERRORS = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServers() throws Exception {
    socketio = SocketIoTestServer.start();
    http = new MockWebServer();
    http.setDispatcher(
        new mockwebserver3.Dispatcher() {
          @Override
          public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
            return new MockResponse.Builder().code(200).body("[1,2,3]").build();
          }
        });
    http.start();
  }

  @AfterAll
  static void stopServers() {
    socketio.close();
    http.close();
  }

  /** One realistic life: connect, fetch over HTTP, a live query, a store, then close. */
  private static void cycle(Path dir) throws Exception {
    try (Quarry quarry =
        Quarry.builder()
            .baseUrl(http.url("/").toString())
            .realtime(URI.create(socketio.url()), r -> r)
            .persistence(dir)
            .errorHandler((c, e) -> ERRORS.add(c + ": " + e))
            .build()) {
      List<Object> events = new java.util.concurrent.CopyOnWriteArrayList<>();
      quarry.realtime().onConnectionEvent(events::add);
      QueryKey key = QueryKey.of("numbers");
      var options = quarry.query(key, h -> h.get("numbers", int[].class));
      quarry.bind(Topic.of("numbers", Map.of("id", "n1"))).live(key);
      QueryObserver<int[]> observer = quarry.observe(options, r -> {});
      assertThat(quarry.fetch(options).get(10, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(quarry.realtime().state())
                      .as("events %s errors %s", events, ERRORS)
                      .isEqualTo(ConnectionState.CONNECTED));
      quarry.store("ui", List.of("modal"));
      observer.close();
    }
  }

  private static long countThreads() {
    // The process-wide task runners of OkHttp and of the test's MockWebServer keep idle threads for
    // a minute whoever started them, and Awaitility polls the condition on a thread of its own.
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> !t.getName().endsWith(" TaskRunner"))
        .filter(t -> !t.getName().startsWith("awaitility"))
        .count();
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .sorted()
        .toList();
  }

  private static List<String> quarryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("quarry-") && !n.startsWith("quarry-testserver"))
        .sorted()
        .toList();
  }

  @Test
  void fiftyBuildCloseCycles_leaveTheThreadCountWhereItStarted(@TempDir Path dir) throws Exception {
    cycle(dir); // warms up class loading and OkHttp's shared threads
    await().atMost(Duration.ofSeconds(10)).until(() -> quarryThreads().isEmpty());
    long before = countThreads();
    List<String> namesBefore = threadNames();

    for (int i = 0; i < 50; i++) {
      cycle(Files.createDirectories(dir.resolve("run-" + i)));
    }

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(quarryThreads()).isEmpty();
              assertThat(countThreads())
                  .as("threads %s, before %s", threadNames(), namesBefore)
                  .isLessThanOrEqualTo(before);
            });
  }

  @Test
  void close_isIdempotent_andLeavesWhatItWasGivenRunning() throws Exception {
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    RealScheduler scheduler = RealScheduler.create();
    OkHttpClient client = new OkHttpClient();
    Connectivity connectivity = Connectivity.create();
    try {
      Quarry quarry =
          Quarry.builder()
              .baseUrl(http.url("/").toString())
              .callbackExecutor(callbacks)
              .time(dev.quarry.core.Clock.system(), scheduler)
              .httpClient(client)
              .connectivity(connectivity)
              .build();
      assertThat(quarry.http().get("n", int[].class).get(10, TimeUnit.SECONDS)).hasSize(3);

      quarry.close();
      quarry.close();

      assertThat(quarry.isClosed()).isTrue();
      assertThat(callbacks.isShutdown()).isFalse();
      assertThat(scheduler.isClosed()).isFalse();
      assertThat(client.dispatcher().executorService().isShutdown()).isFalse();
      assertThat(callbacks.submit(() -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
    } finally {
      callbacks.shutdown();
      scheduler.close();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Test
  void realtime_withoutRealtimeConfigured_failsNamingTheOption() {
    try (Quarry quarry = Quarry.builder().build()) {
      assertThat(quarry.hasRealtime()).isFalse();
      assertThatThrownBy(quarry::realtime)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("realtime(");
      assertThatThrownBy(() -> quarry.bind(Topic.of("t", "k", "v")))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void builder_badBaseUrl_failsNamingTheValue() {
    assertThatThrownBy(() -> Quarry.builder().baseUrl("not a url"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a url");
  }

  @Test
  void builder_persistenceOnAFile_failsNamingTheOption(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> Quarry.builder().persistence(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("persistence");
  }

  @Test
  void close_fromAListenerOnTheCallbackThread_returnsPromptly() throws Exception {
    Quarry quarry = Quarry.builder().build();
    java.util.concurrent.CompletableFuture<Long> took =
        new java.util.concurrent.CompletableFuture<>();
    quarry
        .store("s", 0)
        .select(
            v -> v,
            v -> {
              long start = System.nanoTime();
              quarry.close();
              took.complete(System.nanoTime() - start);
            });
    assertThat(Duration.ofNanos(took.get(10, TimeUnit.SECONDS))).isLessThan(Duration.ofSeconds(1));
    assertThat(quarry.isClosed()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> quarryThreads().isEmpty());
  }
}
