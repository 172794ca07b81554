package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RealtimeClient#disconnect()} against the real Node socket.io 4.8.4 server. */
class DisconnectTest {
  static SocketIoTestServer server;
  RealtimeClient client;
  final Recorder recorder = new Recorder();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServer() {
    server = SocketIoTestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  RealtimeClient newClient() {
    client =
        RealtimeClient.create(
            RealtimeOptions.builder(URI.create(server.url()))
                .reconnectBackoff(
                    Backoff.builder()
                        .initial(Duration.ofMillis(50))
                        .max(Duration.ofMillis(50))
                        .build())
                .errorHandler((c, e) -> errors.add(e))
                .build());
    client.onConnectionEvent(recorder::record);
    return client;
  }

  @Test
  void disconnect_tellsTheServer_failsSentAcks_keepsListenersAndTopics_andDoesNotReconnect()
      throws Exception {
    newClient();
    Map<String, String> params = Map.of("executionId", "d1");
    String room = SocketIoTestServer.roomOf(params);
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    List<TopicEvent> gaps = new CopyOnWriteArrayList<>();
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Gap) {
            gaps.add(e);
          }
        });
    List<JsonNode> news = new CopyOnWriteArrayList<>();
    sub.on("news", JsonNode.class, news::add);
    client.connect();
    ConnectionEvent.Connected first = recorder.await(ConnectionEvent.Connected.class);
    sub.confirmed().get(5, TimeUnit.SECONDS);
    assertThat(client.id()).isEqualTo(first.sessionId());
    assertThat(client.isConnected()).isTrue();
    // The server records this event and never acks it.
    CompletableFuture<?> pending = client.emitWithAck("never-acked", Duration.ofMinutes(1), 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> receivedCount("never-acked") == 1);
    int handshakes = server.handshakeCount();

    client.disconnect();

    ConnectionEvent.Disconnected d = recorder.await(ConnectionEvent.Disconnected.class);
    assertThat(d.reason()).isEqualTo(DisconnectReason.IO_CLIENT_DISCONNECT);
    assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(client.id()).isNull();
    assertThat(client.isConnected()).isFalse();
    assertThat(pending)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            DisconnectedException.class,
            e -> assertThat(e.reason()).isEqualTo("io client disconnect"));
    // The server saw the namespace DISCONNECT packet before the transport closed: without it,
    // socket.io reports "transport close".
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !disconnectReasons(first.sessionId()).isEmpty());
    assertThat(disconnectReasons(first.sessionId())).containsExactly("client namespace disconnect");
    // No reconnect (the backoff is 50 ms): no new socket and no new handshake for a second.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> server.state().sockets().isEmpty());
    assertThat(server.handshakeCount()).isEqualTo(handshakes);
    assertThat(client.topics()).extracting(TopicStatus::topic).containsExactly(sub.topic());

    client.connect();

    ConnectionEvent.Connected second = recorder.await(ConnectionEvent.Connected.class);
    assertThat(second.recovered()).isFalse();
    assertThat(second.reconnect()).isTrue();
    assertThat(second.sessionId()).isNotEqualTo(first.sessionId());
    assertThat(client.recovered()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> gaps.size() == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                server.state().inRoom(room).stream()
                    .anyMatch(s -> s.id().equals(second.sessionId())));
    server.emit(room, "news", Map.of("executionId", "d1", "n", 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> news.size() == 1);
    assertThat(errors).isEmpty();
  }

  @Test
  void disconnect_whileReconnecting_cancelsTheNextAttempt() throws Exception {
    newClient();
    client.connect();
    recorder.await(ConnectionEvent.Connected.class);
    server.refuseHandshakes(true);
    try {
      server.dropTransport();
      recorder.await(ConnectionEvent.Reconnecting.class);
      client.disconnect();
      ConnectionEvent.Disconnected d = recorder.await(ConnectionEvent.Disconnected.class);
      assertThat(d.reason()).isEqualTo(DisconnectReason.IO_CLIENT_DISCONNECT);
      int attempts = server.state().engineHandshakes();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(2))
          .until(() -> server.state().engineHandshakes() == attempts);
      assertThat(client.state()).isEqualTo(ConnectionState.DISCONNECTED);
    } finally {
      server.refuseHandshakes(false);
    }
  }

  @Test
  void disconnect_thenClose_isFinal_andDisconnectAfterCloseDoesNothing() throws Exception {
    newClient();
    client.connect();
    recorder.await(ConnectionEvent.Connected.class);
    client.disconnect();
    recorder.await(ConnectionEvent.Disconnected.class);
    client.close();
    recorder.await(ConnectionEvent.Closed.class);
    client.disconnect();
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void hundredConnectDisconnectCycles_leaveThreadsSocketsAndHeapWhereTheyStarted()
      throws Exception {
    newClient();
    Map<String, String> params = Map.of("executionId", "cycles");
    TopicSubscription sub = client.subscribe(Topic.of("execution", params));
    AtomicInteger gaps = new AtomicInteger();
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Gap) {
            gaps.incrementAndGet();
          }
        });
    // Warm-up (the first connect is not a reconnect, so 9 gaps): classes loaded, OkHttp's pools and
    // the client's threads started.
    for (int i = 0; i < 10; i++) {
      cycle();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> server.state().sockets().isEmpty() && websocketThreads() == 0);
    long threadsBefore = ResourceCleanupTest.threads();
    long busyBefore = busyThreads();
    long socketsBefore = ResourceCleanupTest.sockets();
    long heapBefore = usedHeapAfterGc();

    for (int i = 0; i < 100; i++) {
      cycle();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(server.state().sockets()).isEmpty();
              assertThat(busyThreads())
                  .as("threads not idle in a pool: %s", threadNames())
                  .isLessThanOrEqualTo(busyBefore);
              // OkHttp's dispatcher keeps idle workers for 60 s; more of them are started when a
              // new connect overlaps the reader of the previous connection. Bounded, not one per
              // cycle.
              assertThat(ResourceCleanupTest.threads())
                  .as("threads: %s", threadNames())
                  .isLessThanOrEqualTo(threadsBefore + 8);
              assertThat(ResourceCleanupTest.sockets()).isLessThanOrEqualTo(socketsBefore);
            });
    long heapAfter = usedHeapAfterGc();
    System.out.printf(
        "DisconnectTest | cycles=100 | busy threads before=%d after=%d | threads before=%d"
            + " after=%d | sockets before=%d after=%d | used heap after GC before=%d KiB after=%d"
            + " KiB%n",
        busyBefore,
        busyThreads(),
        threadsBefore,
        ResourceCleanupTest.threads(),
        socketsBefore,
        ResourceCleanupTest.sockets(),
        heapBefore / 1024,
        heapAfter / 1024);
    // A connection's state is a few KiB; 100 kept ones would not fit in 2 MiB of slack, but GC
    // noise does.
    assertThat(heapAfter - heapBefore).isLessThan(2L * 1024 * 1024);
    await().atMost(Duration.ofSeconds(5)).until(() -> gaps.get() == 109);
    assertThat(errors).isEmpty();
  }

  /** Connects, waits for the topic and one ack, disconnects. */
  private void cycle() throws Exception {
    client.connect();
    recorder.await(ConnectionEvent.Connected.class);
    assertThat(client.emitWithAck("echo", Duration.ofSeconds(5), "x").get(5, TimeUnit.SECONDS))
        .hasSize(1);
    client.disconnect();
    recorder.await(ConnectionEvent.Disconnected.class);
  }

  /**
   * The client's and OkHttp's threads (as {@link ResourceCleanupTest#threads()} counts them) that
   * are not idle workers waiting for a task in a thread pool.
   */
  private static long busyThreads() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().isAlive())
        .filter(
            e -> {
              String n = e.getKey().getName();
              return n.startsWith("quarry-") && !n.startsWith("quarry-testserver")
                  || n.startsWith("OkHttp") && !n.equals("OkHttp TaskRunner");
            })
        .filter(
            e ->
                java.util.Arrays.stream(e.getValue())
                    .noneMatch(
                        f ->
                            f.getClassName().equals("java.util.concurrent.ThreadPoolExecutor")
                                && f.getMethodName().equals("getTask")))
        .count();
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("quarry-") || n.startsWith("OkHttp"))
        .sorted()
        .toList();
  }

  /** OkHttp's WebSocket reader threads, named after the URL they read. */
  private static long websocketThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("OkHttp http"))
        .count();
  }

  /** Used heap after a few full GCs (the least seen); also for other tests of this package. */
  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /** The reasons the server logged for the disconnects of the socket {@code sid}. */
  private static List<String> disconnectReasons(String sid) {
    List<String> reasons = new java.util.ArrayList<>();
    for (JsonNode d : server.state().disconnects()) {
      if (d.path("sid").asText().equals(sid)) {
        reasons.add(d.path("reason").asText());
      }
    }
    return reasons;
  }

  private static int receivedCount(String event) {
    int n = 0;
    for (JsonNode r : server.state().received()) {
      if (r.path("event").asText().equals(event)) {
        n++;
      }
    }
    return n;
  }
}
