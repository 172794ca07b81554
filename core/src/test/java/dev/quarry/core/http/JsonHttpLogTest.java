package dev.quarry.core.http;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.internal.CapturedLog;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The logger {@code dev.quarry.http} writes one DEBUG line per request: method, path, status or
 * failure, duration; never the host, query, headers or bodies.
 */
class JsonHttpLogTest {
  record Note(String text) {}

  @StartStop private final MockWebServer server = new MockWebServer();

  @Test
  void aRequestLogsItsMethodPathStatusAndDuration_butNoSecret() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(201)
            .setHeader("Content-Type", "application/json")
            .setHeader("Set-Cookie", "session=cookie-s3cr3t")
            .body("{\"text\":\"body-s3cr3t\"}")
            .build());
    server.enqueue(new MockResponse.Builder().code(404).body("{\"error\":\"404-s3cr3t\"}").build());

    try (JsonHttp http =
        JsonHttp.builder()
            .baseUrl(server.url("/api/").toString())
            .authorization(() -> Optional.of("Bearer auth-s3cr3t"))
            .build()) {
      String log =
          CapturedLog.during(
              () -> {
                http.post("notes?token=query-s3cr3t", new Note("request-s3cr3t"), Note.class)
                    .get(10, SECONDS);
                try {
                  http.withHeaders(Map.of("X-Api-Key", "header-s3cr3t"))
                      .get("notes/7", Note.class)
                      .get(10, SECONDS);
                } catch (ExecutionException expected) {
                  assertThat(expected).hasCauseInstanceOf(HttpStatusException.class);
                }
              });

      // each message is exactly this (the thread name before it is OkHttp's, with the host)
      assertThat(log)
          .containsPattern("(?m)DEBUG dev\\.quarry\\.http - POST /api/notes -> 201 in \\d+ ms$")
          .containsPattern("(?m)DEBUG dev\\.quarry\\.http - GET /api/notes/7 -> 404 in \\d+ ms$")
          .doesNotContain("s3cr3t");
      assertThat(log.lines()).hasSize(2);
    }
  }
}
