package dev.quarry.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs StudioDemo's {@code main} in a child JVM, as the README's command does: it must end on its
 * own (no thread keeps the JVM alive) within a minute, with status 0 and no stack trace.
 */
class StudioDemoProcessTest {

  @Test
  void main_inChildJvm_exitsZeroWithinAMinuteWithoutStackTrace(@TempDir Path dir)
      throws IOException, InterruptedException {
    Path log = dir.resolve("demo.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java, "-cp", System.getProperty("java.class.path"), StudioDemo.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);

    assertThat(ended).as("the demo ended within 60 s:%n%s", output).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("7. The inspector")
        .contains("done in")
        .doesNotContain("DEMO FAILED")
        .doesNotContain("\tat ")
        .doesNotContain("Exception in thread");
  }
}
