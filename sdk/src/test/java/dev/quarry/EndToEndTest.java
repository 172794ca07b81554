package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.cache.QueryResult;
import dev.quarry.core.Backoff;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonType;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.realtime.TopicStatus;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The facade against the real socket.io 4.8.4 server and a scripted HTTP backend. */
class EndToEndTest {
  record AgentEvent(String executionId, int seq) {}

  record Episode(String id, String title) {}

  record NewEpisode(String title) {}

  static final JsonType<List<AgentEvent>> EVENTS = JsonType.of(new TypeReference<>() {});
  static final JsonType<List<Episode>> EPISODES = JsonType.of(new TypeReference<>() {});
  static final Duration WAIT = Duration.ofSeconds(20);
  static final ObjectMapper JSON = new ObjectMapper();

  /** The HTTP backend's state: how many events of e1 it knows, and the episode list. */
  final class Backend extends Dispatcher {
    volatile int knownEvents;
    final List<Episode> episodes =
        new CopyOnWriteArrayList<>(List.of(new Episode("ep-1", "Teaser")));
    final AtomicInteger eventFetches = new AtomicInteger();
    final AtomicInteger episodeFetches = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      try {
        String target = request.getTarget();
        if (request.getMethod().equals("GET") && target.equals("/executions/e1/events")) {
          eventFetches.incrementAndGet();
          List<AgentEvent> events = new ArrayList<>();
          for (int i = 0; i < knownEvents; i++) {
            events.add(new AgentEvent("e1", i));
          }
          return json(events);
        }
        if (request.getMethod().equals("GET") && target.equals("/episodes")) {
          episodeFetches.incrementAndGet();
          return json(episodes);
        }
        if (request.getMethod().equals("POST") && target.equals("/episodes")) {
          creates.incrementAndGet();
          NewEpisode in = JSON.readValue(request.getBody().utf8(), NewEpisode.class);
          Episode created = new Episode("ep-" + (episodes.size() + 1), in.title());
          episodes.add(created);
          return json(created);
        }
        return new MockResponse.Builder().code(404).build();
      } catch (Exception e) {
        return new MockResponse.Builder().code(500).body(String.valueOf(e)).build();
      }
    }

