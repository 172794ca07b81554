package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.testing.VirtualTime;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpCancellationTest {
  record Todo(String title) {}

  private final MockWebServer server = new MockWebServer();
  private final List<Call> cancelled = new CopyOnWriteArrayList<>();
  private OkHttpClient ok;
  private JsonHttp http;
  private QueryClient client;
  private final VirtualTime time = new VirtualTime();

  @BeforeEach
  void start() throws IOException {
    server.start();
    ok =
        new OkHttpClient.Builder()
            .eventListener(
                new EventListener() {
                  @Override
                  public void canceled(Call call) {
                    cancelled.add(call);
                  }
                })
            .build();
    http = JsonHttp.builder().baseUrl(server.url("/api/").toString()).client(ok).build();
    client =
        QueryClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .http(http)
            .build();
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    http.close();
    ok.dispatcher().executorService().shutdownNow();
    ok.connectionPool().evictAll();
    server.close();
  }

  @Test
  void queryFunctionUsingTheSdkHttpClient_getsTheResponse() {
    server.enqueue(new MockResponse.Builder().code(200).body("{\"title\":\"a\"}").build());
    Todo t =
        client
            .fetchQuery(
                QueryOptions.of(QueryKey.of("todo"), ctx -> ctx.http().get("todo", Todo.class)))
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    assertThat(t).isEqualTo(new Todo("a"));
  }

  @Test
  void cancellingAFetch_cancelsItsHttpCall() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body("{\"title\":\"late\"}")
            .headersDelay(30, TimeUnit.SECONDS)
            .build());
    QueryKey key = QueryKey.of("slow");
    CompletableFuture<Todo> fetch =
        client.fetchQuery(QueryOptions.of(key, ctx -> ctx.http().get("slow", Todo.class)));
    assertThat(server.takeRequest(10, TimeUnit.SECONDS).getTarget()).isEqualTo("/api/slow");

    client.cancelQueries(QueryFilters.exact(key)).get(10, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).until(() -> !cancelled.isEmpty());
    assertThat(cancelled.get(0).request().url().encodedPath()).isEqualTo("/api/slow");
    assertThat(fetch).isCompletedExceptionally();
    assertThat(client.getQueryState(key).orElseThrow().fetchStatus()).isEqualTo(FetchStatus.IDLE);
  }
}
