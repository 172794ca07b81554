package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.http.JsonType;
import dev.quarry.testing.VirtualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The layering rule against a real HTTP server: an episode pushed while a rename is pending
 * survives the rename's rollback.
 */
class OptimisticLayeringHttpTest {
  record Episode(int number, String title) {}

  record Rename(int number, String title) {}

  private static final QueryKey EPISODES = QueryKey.of("episodes", "p1");
  private static final JsonType<List<Episode>> EPISODE_LIST =
      JsonType.of(new TypeReference<List<Episode>>() {});
  private static final String SEASON =
      "[{\"number\":1,\"title\":\"Pilot\"},{\"number\":2,\"title\":\"Two\"},"
          + "{\"number\":3,\"title\":\"Three\"}]";

  private final VirtualTime time = new VirtualTime();
  private final MockWebServer server = new MockWebServer();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final CountDownLatch renameArrived = new CountDownLatch(1);
  private final CountDownLatch answerRename = new CountDownLatch(1);
  private JsonHttp http;
  private QueryClient queries;
  private MutationClient mutations;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            if (request.getMethod().equals("GET")) {
              return new MockResponse.Builder().code(200).body(SEASON).build();
            }
            renameArrived.countDown();
            // The server takes its time; the test decides when it answers (bounded).
            answerRename.await(20, TimeUnit.SECONDS);
            return new MockResponse.Builder().code(409).body("{\"error\":\"locked\"}").build();
          }
        });
    server.start();
    http = JsonHttp.builder().baseUrl(server.url("/").toString()).build();
    queries =
        QueryClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .errorHandler((c, e) -> handled.add(e))
            .build();
    mutations =
        MutationClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .queryClient(queries)
            .http(http)
            .errorHandler((c, e) -> handled.add(e))
            .build();
  }

  @AfterEach
  void stop() {
    answerRename.countDown();
    mutations.close();
    queries.close();
    http.close();
    server.close();
  }

  private static List<Episode> renamed(List<Episode> list, Rename r) {
    return list.stream()
        .map(e -> e.number() == r.number() ? new Episode(e.number(), r.title()) : e)
        .toList();
  }

  private static List<Episode> plus(List<Episode> list, Episode e) {
    List<Episode> out = new ArrayList<>(list);
    out.add(e);
    return List.copyOf(out);
  }

  @Test
  void failedRename_afterAPushedEpisode_keepsTheEpisode_andRestoresTheOldName() throws Exception {
    List<Episode> season =
        queries
            .fetchQuery(QueryOptions.of(EPISODES, ctx -> http.get("episodes", EPISODE_LIST)))
            .get(10, TimeUnit.SECONDS);
    MutationOptions<Rename, Episode, Void> rename =
        MutationOptions.<Rename, Episode, Void>builder()
            .mutationFn((r, ctx) -> ctx.http().patch("episodes/" + r.number(), r, Episode.class))
            .<List<Episode>>optimistic(r -> EPISODES, (list, r) -> list.map(l -> renamed(l, r)))
            .invalidateOnSettled(false)
            .build();

    CompletableFuture<Episode> result = mutations.mutate(rename, new Rename(3, "The Heist"));
    assertThat(renameArrived.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(queries.<List<Episode>>getQueryData(EPISODES).orElseThrow().get(2).title())
        .isEqualTo("The Heist");

    Episode pushed = new Episode(4, "Four");
    mutations.<List<Episode>>setQueryDataUnderLayers(
        EPISODES, list -> list.map(l -> plus(l, pushed)));
    assertThat(queries.<List<Episode>>getQueryData(EPISODES))
        .contains(plus(renamed(season, new Rename(3, "The Heist")), pushed));

    answerRename.countDown();
    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(HttpStatusException.class);

    assertThat(queries.<List<Episode>>getQueryData(EPISODES)).contains(plus(season, pushed));
    assertThat(season.get(2)).isEqualTo(new Episode(3, "Three"));
    assertThat(handled).singleElement().isInstanceOf(HttpStatusException.class);
  }
}