    MockResponse json(Object body) throws Exception {
      return new MockResponse.Builder()
          .code(200)
          .addHeader("Content-Type", "application/json")
          .body(JSON.writeValueAsString(body))
          .build();
    }
  }

  final Backend backend = new Backend();
  MockWebServer http;
  SocketIoTestServer socketio;
  Quarry quarry;
  final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    http = new MockWebServer();
    http.setDispatcher(backend);
    http.start();
    socketio =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                // Short enough to notice a paused server within seconds, long enough that a
                // loaded machine does not miss a heartbeat.
                .pingInterval(Duration.ofMillis(500))
                .pingTimeout(Duration.ofMillis(2000))
                .build());
    quarry =
        Quarry.builder()
            .baseUrl(http.url("/").toString())
            .realtime(
                URI.create(socketio.url()),
                r ->
                    r.reconnectBackoff(
                        Backoff.builder()
                            .initial(Duration.ofMillis(100))
                            .max(Duration.ofMillis(300))
                            .build()))
            .queryDefaults(d -> d.staleTime(Duration.ofMinutes(5)))
            .errorHandler((context, error) -> errors.add(error))
            .build();
  }

  @AfterEach
  void stop() {
    if (quarry != null) {
      quarry.close();
    }
    if (socketio != null) {
      socketio.close();
    }
    if (http != null) {
      http.close();
    }
  }

  @Test
  void liveQuery_thousandEventsInOrder_gapRefetchesOnce_offlineCreateIsSentOnReconnect()
      throws Exception {
    String room = SocketIoTestServer.roomOf(Map.of("executionId", "e1"));
    QueryKey eventsKey = QueryKey.of("execution", "e1", "events");
    QueryOptions<List<AgentEvent>> events =
        quarry.query(eventsKey, h -> h.get("executions/e1/events", EVENTS));
    TopicBinding binding =
        quarry
            .bind(Topic.of("execution", "executionId", "e1"))
            .append("agent-event", AgentEvent.class, eventsKey);
    assertThat(binding.isSubscribed()).isFalse();

    // A live query: its first observer subscribes the topic.
    List<QueryResult<List<AgentEvent>>> results = new CopyOnWriteArrayList<>();
    QueryObserver<List<AgentEvent>> observer = quarry.observe(events, results::add);
    await().atMost(WAIT).until(() -> quarry.getQueryData(eventsKey).isPresent());
    await().atMost(WAIT).until(() -> socketio.state().inRoom(room).size() == 1);
    assertThat(binding.isSubscribed()).isTrue();

    // 1,000 events arrive in order through realtime.
    socketio.emitSequence(room, "agent-event", Map.of("executionId", "e1"), 1000);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(seqs(eventsKey))
                    .as("errors %s, %s", errors, quarry.inspector().table())
                    .hasSize(1000));
    assertThat(seqs(eventsKey)).isEqualTo(range(0, 1000));
    assertThat(backend.eventFetches.get()).isEqualTo(1);

    QueryKey episodesKey = QueryKey.of("episodes");
    QueryOptions<List<Episode>> episodes =
        quarry.query(episodesKey, h -> h.get("episodes", EPISODES));
    QueryObserver<List<Episode>> episodesObserver = quarry.observe(episodes, r -> {});
    await().atMost(WAIT).until(() -> quarry.getQueryData(episodesKey).isPresent());

    // The server stops answering: the connection is lost and the facade goes offline.
    socketio.pause();
    await().atMost(WAIT).until(() -> !quarry.connectivity().isOnline());
    assertThat(quarry.realtime().state()).isEqualTo(ConnectionState.RECONNECTING);

    // An optimistic create while offline: shown at once, queued, nothing sent.
    MutationObserver<NewEpisode, Episode, Void> create =
        quarry.mutation(
            MutationOptions.<NewEpisode, Episode, Void>builder()
                .mutationFn((in, ctx) -> ctx.http().post("episodes", in, Episode.class))
                .<List<Episode>>optimistic(
                    in -> episodesKey,
                    (list, in) ->
                        list.map(
                            l -> {
                              List<Episode> next = new ArrayList<>(l);
                              next.add(new Episode("draft", in.title()));
                              return List.copyOf(next);
                            }))
                .build());
    var created = create.mutate(new NewEpisode("Pilot"));
    await().atMost(WAIT).until(() -> create.state().isPaused());
    assertThat(quarry.<List<Episode>>getQueryData(episodesKey).orElseThrow())
        .extracting(Episode::title)
        .containsExactly("Teaser", "Pilot");
    assertThat(backend.creates.get()).isZero();
    assertThat(quarry.inspector().snapshot().mutations())
        .singleElement()
        .satisfies(m -> assertThat(m.paused()).isTrue());

    // While the client is away, 5 events happen that it will never receive over realtime.
    backend.knownEvents = 1005;
    socketio.restart();

    // Back online: the mutation is sent once, and the list converges to the server's state.
    assertThat(created.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).id())
        .isEqualTo("ep-2");
    assertThat(backend.creates.get()).isEqualTo(1);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(quarry.<List<Episode>>getQueryData(episodesKey).orElseThrow())
                    .containsExactlyElementsOf(backend.episodes));

    // The gap (no recovery after a restart) made the live query refetch exactly once over HTTP.
    await().atMost(WAIT).until(() -> seqs(eventsKey).size() == 1005);
    assertThat(seqs(eventsKey)).isEqualTo(range(0, 1005));
    await().atMost(WAIT).until(() -> socketio.state().inRoom(room).size() == 1);

    // ... and then it continues live.
    for (int seq = 1005; seq < 1010; seq++) {
      socketio.emit(room, "agent-event", Map.of("executionId", "e1", "seq", seq));
    }
    await().atMost(WAIT).until(() -> seqs(eventsKey).size() == 1010);
    assertThat(seqs(eventsKey)).isEqualTo(range(0, 1010));
    assertThat(backend.eventFetches.get()).as("the first fetch and one refetch").isEqualTo(2);
    Inspector.RealtimeRow row = quarry.inspector().snapshot().realtime().orElseThrow();
    assertThat(row.lastRecovery()).hasValueSatisfying(r -> assertThat(r.recovered()).isFalse());
    assertThat(row.endpoint()).hasValue(java.net.URI.create(socketio.url()));
    assertThat(row.topics())
        .singleElement()
        .satisfies(
            t -> assertThat(t.topic()).isEqualTo(Topic.of("execution", "executionId", "e1")));
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarry.inspector().snapshot().realtime().orElseThrow().topics().get(0).state()
                    == TopicStatus.State.CONFIRMED);

    // The last observer leaves: the topic is unsubscribed (the query stays cached until gc).
    observer.close();
    episodesObserver.close();
    await().atMost(WAIT).until(() -> socketio.state().inRoom(room).isEmpty());
    assertThat(binding.isSubscribed()).isFalse();
    assertThat(quarry.getQueryData(eventsKey)).isPresent();
    assertThat(errors).isEmpty();
  }

  private List<Integer> seqs(QueryKey key) {
    Optional<List<AgentEvent>> data = quarry.getQueryData(key);
    return data.orElse(List.of()).stream().map(AgentEvent::seq).toList();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }
}
