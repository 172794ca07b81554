package com.example.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.example.boot.Todos.Todo;
import dev.quarry.Quarry;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.spring.boot.QuarryHealthIndicator;
import dev.quarry.testing.socketio.SocketIoTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application as Spring Boot starts it: the {@code Quarry} comes from the starter, configured
 * by application.properties; only the two servers' ports come from here. After the test class the
 * context is closed (dirty) and {@link AfterTheContextCloses}, registered before Spring's
 * extension so that it runs after it, checks that no Quarry thread is left.
 */
@ExtendWith(TodoAppTest.AfterTheContextCloses.class)
@SpringBootTest
@DirtiesContext
class TodoAppTest {
  private static volatile @Nullable Quarry used;
  private static final TodoApi api = new TodoApi();
  private static MockWebServer http;
  private static SocketIoTestServer realtime;

  @DynamicPropertySource
  static void servers(DynamicPropertyRegistry registry) throws Exception {
    http = new MockWebServer();
    http.setDispatcher(api);
    http.start();
    realtime = SocketIoTestServer.start();
    registry.add("todo.api.port", http::getPort);
    registry.add("todo.realtime.port", realtime::port);
  }

  static void stopServers() {
    if (realtime != null) {
      realtime.close();
    }
    if (http != null) {
      http.close();
    }
  }

  /** After Spring closed the context: the Quarry is closed and none of its threads is alive. */
  static final class AfterTheContextCloses implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
      try {
        Quarry quarry = used;
        assertThat(quarry).as("the test ran").isNotNull();
        assertThat(quarry.isClosed()).as("closed with the context").isTrue();
        assertThat(quarryThreads()).isEmpty();
      } finally {
        stopServers();
      }
    }
  }

  @Autowired Quarry quarry;
  @Autowired Todos todos;
  @Autowired QuarryHealthIndicator health;
  @Autowired MeterRegistry meters;

  @Test
  void theStarterAloneGivesAWorkingQuarry() throws Exception {
    used = quarry;
    // configured from application.properties
    assertThat(quarry.hasRealtime()).isTrue();

    // read through the cache: one request, the second read is served from the cache (stale-time=5m)
    assertThat(todos.all().get(10, TimeUnit.SECONDS)).containsExactly(new Todo("t1", "Buy milk"));
    assertThat(todos.all().get(10, TimeUnit.SECONDS)).containsExactly(new Todo("t1", "Buy milk"));
    assertThat(api.gets).isEqualTo(1);

    // a refused write is rolled back (mutation.retry=0: one request), an accepted one stays
    assertThatThrownBy(() -> todos.rename(new Todo("t1", " ")).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("422");
    assertThat(todos.cached()).containsExactly(new Todo("t1", "Buy milk"));
    assertThat(todos.rename(new Todo("t1", "Buy oat milk")).get(10, TimeUnit.SECONDS))
        .isEqualTo(new Todo("t1", "Buy oat milk"));
    assertThat(todos.cached()).containsExactly(new Todo("t1", "Buy oat milk"));
    assertThat(api.puts).isEqualTo(2);

    // the realtime connection was opened when the context started (connect-on-start)
    awaitConnected();
    var h = health.health();
    assertThat(h.getStatus()).isEqualTo(Status.UP);
    assertThat(h.getDetails()).containsEntry("queries", 1);
    @SuppressWarnings("unchecked")
    Map<String, Object> rt = (Map<String, Object>) h.getDetails().get("realtime");
    assertThat(rt).containsEntry("state", "CONNECTED");

    // the starter bound Quarry's meters to the application's registry
    assertThat(meters.get("quarry.mutations").tag("outcome", "error").counter().count())
        .isEqualTo(1.0);
    assertThat(meters.get("quarry.mutations").tag("outcome", "success").counter().count())
        .isEqualTo(1.0);
    assertThat(meters.get("quarry.queries").gauge().value()).isEqualTo(1.0);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(meters.get("quarry.query.hits").tag("key", "todos").counter().count())
                  .isEqualTo(1.0);
              assertThat(meters.get("quarry.mutation.rollbacks").counter().count())
                  .isEqualTo(1.0);
            });
  }

  private void awaitConnected() {
    // a real server: wait for the connection, bounded
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> quarry.realtime().state() == ConnectionState.CONNECTED);
  }

  private static List<String> quarryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("quarry-") && !n.startsWith("quarry-testserver"))
        .toList();
  }

  /** GET /api/todos and PUT /api/todos/{id}; a blank title is refused with 422. */
  static final class TodoApi extends Dispatcher {
    volatile String title = "Buy milk";
    volatile int gets;
    volatile int puts;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String target = request.getTarget();
      if ("GET".equals(request.getMethod()) && "/api/todos".equals(target)) {
        gets++;
        return json(200, "[{\"id\":\"t1\",\"title\":\"" + title + "\"}]");
      }
      if ("PUT".equals(request.getMethod()) && "/api/todos/t1".equals(target)) {
        puts++;
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        if (body.contains("\"title\":\" \"")) {
          return json(422, "{\"error\":\"title must not be blank\"}");
        }
        title = "Buy oat milk";
        return json(200, "{\"id\":\"t1\",\"title\":\"Buy oat milk\"}");
      }
      return json(404, "{}");
    }

    private static MockResponse json(int code, String body) {
      return new MockResponse.Builder()
          .code(code)
          .addHeader("Content-Type", "application/json")
          .body(body)
          .build();
    }
  }
}
