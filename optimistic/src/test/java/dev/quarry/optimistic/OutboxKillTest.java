package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Connectivity;
import dev.quarry.core.http.JsonHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durability against a real SIGKILLed child JVM, real files and a real HTTP server. */
class OutboxKillTest {
  @TempDir Path dir;
  private final MockWebServer server = new MockWebServer();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
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

  @Test
  void killedWhileOffline_resumedAfterRestart_sendsEachMutationOnceInOrderWithItsIdempotencyKey()
      throws Exception {
    Path outbox = dir.resolve("outbox.mv");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OutboxChild.class.getName(),
                outbox.toString(),
                server.url("/").toString())
            .redirectError(dir.resolve("child-stderr.txt").toFile())
            .start();
    List<String> keys;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String ready =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      String line;
                      while ((line = out.readLine()) != null) {
                        if (line.startsWith("READY ")) {
                          return line;
                        }
                      }
                      return "EOF";
                    } catch (java.io.IOException e) {
                      return "IO " + e;
                    }
                  })
              .get(60, TimeUnit.SECONDS);
      assertThat(ready).startsWith("READY ");
      keys = List.of(ready.substring("READY ".length()).split(","));
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(child.exitValue()).isEqualTo(137); // 128 + SIGKILL
    assertThat(keys).hasSize(3).doesNotHaveDuplicates();
    assertThat(server.getRequestCount()).isZero();

    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(200).body("{\"ok\":true}").build());
    }
    try (MutationClient restarted =
        OutboxFixtures.client(outbox, http, Connectivity.create(), (c, e) -> handled.add(e))) {
      restarted.resumeOutbox().get(30, TimeUnit.SECONDS);
      assertThat(restarted.outboxRecords()).isEmpty();
    }

    List<String> bodies = new ArrayList<>();
    List<String> sentKeys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
      assertThat(request).isNotNull();
      assertThat(request.getTarget()).isEqualTo("/episodes");
      bodies.add(request.getBody().utf8());
      sentKeys.add(request.getHeaders().get("Idempotency-Key"));
    }
    assertThat(bodies)
        .containsExactly(
            "{\"title\":\"Episode 1\",\"number\":1}",
            "{\"title\":\"Episode 2\",\"number\":2}",
            "{\"title\":\"Episode 3\",\"number\":3}");
    assertThat(sentKeys).containsExactlyElementsOf(keys);
    assertThat(server.getRequestCount()).isEqualTo(3);

    try (MutationClient again =
        OutboxFixtures.client(outbox, http, Connectivity.create(), (c, e) -> handled.add(e))) {
      again.resumeOutbox().get(30, TimeUnit.SECONDS);
      assertThat(again.outboxRecords()).isEmpty();
      assertThat(again.setAsideRecords()).isEmpty();
    }
    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(handled).isEmpty();
  }
}
