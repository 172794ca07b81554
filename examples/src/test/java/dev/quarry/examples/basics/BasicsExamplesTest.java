package dev.quarry.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each small example runs against the embedded backend and prints what it claims. */
class BasicsExamplesTest {

  interface Example {
    void run(PrintStream out) throws Exception;
  }

  private static String output(Example example) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      example.run(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void queryExample_threeFetches_oneRequest() throws Exception {
    String out = output(QueryExample::run);

    assertThat(out)
        .contains("episodes: [The Keeper, Fog Horn, Low Tide]")
        .contains("same data from the cache: true")
        .contains("requests: 1 for 3 fetches");
  }

  @Test
  void optimisticMutationExample_showsDraftConfirmsAndRollsBack() throws Exception {
    String out = output(OptimisticMutationExample::run);

    assertThat(out)
        .contains("shown: [The Keeper, Fog Horn, Low Tide]")
        .contains("shown: [The Keeper, Fog Horn, Low Tide, Pilot]")
        .contains("confirmed: ep100 Pilot")
        .contains("shown: [The Keeper, Fog Horn, Low Tide, Pilot, Untitled]")
        .contains("refused: ")
        .contains("422")
        .contains("rolled back: [The Keeper, Fog Horn, Low Tide, Pilot]");
    assertThat(out.indexOf("shown: [The Keeper, Fog Horn, Low Tide, Pilot]"))
        .isLessThan(out.indexOf("confirmed: ep100 Pilot"));
    assertThat(out.lastIndexOf("shown: [The Keeper, Fog Horn, Low Tide, Pilot]\n"))
        .isGreaterThan(out.indexOf("Untitled]"));
  }

  @Test
  void liveQueryExample_appendsEveryAgentEvent() throws Exception {
    String out = output(LiveQueryExample::run);

    assertThat(out).contains("12 events, last: draft ready for review").contains("live: 12 events");
  }

  @Test
  void offlineOutboxExample_pausesOfflineAndSendsOnceOnline() throws Exception {
    String out = output(OfflineOutboxExample::run);

    assertThat(out)
        .contains("offline: paused=true")
        .contains("requests while offline: 0")
        .contains("online: sent, the server says \"Low Tide (final)\"")
        .contains("requests: 1");
  }
}
