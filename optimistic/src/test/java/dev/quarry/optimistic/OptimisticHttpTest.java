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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Optimistic updates against a real HTTP server, with the clients' own threads. */
class OptimisticHttpTest {
  record Episode(String title) {}

  private static final QueryKey EPISODES = QueryKey.of("episodes", "p1");
  private static final JsonType<List<Episode>> EPISODE_LIST =
      JsonType.of(new TypeReference<List<Episode>>() {});

  private final MockWebServer server = new MockWebServer();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final List<Optional<List<Episode>>> seenByServer = new CopyOnWriteArrayList<>();
  private volatile int postStatus = 201;
  private JsonHttp http;
  private QueryClient queries;
  private MutationClient mutations;

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            if (request.getMethod().equals("GET")) {
              return new MockResponse.Builder().code(200).body("[{\"title\":\"Pilot\"}]").build();
            }
            // What the application shows while the server has not answered yet.
            seenByServer.add(queries.getQueryData(EPISODES));
            return new MockResponse.Builder()
                .code(postStatus)
                .body("{\"title\":\"Second\"}")
                .build();
          }
        });
    server.start();
    http = JsonHttp.builder().baseUrl(server.url("/").toString()).build();
    queries = QueryClient.builder().errorHandler((c, e) -> handled.add(e)).build();
    mutations =
        MutationClient.builder()
            .queryClient(queries)
            .http(http)
            .errorHandler((c, e) -> handled.add(e))
            .build();
  }

  @AfterEach
  void stop() {
    mutations.close();
    queries.close();
    http.close();
    server.close();
  }

  private static List<Episode> plus(List<Episode> list, Episode e) {
    List<Episode> out = new ArrayList<>(list);
    out.add(e);
    return out;
  }

  private final MutationOptions<Episode, Episode, Void> create =
      MutationOptions.<Episode, Episode, Void>builder()
          .mutationFn((ep, ctx) -> ctx.http().post("episodes", ep, Episode.class))
          .<List<Episode>>optimistic(ep -> EPISODES, (list, ep) -> list.map(l -> plus(l, ep)))
          .build();

  @Test
  void serverError_showsTheItemBeforeTheAnswer_thenRestoresTheListExactly() throws Exception {
    List<Episode> original =
        queries
            .fetchQuery(QueryOptions.of(EPISODES, ctx -> http.get("episodes", EPISODE_LIST)))
            .get(10, TimeUnit.SECONDS);
    postStatus = 500;

    CompletableFuture<Episode> result = mutations.mutate(create, new Episode("Second"));

    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(HttpStatusException.class);
    assertThat(seenByServer)
        .containsExactly(Optional.of(List.of(new Episode("Pilot"), new Episode("Second"))));
    assertThat(queries.<List<Episode>>getQueryData(EPISODES)).contains(original);
    assertThat(original).containsExactly(new Episode("Pilot"));
    assertThat(handled).singleElement().isInstanceOf(HttpStatusException.class);
  }

  @Test
  void accepted_keepsTheItem() throws Exception {
    queries
        .fetchQuery(QueryOptions.of(EPISODES, ctx -> http.get("episodes", EPISODE_LIST)))
        .get(10, TimeUnit.SECONDS);

    assertThat(mutations.mutate(create, new Episode("Second")).get(10, TimeUnit.SECONDS))
        .isEqualTo(new Episode("Second"));

    assertThat(seenByServer)
        .containsExactly(Optional.of(List.of(new Episode("Pilot"), new Episode("Second"))));
    assertThat(queries.<List<Episode>>getQueryData(EPISODES))
        .contains(List.of(new Episode("Pilot"), new Episode("Second")));
    assertThat(handled).isEmpty();
  }
}
