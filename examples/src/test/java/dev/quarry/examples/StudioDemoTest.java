package dev.quarry.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs the demo's main flow in-process and checks that every narrated step appears. */
class StudioDemoTest {

  private static Set<String> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  @Test
  void demo_embeddedBackend_narratesEveryStepAndExitsZero() throws Exception {
    Set<String> before = nonDaemonThreads();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Future<Integer> run = runner.submit(() -> StudioDemo.run(new String[0], out, false));
      try {
        status = run.get(90, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        dumpThreads(); // what the demo waits for, in the test's output file
        throw new AssertionError("the demo did not end within 90 s:\n" + bytes, e);
      }
    } finally {
      runner.shutdownNow();
    }
    String output = bytes.toString(StandardCharsets.UTF_8);

    assertThat(status).as(output).isZero();
    assertThat(output)
        .doesNotContain("DEMO FAILED")
        .doesNotContain("Exception in thread")
        .doesNotContain("\tat ")
        // 1. cache hits and deduplication
        .contains("1. Loading projects and episodes")
        .contains("3 concurrent fetches of [\"projects\",\"p1\",\"episodes\"] -> 1 request")
        .contains("(backend saw 1)")
        .contains("4th fetch -> cache hit")
        // 2. optimistic create: shown at once, then confirmed
        .contains("2. Creating an episode optimistically")
        .contains("4 Pilot (saving...)")
        .contains("the draft is on screen after")
        .contains("confirmed by the server")
        // 3. refused create rolled back, error shown
        .contains("3. A create the server refuses")
        .contains("the server refused it: HTTP 422 an episode needs a real title")
        .contains("rolled back: the draft is gone")
        .contains("[store ui] toast: Could not create \"Untitled\"")
        // 4. live execution with a progress bar
        .contains("4. Starting an agent execution and following it live")
        .contains("[###############...............]  50% act two: the lamp fails")
        .contains("[##############################] done draft ready for review")
        .contains("the events query holds 12 agent events")
        .contains("[store orchestrator] mode: reviewing")
        .contains("[notification] success: Execution")
        .contains("the topic is subscribed=false")
        // 5. dropped connection, reconnect, gap detected, refetch
        .contains("5. The server drops the realtime connection")
        .contains("[realtime] connection lost")
        .contains("[realtime] reconnected")
        .contains("recovered=false")
        .contains("reconnected without recovery -> its queries are invalidated and refetched")
        .contains("the events query holds 12 events [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]")
        // 6. offline change queued, sent when back online
        .contains("6. Going offline and queueing a change")
        .contains("[store ui] offline banner: true")
        .contains("2 Fog Horn (director's cut)")
        .contains("the mutation is paused and kept in the outbox")
        .contains("PATCH requests so far: 0")
        .contains("sent once when back online")
        .contains("PATCH requests: 1")
        // 7. the inspector's table, stores included
        .contains("7. The inspector")
        .contains("Queries (")
        .contains("Mutations (")
        .contains("Realtime: CONNECTED")
        .contains("Stores (3)")
        .contains("orchestrator  Orchestrator[mode=reviewing")
        .contains("the layout store is persisted in stores/layout.json: {\"sidebarOpen\":true")
        // 8. a streamed draft, cut and resumed with Last-Event-ID
        .contains("8. A draft streamed token by token")
        .contains("[draft 1 (streaming)] INT.")
        .contains("stream broke; reconnecting with Last-Event-ID: 5")
        .contains("14 tokens, ids 1..14 in order: none lost, none repeated (2 HTTP streams)");
    assertThat(output.indexOf("4 Pilot (saving...)"))
        .isLessThan(output.indexOf("confirmed by the server"));
    // threads end asynchronously after close(); wait (bounded) for the real threads to finish
    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(nonDaemonThreads()).isSubsetOf(before));
  }

  /** The threads as they are (to the test's output file), to see what a stuck demo waits for. */
  private static void dumpThreads() {
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              System.out.println(t.getName() + " " + t.getState());
              for (StackTraceElement e : stack) {
                System.out.println("    at " + e);
              }
            });
  }

  @Test
  void demo_unknownOption_printsUsageAndExitsTwo() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = StudioDemo.run(new String[] {"--bogus"}, out, false);
    }

    assertThat(status).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("unknown option: --bogus")
        .contains("usage: StudioDemo");
  }

  @Test
  void demo_unreachableBackend_failsWithOneLineAndExitsOne() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = StudioDemo.run(new String[] {"--base-url", "http://127.0.0.1:9/api/"}, out, false);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);

    assertThat(status).as(output).isEqualTo(1);
    assertThat(output).contains("DEMO FAILED: the projects failed").doesNotContain("\tat ");
  }
}
