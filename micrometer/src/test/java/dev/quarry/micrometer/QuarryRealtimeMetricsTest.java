package dev.quarry.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.Quarry;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.DeliveryOverflowException;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Realtime and error meters against the real Node socket.io server. */
class QuarryRealtimeMetricsTest {
  static SocketIoTestServer socketio;

  @BeforeAll
  static void startServer() {
    socketio = SocketIoTestServer.start();
  }

  @AfterAll
  static void stopServer() {
    socketio.close();
  }

  private static double gauge(SimpleMeterRegistry registry, String name, String... tags) {
    var g = registry.find(name).tags(tags).gauge();
    assertThat(g).as(name).isNotNull();
    return g.value();
  }

  private static double counter(SimpleMeterRegistry registry, String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private static double errors(SimpleMeterRegistry registry, String type) {
    var c = registry.find("quarry.errors").tags("type", type).functionCounter();
    return c == null ? 0 : c.count();
  }

  @Test
  void stateEventsAndAGapAfterAServerRestart_areMeasured() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Quarry quarry = Quarry.builder().realtime(URI.create(socketio.url()), r -> r).build();
        QuarryMetrics metrics = QuarryMetrics.builder(quarry).countEvents("agent-event").build()) {
      metrics.bindTo(registry);
      quarry.realtime().subscribe(Topic.of("execution", "executionId", "e1"));
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                assertThat(gauge(registry, "quarry.realtime.state", "state", "connected"))
                    .isEqualTo(1);
                assertThat(gauge(registry, "quarry.realtime.topics")).isEqualTo(1);
              });
      assertThat(gauge(registry, "quarry.realtime.state", "state", "reconnecting")).isZero();

      // wait for the subscription to reach the server (a probe, under an event name that is not
      // counted, reaches the room: probes still in flight cannot change the count), then 5 events
      String room = SocketIoTestServer.roomOf(Map.of("executionId", "e1"));
      CountDownLatch probed = new CountDownLatch(1);
      quarry.realtime().on("probe", Map.class, p -> probed.countDown());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                socketio.emit(room, "probe", Map.of("executionId", "e1"));
                assertThat(probed.await(200, TimeUnit.MILLISECONDS)).isTrue();
              });
      double before = counter(registry, "quarry.realtime.events", "event", "agent-event");
      assertThat(before).isZero();
      socketio.emitSequence(room, "agent-event", Map.of("executionId", "e1"), 5);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(counter(registry, "quarry.realtime.events", "event", "agent-event"))
                      .isEqualTo(before + 5));

      // a restarted server has no session to recover: the reconnect is a gap
      socketio.restart();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(counter(registry, "quarry.realtime.reconnects", "recovered", "false"))
                    .isEqualTo(1);
                assertThat(quarry.realtime().state()).isEqualTo(ConnectionState.CONNECTED);
              });
      assertThat(counter(registry, "quarry.realtime.reconnect.attempts")).isPositive();
      assertThat(counter(registry, "quarry.realtime.reconnects", "recovered", "true")).isZero();
    }
  }

  @Test
  void everyEventReceived_theCallbackQueueAndDroppedEvents_areMeasured() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch listenerBusy = new CountDownLatch(1);
    try (Quarry quarry =
            Quarry.builder()
                .realtime(URI.create(socketio.url()), r -> r.maxQueuedEvents(3, 1 << 20))
                .build();
        QuarryMetrics metrics = QuarryMetrics.builder(quarry).countEvents("agent-event").build()) {
      metrics.bindTo(registry);
      quarry.realtime().subscribe(Topic.of("execution", "executionId", "e2"));
      String room = SocketIoTestServer.roomOf(Map.of("executionId", "e2"));
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                socketio.emit(room, "probe", Map.of("executionId", "e2"));
                assertThat(functionCounter(registry, "quarry.realtime.events.received"))
                    .isPositive();
              });
      // every event counts, also those no listener asked for and no countEvents name covers
      double before = functionCounter(registry, "quarry.realtime.events.received");
      socketio.emitSequence(room, "status", Map.of("executionId", "e2"), 4);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(functionCounter(registry, "quarry.realtime.events.received"))
                      .isEqualTo(before + 4));
      assertThat(counter(registry, "quarry.realtime.events", "event", "agent-event")).isZero();
      // delivered to the topic: the queue empties
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(gauge(registry, "quarry.realtime.callback.queue")).isZero());
      // with a queue of 3, a burst of 4 on a slow (cold, loaded) callback thread may already drop
      // one: the meter is the client's own count, and the hold below is measured from here
      double droppedBefore = functionCounter(registry, "quarry.realtime.events.dropped");
      assertThat(quarry.realtime().stats().eventsDropped()).isEqualTo((long) droppedBefore);

      // a listener that holds the callback thread: 3 events fit in the queue, the rest are dropped
      quarry
          .realtime()
          .onArgs(
              "agent-event",
              args -> {
                listenerBusy.countDown();
                try {
                  release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      socketio.emit(room, "agent-event", Map.of("executionId", "e2", "n", 0));
      assertThat(listenerBusy.await(10, TimeUnit.SECONDS)).isTrue();
      socketio.emitSequence(room, "agent-event", Map.of("executionId", "e2"), 5);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(functionCounter(registry, "quarry.realtime.events.dropped"))
                      .isGreaterThan(droppedBefore));
      assertThat(gauge(registry, "quarry.realtime.callback.queue")).isEqualTo(3);
      assertThat(gauge(registry, "quarry.realtime.callback.queue.size")).isPositive();
      assertThat(quarry.realtime().stats().eventsDropped())
          .isEqualTo((long) functionCounter(registry, "quarry.realtime.events.dropped"));

      release.countDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(gauge(registry, "quarry.realtime.callback.queue")).isZero());
    } finally {
      release.countDown();
    }
  }

  private static double functionCounter(SimpleMeterRegistry registry, String name) {
    var c = registry.find(name).functionCounter();
    assertThat(c).as(name).isNotNull();
    return c.count();
  }

  @Test
  void errorMetrics_countErrorsByType_andDroppedEvents_thenHandThemOn() throws Exception {
    List<String> handed = new CopyOnWriteArrayList<>();
    QuarryErrorMetrics errors = new QuarryErrorMetrics((c, e) -> handed.add(c));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // an overflow reported before binding is counted once bound
    errors.handle("event lane", new DeliveryOverflowException(3, 10, 1000, 10, 1000));
    errors.bindTo(registry);

    try (Quarry quarry = Quarry.builder().errorHandler(errors).build()) {
      quarry
          .queries()
          .subscribe(
              e -> {
                throw new IllegalStateException("listener broke");
              });
      quarry.setQueryData(dev.quarry.core.QueryKey.of("n"), 1);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(errors(registry, "IllegalStateException")).isPositive());
    }
    assertThat(errors(registry, "DeliveryOverflowException")).isEqualTo(1);
    // the meter of dropped events comes from QuarryMetrics (the client's own count)
    assertThat(registry.find("quarry.realtime.events.dropped").functionCounter()).isNull();
    assertThat(handed).contains("event lane");
    assertThat(errors.droppedEvents()).isEqualTo(3);
  }
}
