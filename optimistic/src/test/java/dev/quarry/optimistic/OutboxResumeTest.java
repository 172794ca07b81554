package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox in one JVM: recording, settling, restoring and setting aside. */
class OutboxResumeTest {
  @TempDir Path dir;
  private final MockWebServer server = new MockWebServer();
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private JsonHttp http;

  @BeforeEach
  void start() throws Exception {
    server.start();
    http = JsonHttp.builder().baseUrl(server.url("/").toString()).build();
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
  }

  private MutationClient client(Path file, Connectivity connectivity) {
    return OutboxFixtures.client(
        file,
        http,
        connectivity,
        (context, error) -> {
          handled.add(context);
          errors.add(error);
        });
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().code(200).body("{\"ok\":true}").build();
  }

  @Test
  void persistentMutation_isRecordedBeforeItsCall_andRemovedWhenItSettles() throws Exception {
    Connectivity connectivity = Connectivity.create();
    connectivity.setOnline(false);
    server.enqueue(ok());
    try (MutationClient client = client(dir.resolve("o.mv"), connectivity)) {
      CompletableFuture<JsonNode> result =
          client.mutate(OutboxFixtures.createEpisode(), new OutboxFixtures.NewEpisode("A", 1));
      List<OutboxRecord> recorded = client.outboxRecords();
      assertThat(recorded).hasSize(1);
      assertThat(recorded.get(0).mutationKey()).isEqualTo(OutboxFixtures.CREATE_EPISODE.hash());
      assertThat(recorded.get(0).variables()).isEqualTo("{\"title\":\"A\",\"number\":1}");
      assertThat(server.getRequestCount()).isZero();

      connectivity.setOnline(true);
      assertThat(result.get(10, TimeUnit.SECONDS).get("ok").asBoolean()).isTrue();

      RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
      assertThat(request).isNotNull();
      assertThat(request.getHeaders().get("Idempotency-Key"))
          .isEqualTo(recorded.get(0).idempotencyKey());
      assertThat(client.outboxRecords()).isEmpty();
    }
  }

  @Test
  void refusedPersistentMutation_reachesTheCaller_andLeavesTheOutbox() throws Exception {
    server.enqueue(new MockResponse.Builder().code(422).body("{}").build());
    try (MutationClient client = client(dir.resolve("o.mv"), Connectivity.create())) {
      CompletableFuture<JsonNode> result =
          client.mutate(OutboxFixtures.createEpisode(), new OutboxFixtures.NewEpisode("A", 1));
      assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(HttpStatusException.class);
      assertThat(client.outboxRecords()).isEmpty();
    }
  }

  @Test
  void unreadableRecords_areReportedAndSetAside_andDoNotBlockTheRest() throws Exception {
    Path file = dir.resolve("o.mv");
    String key = OutboxFixtures.CREATE_EPISODE.hash();
    try (OutboxStore store = OutboxStore.open(file)) {
      store.append(key, "{\"title\":\"A\",\"number\":1}", Optional.empty(), "k1", 0);
      store.append(key, "{not json", Optional.empty(), "k2", 0);
      store.append(
          QueryKey.of("unknown").hash(),
          "{\"title\":\"X\",\"number\":9}",
          Optional.empty(),
          "k3",
          0);
      store.append("not a key", "{}", Optional.empty(), "k4", 0);
      store.append(key, "{\"title\":\"B\",\"number\":2}", Optional.empty(), "k5", 0);
    }
    server.enqueue(ok());
    server.enqueue(ok());

    try (MutationClient client = client(file, Connectivity.create())) {
      client.resumeOutbox().get(30, TimeUnit.SECONDS);

      assertThat(client.outboxRecords()).isEmpty();
      assertThat(client.setAsideRecords())
          .extracting(r -> r.record().idempotencyKey())
          .containsExactly("k2", "k3", "k4");
      assertThat(client.setAsideRecords().get(0).reason()).contains("unreadable variables");
      assertThat(client.setAsideRecords().get(1).reason()).contains("no mutation defaults");
      assertThat(client.setAsideRecords().get(2).reason()).contains("unreadable mutation key");
    }
    assertThat(errors)
        .hasSize(3)
        .allSatisfy(e -> assertThat(e).isInstanceOf(OutboxException.class));
    assertThat(server.getRequestCount()).isEqualTo(2);
    RecordedRequest first = server.takeRequest(10, TimeUnit.SECONDS);
    RecordedRequest second = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(first.getHeaders().get("Idempotency-Key")).isEqualTo("k1");
    assertThat(second.getHeaders().get("Idempotency-Key")).isEqualTo("k5");

    try (MutationClient again = client(file, Connectivity.create())) {
      again.resumeOutbox().get(30, TimeUnit.SECONDS);
      assertThat(again.setAsideRecords()).hasSize(3);
    }
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void resumeOutbox_skipsMutationsThisClientAlreadyRuns() throws Exception {
    Connectivity connectivity = Connectivity.create();
    connectivity.setOnline(false);
    server.enqueue(ok());
    try (MutationClient client = client(dir.resolve("o.mv"), connectivity)) {
      CompletableFuture<JsonNode> result =
          client.mutate(OutboxFixtures.createEpisode(), new OutboxFixtures.NewEpisode("A", 1));
      client.resumeOutbox().get(10, TimeUnit.SECONDS);
      assertThat(client.findAll(MutationFilters.all())).hasSize(1);

      connectivity.setOnline(true);
      result.get(10, TimeUnit.SECONDS);
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void restoredMutationWhileOffline_waitsForReconnect() throws Exception {
    Path file = dir.resolve("o.mv");
    try (OutboxStore store = OutboxStore.open(file)) {
      store.append(
          OutboxFixtures.CREATE_EPISODE.hash(),
          "{\"title\":\"A\",\"number\":1}",
          Optional.empty(),
          "k1",
          0);
    }
    server.enqueue(ok());
    Connectivity connectivity = Connectivity.create();
    connectivity.setOnline(false);
    try (MutationClient client = client(file, connectivity)) {
      CompletableFuture<Void> resumed = client.resumeOutbox();
      assertThat(client.findAll(MutationFilters.all()))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.restored()).isTrue();
                assertThat(m.idempotencyKey()).contains("k1");
              });
      assertThat(resumed).isNotDone();
      assertThat(server.getRequestCount()).isZero();

      connectivity.setOnline(true);
      resumed.get(10, TimeUnit.SECONDS);
      assertThat(client.outboxRecords()).isEmpty();
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
  }
}
