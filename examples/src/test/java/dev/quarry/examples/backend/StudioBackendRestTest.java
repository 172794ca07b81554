package dev.quarry.examples.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.http.JsonType;
import dev.quarry.examples.studio.Conversation;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.EpisodePatch;
import dev.quarry.examples.studio.Execution;
import dev.quarry.examples.studio.NewEpisode;
import dev.quarry.examples.studio.NewExecution;
import dev.quarry.examples.studio.Page;
import dev.quarry.examples.studio.Project;
import dev.quarry.examples.studio.Scene;
import dev.quarry.examples.studio.StoryCharacter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StudioBackendRestTest {
  private static final JsonType<Page<Project>> PROJECTS = JsonType.of(new TypeReference<>() {});
  private static final JsonType<Page<Episode>> EPISODES = JsonType.of(new TypeReference<>() {});

  private StudioBackend backend;
  private JsonHttp http;

  @BeforeEach
  void start() {
    backend = StudioBackend.start();
    http = JsonHttp.builder().baseUrl(backend.baseUrl().toString()).build();
  }

  @AfterEach
  void stop() {
    http.close();
    backend.close();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void lists_arePaginated() throws Exception {
    Page<Episode> first = await(http.get("projects/p1/episodes?page=1&limit=2", EPISODES));
    Page<Episode> second = await(http.get("projects/p1/episodes?page=2&limit=2", EPISODES));

    assertThat(first.docs()).extracting(Episode::id).containsExactly("ep1", "ep2");
    assertThat(first.totalDocs()).isEqualTo(3);
    assertThat(first.hasNextPage()).isTrue();
    assertThat(second.docs()).extracting(Episode::id).containsExactly("ep3");
    assertThat(second.hasNextPage()).isFalse();
    assertThat(second.page()).isEqualTo(2);
    assertThat(second.limit()).isEqualTo(2);
    assertThat(await(http.get("projects", PROJECTS)).docs())
        .extracting(Project::title)
        .containsExactly("Harbor Lights", "Night Shift");
  }

  @Test
  void create_withIdempotencyKey_replayReturnsFirstResultWithoutDuplicate() throws Exception {
    JsonHttp keyed = http.withHeader("Idempotency-Key", "k-1");
    Episode first =
        await(keyed.post("projects/p1/episodes", new NewEpisode("p1", "Pilot"), Episode.class));
    Episode replay =
        await(keyed.post("projects/p1/episodes", new NewEpisode("p1", "Pilot"), Episode.class));
    Episode other =
        await(
            http.withHeader("Idempotency-Key", "k-2")
                .post("projects/p1/episodes", new NewEpisode("p1", "Pilot"), Episode.class));

    assertThat(replay).isEqualTo(first);
    assertThat(other.id()).isNotEqualTo(first.id());
    assertThat(await(http.get("projects/p1/episodes", EPISODES)).totalDocs()).isEqualTo(5);
    assertThat(backend.requestCount("POST /api/projects/p1/episodes")).isEqualTo(3);
    assertThat(backend.idempotencyKeys("POST /api/projects/p1/episodes"))
        .containsExactly("k-1", "k-1", "k-2");
  }

  @Test
  void refuseCreates_matchingTitle_failsWithStatusAndMessage() throws Exception {
    backend.faults().refuseCreates("(?i)forbidden", 422, "title is not allowed");

    assertThatThrownBy(
            () ->
                await(
                    http.post(
                        "projects/p1/episodes",
                        new NewEpisode("p1", "Forbidden Fruit"),
                        Episode.class)))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            HttpStatusException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.bodyExcerpt()).contains("title is not allowed");
            });
    assertThat(
            await(http.post("projects/p1/episodes", new NewEpisode("p1", "Allowed"), Episode.class))
                .title())
        .isEqualTo("Allowed");
  }

  @Test
  void failNext_failsExactlyThatManyRequests_andCountsThem() throws Exception {
    backend.faults().failNext("/api/projects", 2, 503);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> await(http.get("projects", PROJECTS)))
          .cause()
          .isInstanceOfSatisfying(
              HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(503));
    }
    assertThat(await(http.get("projects", PROJECTS)).totalDocs()).isEqualTo(2);
    assertThat(backend.requestCount("GET /api/projects")).isEqualTo(3);
    assertThat(backend.requestCounts()).containsEntry("GET /api/projects", 3);
  }

  @Test
  void latency_delaysResponsesWithoutBlockingOtherRequests() throws Exception {
    backend.faults().latency(Duration.ofMillis(300));
    long start = System.nanoTime();
    List<CompletableFuture<Page<Project>>> calls =
        List.of(
            http.get("projects", PROJECTS),
            http.get("projects", PROJECTS),
            http.get("projects", PROJECTS));
    for (CompletableFuture<Page<Project>> c : calls) {
      assertThat(await(c).totalDocs()).isEqualTo(2);
    }
    long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(elapsedMs).isGreaterThanOrEqualTo(300);
  }

  @Test
  void patch_renamesEpisode_andUnknownIdsAre404() throws Exception {
    Episode renamed =
        await(http.patch("episodes/ep2", new EpisodePatch("Fog Horn (v2)"), Episode.class));
    assertThat(renamed.title()).isEqualTo("Fog Horn (v2)");
    assertThat(await(http.get("episodes/ep2", Episode.class)).title()).isEqualTo("Fog Horn (v2)");
    assertThatThrownBy(() -> await(http.get("episodes/nope", Episode.class)))
        .cause()
        .isInstanceOfSatisfying(
            HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void charactersScenesConversationsAndExecutions_listAndCreate() throws Exception {
    JsonType<Page<StoryCharacter>> characters = JsonType.of(new TypeReference<>() {});
    JsonType<Page<Scene>> scenes = JsonType.of(new TypeReference<>() {});
    JsonType<Page<Conversation>> conversations = JsonType.of(new TypeReference<>() {});
    JsonType<Page<Execution>> executions = JsonType.of(new TypeReference<>() {});

    assertThat(await(http.get("projects/p1/characters", characters)).docs())
        .extracting(StoryCharacter::name)
        .containsExactly("Mara Quill", "Tomas Quill");
    StoryCharacter added =
        await(
            http.post(
                "projects/p1/characters",
                Map.of("name", "Ines Vale", "role", "harbor master"),
                StoryCharacter.class));
    assertThat(added.role()).isEqualTo("harbor master");
    assertThat(await(http.get("projects/p1/characters", characters)).totalDocs()).isEqualTo(3);

    assertThat(await(http.get("episodes/ep1/scenes", scenes)).docs()).hasSize(2);
    Scene scene =
        await(http.post("episodes/ep1/scenes", Map.of("title", "INT. BOAT - DAY"), Scene.class));
    assertThat(scene.order()).isEqualTo(3);

    assertThat(await(http.get("projects/p1/conversations", conversations)).docs())
        .extracting(Conversation::title)
        .containsExactly("Season arc");
    await(http.post("projects/p1/conversations", Map.of("title", "Villain"), Conversation.class));
    assertThat(await(http.get("projects/p1/conversations", conversations)).totalDocs())
        .isEqualTo(2);

    Execution x =
        await(
            http.post(
                "executions", new NewExecution("p2", "script-writer", "go"), Execution.class));
    assertThat(x.status()).isEqualTo("queued");
    assertThat(await(http.get("projects/p2/executions", executions)).docs())
        .extracting(Execution::id)
        .containsExactly(x.id());
    assertThat(await(http.get("executions/" + x.id(), Execution.class)).projectId())
        .isEqualTo("p2");
  }

  @Test
  void create_withoutTitle_isRejectedWith400NamingTheField() throws Exception {
    assertThatThrownBy(
            () -> await(http.post("projects/p1/episodes", Map.of("name", "x"), Episode.class)))
        .cause()
        .isInstanceOfSatisfying(
            HttpStatusException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.bodyExcerpt()).contains("'title'");
            });
  }
}
