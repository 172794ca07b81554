package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bindings' rules, notifications and progress against the real socket.io server. */
class RealtimeFeaturesTest {
  record Execution(String id, String status) {}

  record StatusEvent(String executionId, String status) {}

  record Notice(String text) {}

  record Episode(int number, String title) {}

  record Rename(int number, String title) {}

  static final Duration WAIT = Duration.ofSeconds(20);
  static SocketIoTestServer server;
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  Quarry quarry;

  @BeforeAll
  static void startServer() {
    server = SocketIoTestServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  Quarry connect(boolean connectivityFromRealtime) {
    quarry =
        Quarry.builder()
            .realtime(URI.create(server.url()), r -> r)
            .connectivityFromRealtime(connectivityFromRealtime)
            .errorHandler((c, e) -> errors.add(e))
            .build();
    await().atMost(WAIT).until(() -> quarry.realtime().state() == ConnectionState.CONNECTED);
    return quarry;
  }

  @AfterEach
  void close() {
    if (quarry != null) {
      quarry.close();
    }
  }

  static String room(String id) {
    return SocketIoTestServer.roomOf(Map.of("executionId", id));
  }

  @Test
  void updateRule_appliesAFunctionOfOldDataAndEvent_invalidateRuleRefetches() {
    connect(true);
    QueryKey key = QueryKey.of("execution", "e1");
    QueryKey list = QueryKey.of("executions");
    AtomicInteger listFetches = new AtomicInteger();
    quarry
        .bind(Topic.of("execution", "executionId", "e1"))
        .update(
            "status",
            StatusEvent.class,
            key,
            (Execution ex, StatusEvent ev) -> new Execution(ex.id(), ev.status()))
        .invalidate("complete", list);
    QueryObserver<Execution> observer =
        quarry.observe(
            QueryOptions.of(
                key, ctx -> CompletableFuture.completedFuture(new Execution("e1", "queued"))),
            r -> {});
    QueryObserver<Integer> lists =
        quarry.observe(
            QueryOptions.of(
                list, ctx -> CompletableFuture.completedFuture(listFetches.incrementAndGet())),
            r -> {});
    await().atMost(WAIT).until(() -> server.state().inRoom(room("e1")).size() == 1);
    await().atMost(WAIT).until(() -> listFetches.get() == 1);

    server.emit(room("e1"), "status", Map.of("executionId", "e1", "status", "running"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarry
                    .getQueryData(key)
                    .equals(java.util.Optional.of(new Execution("e1", "running"))));

    server.emit(room("e1"), "complete", Map.of("executionId", "e1"));
    await().atMost(WAIT).until(() -> listFetches.get() == 2);

    // A payload that does not decode is reported and leaves the data as it was.
    server.emit(room("e1"), "status", Map.of("executionId", "e1", "status", List.of(1, 2)));
    await().atMost(WAIT).until(() -> !errors.isEmpty());
    assertThat(quarry.<Execution>getQueryData(key)).hasValue(new Execution("e1", "running"));
    observer.close();
    lists.close();
  }

  private static List<Episode> plus(List<Episode> list, Episode e) {
    List<Episode> out = new ArrayList<>(list);
    out.add(e);
    return List.copyOf(out);
  }

  private static List<Episode> renamed(List<Episode> list, Rename r) {
    return list.stream()
        .map(e -> e.number() == r.number() ? new Episode(e.number(), r.title()) : e)
        .toList();
  }

  @Test
  void updateRule_underAPendingOptimisticRename_survivesTheRenamesRollback() {
    connect(true);
    QueryKey key = QueryKey.of("episodes", "s1");
    quarry
        .bind(Topic.of("season", "seasonId", "s1"))
        .update(
            "episode-added", Episode.class, key, (List<Episode> list, Episode e) -> plus(list, e));
    List<Episode> pilot = List.of(new Episode(1, "Pilot"));
    QueryObserver<List<Episode>> observer =
        quarry.observe(
            QueryOptions.of(key, ctx -> CompletableFuture.completedFuture(pilot)), r -> {});
    String room = SocketIoTestServer.roomOf(Map.of("seasonId", "s1"));
    await().atMost(WAIT).until(() -> server.state().inRoom(room).size() == 1);
    await().atMost(WAIT).until(() -> quarry.getQueryData(key).equals(java.util.Optional.of(pilot)));

    CompletableFuture<Object> answer = new CompletableFuture<>();
    CompletableFuture<Object> renaming =
        quarry
            .mutation(
                MutationOptions.<Rename, Object, Void>builder()
                    .mutationFn((r, ctx) -> answer)
                    .<List<Episode>>optimistic(r -> key, (list, r) -> list.map(l -> renamed(l, r)))
                    .invalidateOnSettled(false)
                    .build())
            .mutate(new Rename(1, "The Heist"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarry
                    .getQueryData(key)
                    .equals(java.util.Optional.of(List.of(new Episode(1, "The Heist")))));

    server.emit(room, "episode-added", Map.of("seasonId", "s1", "number", 2, "title", "Two"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarry
                    .getQueryData(key)
                    .equals(
                        java.util.Optional.of(
                            List.of(new Episode(1, "The Heist"), new Episode(2, "Two")))));

    answer.completeExceptionally(new IllegalStateException("rename refused"));
    await().atMost(WAIT).until(renaming::isDone);
    assertThat(renaming).isCompletedExceptionally();
    await()
        .atMost(WAIT)
        .until(
            () ->
                quarry
                    .getQueryData(key)
                    .equals(
                        java.util.Optional.of(
                            List.of(new Episode(1, "Pilot"), new Episode(2, "Two")))));
    observer.close();
  }

  @Test
  void notifications_areFedByTheConfiguredEvent() {
    connect(true);
    Notifications<Notice> feed = quarry.notifications("notification", Notice.class, 2);
    List<Integer> unread = new CopyOnWriteArrayList<>();
    feed.subscribe(f -> unread.add(f.unreadCount()));
    await().atMost(WAIT).until(() -> unread.size() == 1);

    // The server emits to every socket through the room each socket has of its own id.
    String sid = server.state().sockets().get(0).id();
    server.emit(sid, "notification", Map.of("text", "render done"));
    server.emit(sid, "notification", Map.of("text", "new comment"));
    server.emit(sid, "notification", Map.of("text", "export ready"));

    await().atMost(WAIT).until(() -> feed.feed().items().size() == 2 && unread.size() == 4);
    assertThat(feed.feed().items())
        .extracting(i -> i.payload().text())
        .containsExactly("export ready", "new comment");
    assertThat(unread).containsExactly(0, 1, 2, 2);
  }

  @Test
  void progress_turnsTopicEventsIntoTypedSteps_andEndsWithTheTask() throws Exception {
    connect(true);
    Topic task = Topic.of("task", Map.of("executionId", "t1"));
    ProgressStream progress = quarry.progress(task, "task-progress");
    List<Progress> steps = new CopyOnWriteArrayList<>();
    progress.listen(steps::add);
    await().atMost(WAIT).until(() -> server.state().inRoom(room("t1")).size() == 1);

    server.emit(
        room("t1"), "task-progress", Map.of("executionId", "t1", "percent", 10, "message", "a"));
    server.emit(
        room("t1"), "task-progress", Map.of("executionId", "t1", "percent", 60, "message", "b"));
    server.emit(room("t1"), "task-progress", Map.of("executionId", "t1", "status", "done"));
    server.emit(room("t1"), "task-progress", Map.of("executionId", "t1", "percent", 5));

    assertThat(progress.finished().get(20, TimeUnit.SECONDS)).isEqualTo(new Progress.Done(""));
    assertThat(steps)
        .containsExactly(
            new Progress.Running(10, "a"), new Progress.Running(60, "b"), new Progress.Done(""));
    assertThat(progress.latest()).hasValue(new Progress.Done(""));
    await().atMost(WAIT).until(() -> server.state().inRoom(room("t1")).isEmpty());
  }

  @Test
  void connectivity_followsTheConnection_unlessTheApplicationOwnsIt() {
    connect(true);
    server.kick();
    await().atMost(WAIT).until(() -> !quarry.connectivity().isOnline());
    quarry.close();

    connect(false);
    quarry.connectivity().setOnline(true);
    server.kick();
    await().atMost(WAIT).until(() -> quarry.realtime().state() == ConnectionState.DISCONNECTED);
    assertThat(quarry.connectivity().isOnline()).isTrue();
  }
}
