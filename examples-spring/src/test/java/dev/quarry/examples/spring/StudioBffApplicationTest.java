package dev.quarry.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.examples.backend.StudioBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The BFF, started by Spring Boot on a random port, against the embedded studio backend (its REST
 * API and its socket.io server): it serves cached data, creates through a durable mutation, counts
 * live agent events, and reports health, the inspector and meters through Actuator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StudioBffApplicationTest {
  static StudioBackend backend;
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Autowired Environment environment;

  @DynamicPropertySource
  static void studioBackend(DynamicPropertyRegistry registry) throws IOException {
    backend = StudioBackend.builder().agentStep(Duration.ofMillis(50)).start();
    Path outbox = Files.createTempDirectory("studio-bff-test");
    registry.add("quarry.base-url", () -> backend.baseUrl().toString());
    registry.add("quarry.realtime.uri", () -> backend.socketUrl().toString());
    registry.add("quarry.persistence.directory", outbox::toString);
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode post(String path, String json) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(url(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + path);
  }

  @Test
  void episodes_areServedFromQuarrysCache_oneBackendRequestForManyClientRequests()
      throws Exception {
    for (int i = 0; i < 3; i++) {
      JsonNode page = get("/projects/p2/episodes");
      assertThat(page.get("docs").isArray()).isTrue();
    }
    assertThat(backend.requestCount("GET /api/projects/p2/episodes")).isEqualTo(1);
  }

  @Test
  void createEpisode_goesThroughTheDurableMutation_andTheListShowsIt() throws Exception {
    int before = get("/projects/p1/episodes").get("totalDocs").asInt();
    JsonNode created = post("/projects/p1/episodes", "{\"title\":\"Pilot\"}");
    assertThat(created.get("title").asText()).isEqualTo("Pilot");
    // sent once, with an idempotency key (the outbox's)
    assertThat(backend.idempotencyKeys("POST /api/projects/p1/episodes")).hasSize(1);
    // the mutation invalidated the cached list: it is refetched and shows the new episode
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get("/projects/p1/episodes").get("totalDocs").asInt())
                    .isEqualTo(before + 1));
  }

  @Test
  void agentEvents_arriveLiveOverSocketIo_andAreCounted() throws Exception {
    JsonNode execution =
        post("/executions", "{\"projectId\":\"p1\",\"agent\":\"writer\",\"prompt\":\"outline\"}");
    String id = execution.get("id").asText();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(get("/executions/" + id + "/agent-events").get("agentEvents").asLong())
                    .isPositive());
    assertThat(get("/agent-events").get("agentEvents").asLong()).isPositive();
  }

  @Test
  void actuator_reportsQuarrysHealthInspectorAndMeters() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get("/actuator/health").at("/components/quarry/status").asText())
                    .isEqualTo("UP"));
    JsonNode health = get("/actuator/health").at("/components/quarry/details");
    assertThat(health.at("/realtime/state").asText()).isEqualTo("CONNECTED");
    assertThat(health.at("/outbox/setAside").asInt()).isZero();

    get("/projects/p1/episodes");
    JsonNode inspector = get("/actuator/quarry");
    assertThat(inspector.get("queries").toString()).contains("episodes");
    assertThat(inspector.at("/realtime/state").asText()).isEqualTo("CONNECTED");

    JsonNode fetches = get("/actuator/metrics/quarry.query.fetch");
    assertThat(fetches.toString()).contains("outcome");
    assertThat(get("/actuator/metrics/quarry.realtime.state").toString()).contains("connected");
  }
}
