package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** README.md's first app, compiled verbatim, run in a JVM of its own against a local server. */
class FirstAppTest {
  @Test
  void fetchesObservesAddsOptimisticallyInvalidates_andItsJvmExitsByItself() throws Exception {
    try (TodoServer server = new TodoServer()) {
      Process app =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  FirstApp.class.getName(),
                  server.baseUrl())
              .redirectErrorStream(true)
              .start();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      Thread drain = new Thread(() -> copy(app.getInputStream(), output), "first-app-output");
      drain.start();

      boolean exited = app.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        app.destroyForcibly();
      }
      drain.join(5_000);
      String out = output.toString(StandardCharsets.UTF_8);

      assertThat(exited).as("the app's JVM exits by itself after main; output:%n%s", out).isTrue();
      assertThat(app.exitValue()).as(out).isZero();
      assertThat(out)
          .contains("fetched: [Todo[id=t1, title=Buy milk]]")
          .contains("shown: [Todo[id=t1, title=Buy milk], Todo[id=draft, title=Write docs]]")
          .contains("saved: Todo[id=t2, title=Write docs]")
          .contains("shown: [Todo[id=t1, title=Buy milk], Todo[id=t2, title=Write docs]]")
          .contains("cached: [Todo[id=t1, title=Buy milk], Todo[id=t2, title=Write docs]]");
      assertThat(server.requests).containsOnlyOnce("POST /api/todos");
      assertThat(server.requests.subList(server.requests.indexOf("POST /api/todos"), server.requests.size()))
          .as("the list is fetched again after the mutation")
          .contains("GET /api/todos");
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      // the process is gone
    }
  }
}
