package dev.quarry.examples.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quarry.core.Backoff;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.examples.studio.AgentComplete;
import dev.quarry.examples.studio.AgentEvent;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.examples.studio.Notification;
import dev.quarry.examples.studio.TaskProgress;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicEvent;
import dev.quarry.realtime.TopicSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The realtime client's basic behaviours against a second real peer: netty-socketio 2.0.13. */
class StudioBackendRealtimeTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private StudioBackend backend;
  private JsonHttp http;
  private RealtimeClient client;
  private final List<ConnectionEvent> connection = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    backend =
        StudioBackend.builder()
            .agentStep(Duration.ofMillis(60))
            .startGrace(Duration.ofSeconds(10))
            .start();
    http = JsonHttp.builder().baseUrl(backend.baseUrl().toString()).build();
    client =
        RealtimeClient.create(
            RealtimeOptions.builder(backend.socketUrl())
                .reconnectBackoff(Backoff.fixed(Duration.ofMillis(200)))
                .build());
    client.onConnectionEvent(connection::add);
  }

  @AfterEach
  void stop() {
    client.close();
    http.close();
    backend.close();
  }

  private Execution startExecution() throws Exception {
    return http.post(
            "executions", new NewExecution("p1", "script-writer", "outline"), Execution.class)
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void connect_toNettySocketIo_becomesConnectedWithoutRecovery() {
    client.connect();

    await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
    assertThat(connection.get(connection.size() - 1))
        .isInstanceOfSatisfying(
            ConnectionEvent.Connected.class,
            c -> {
              assertThat(c.recovered()).isFalse();
              assertThat(c.reconnect()).isFalse();
              assertThat(c.sessionId()).isNotBlank();
            });
    assertThat(backend.realtimeClients()).isEqualTo(1);
  }

  @Test
  void subscribe_toExecution_ackedAndReceivesRoomEventsInOrder() throws Exception {
    List<Integer> seqs = new CopyOnWriteArrayList<>();
    List<Integer> percents = new CopyOnWriteArrayList<>();
    List<AgentComplete> done = new CopyOnWriteArrayList<>();
    List<Notification> notes = new CopyOnWriteArrayList<>();
    client.on("notification", Notification.class, notes::add);
    client.connect();
    Execution x = startExecution();

    TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", x.id()));
    sub.on("agent-event", AgentEvent.class, e -> seqs.add(e.seq()));
    sub.on("task-progress", TaskProgress.class, p -> percents.add(p.percent()));
    sub.on("agent-complete", AgentComplete.class, done::add);
    JsonNode ack = sub.confirmed().get(10, TimeUnit.SECONDS);

    assertThat(ack.path("ok").asBoolean()).isTrue();
    assertThat(ack.path("room").asText()).isEqualTo("execution:" + x.id());
    await().atMost(WAIT).until(() -> !done.isEmpty());
    int steps = AgentRunner.steps();
    assertThat(seqs)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, steps).boxed().toList());
    assertThat(percents).isSorted().endsWith(100);
    assertThat(done.get(0).status()).isEqualTo("completed");
    await().atMost(WAIT).until(() -> !notes.isEmpty());
    assertThat(notes.get(0).message()).contains(x.id());
  }

  @Test
  void events_ofAnotherExecution_areNotRoutedToThisTopic() throws Exception {
    client.connect();
    Execution watched = startExecution();
    Execution other = startExecution();
    List<String> seen = new CopyOnWriteArrayList<>();
    List<AgentComplete> done = new CopyOnWriteArrayList<>();
    TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", watched.id()));
    sub.on("agent-event", AgentEvent.class, e -> seen.add(e.executionId()));
    sub.on("agent-complete", AgentComplete.class, done::add);
    // the other execution is watched through a separate topic: its room's events go only there
    TopicSubscription otherSub = client.subscribe(Topic.of("execution", "executionId", other.id()));
    List<String> otherSeen = new CopyOnWriteArrayList<>();
    otherSub.on("agent-event", AgentEvent.class, e -> otherSeen.add(e.executionId()));

    await().atMost(WAIT).until(() -> !done.isEmpty() && otherSeen.size() == AgentRunner.steps());
    assertThat(seen).hasSize(AgentRunner.steps()).containsOnly(watched.id());
    assertThat(otherSeen).containsOnly(other.id());
  }

  @Test
  void unsubscribe_leavesTheRoom_noMoreEventsArrive() throws Exception {
    client.connect();
    Execution x = startExecution();
    List<Integer> all = new CopyOnWriteArrayList<>();
    // a client-level listener sees every agent-event frame the server sends, whatever the topic
    client.on("agent-event", AgentEvent.class, e -> all.add(e.seq()));
    TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", x.id()));
    await().atMost(WAIT).until(() -> all.size() >= 2);

    sub.close();
    int atClose = all.size();
    await()
        .atMost(WAIT)
        .until(
            () ->
                http.get("executions/" + x.id(), Execution.class)
                    .get(10, TimeUnit.SECONDS)
                    .isDone());

    assertThat(all.size())
        .as("at most the frames already in flight when the unsubscribe was sent")
        .isLessThanOrEqualTo(atClose + 4)
        .isLessThan(AgentRunner.steps());
  }

  @Test
  void emitWithAck_echo_returnsTheArgument() throws Exception {
    client.connect();

    ArrayNode reply =
        client
            .emitWithAck("echo", Duration.ofSeconds(5), Map.of("hello", "studio"))
            .get(10, TimeUnit.SECONDS);

    assertThat(reply).hasSize(1);
    assertThat(reply.get(0).path("hello").asText()).isEqualTo("studio");
  }

  @Test
  void reconnect_afterServerDropsConnection_resubscribesAndReportsGap() throws Exception {
    client.connect();
    await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
    Execution x = startExecution();
    List<TopicEvent.Gap> gaps = new CopyOnWriteArrayList<>();
    List<AgentComplete> done = new CopyOnWriteArrayList<>();
    List<Integer> seqs = new CopyOnWriteArrayList<>();
    TopicSubscription sub = client.subscribe(Topic.of("execution", "executionId", x.id()));
    sub.listen(
        e -> {
          if (e instanceof TopicEvent.Gap g) {
            gaps.add(g);
          }
        });
    sub.on("agent-event", AgentEvent.class, e -> seqs.add(e.seq()));
    sub.on("agent-complete", AgentComplete.class, done::add);
    await().atMost(WAIT).until(() -> seqs.size() >= 2);

    int dropped = backend.dropRealtimeConnections();

    assertThat(dropped).isEqualTo(1);
    await().atMost(WAIT).until(() -> !done.isEmpty());
    assertThat(connection).anyMatch(e -> e instanceof ConnectionEvent.Reconnecting);
    assertThat(connection)
        .filteredOn(e -> e instanceof ConnectionEvent.Connected)
        .hasSize(2)
        .last()
        .isInstanceOfSatisfying(
            ConnectionEvent.Connected.class,
            c -> {
              assertThat(c.reconnect()).isTrue();
              assertThat(c.recovered()).isFalse();
            });
    assertThat(gaps).hasSize(1);
    assertThat(gaps.get(0).topic().params().path("executionId").asText()).isEqualTo(x.id());
    assertThat(seqs).isSorted().doesNotHaveDuplicates().contains(AgentRunner.steps());
    assertThat(backend.realtimeClients()).isEqualTo(1);
  }
}
