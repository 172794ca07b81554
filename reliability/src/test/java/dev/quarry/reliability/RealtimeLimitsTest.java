package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionEvent;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hostile and slow peers against the realtime client's limits, measured in memory: an inflation
 * bomb and an oversized message from a {@link HostileWebSocketServer}, and a listener that blocks
 * under a 100,000-event flood from the real socket.io server, each with the client in a child JVM
 * with a small heap ({@link LimitsChild} prints what it measured, this test asserts); and hostile
 * heartbeat values and packets the strict decoder refuses, in this JVM.
 */
class RealtimeLimitsTest {
  private static final String OPEN =
      "0{\"sid\":\"hostile\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
          + "\"maxPayload\":1000000}";
  private static final String CONNECTED = "40{\"sid\":\"s1\"}";

  /** Heap after GC the child may keep while it is still running; its max heap is 64 MiB. */
  private static final long HOSTILE_HEAP_BOUND = 32L << 20;

  /** Heap after GC with a stuck listener and a full event queue; the child's max is 128 MiB. */
  private static final long FLOOD_HEAP_BOUND = 48L << 20;

  private static final int FLOOD_EVENTS = 100_000;

  // ------------------------------------------------------------------ child JVMs

  /** A running child and its output lines. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    Child(String heap, String... args) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add(heap);
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(LimitsChild.class.getName());
      cmd.addAll(List.of(args));
      process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("reader: " + e);
                }
              },
              "limits-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    boolean has(String prefix) {
      synchronized (lines) {
        return lines.stream().anyMatch(l -> l.startsWith(prefix));
      }
    }

    List<String> values(String key) {
      String prefix = "CHILD " + key + "=";
      synchronized (lines) {
        return lines.stream()
            .filter(l -> l.startsWith(prefix))
            .map(l -> l.substring(prefix.length()))
            .toList();
      }
    }

    long number(String key) {
      List<String> v = values(key);
      assertThat(v).as("child printed %s; output:%n%s", key, String.join("\n", lines)).isNotEmpty();
      return Long.parseLong(v.get(0));
    }

    void finish() throws InterruptedException {
      assertThat(process.waitFor(40, TimeUnit.SECONDS))
          .as("child exited; output:%n%s", String.join("\n", lines))
          .isTrue();
      // The output thread may still be reading the last lines.
      await().atMost(Duration.ofSeconds(5)).until(() -> has("CHILD ooms="));
    }

    @Override
    public void close() {
      process.destroyForcibly();
      synchronized (lines) {
        for (String l : lines) {
          System.out.println("child | " + l);
        }
      }
    }
  }

  private static long count(List<String> values, String part) {
    return values.stream().filter(v -> v.contains(part)).count();
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  // ------------------------------------------------------------------ 1. size limit

  @Test
  void inflationBomb_isNeverInflated_theConnectionClosesWithATypedError() throws Exception {
    long inflated = 256L << 20;
    byte[] bomb = HostileWebSocketServer.deflateBomb("42[\"big\",\"", 'a', inflated, "\"]");
    try (HostileWebSocketServer server =
            new HostileWebSocketServer(
                peer -> {
                  peer.text(OPEN);
                  peer.text(CONNECTED);
                  peer.compressedText(bomb);
                });
        Child child = new Child("-Xmx64m", "hostile", server.url())) {
      child.finish();
      List<String> errors = child.values("error");
      List<String> events = child.values("event");
      long typed = count(errors, "ProtocolException");
      long ooms = child.number("ooms");
      long heap = child.number("heapAfterGcBytes");
      int bombs = server.connections();

      FaultTally tally = new FaultTally("Inflation bomb (realtime, 64 MiB child JVM)");
      tally.injected(bombs);
      tally.survived(Math.min(bombs, typed));
      if (ooms > 0 || typed < bombs) {
        tally.lost(bombs - Math.min(bombs, typed), "ooms=" + ooms + " typed=" + typed);
      }
      tally.print(
          bombs
              + " bombs of "
              + bomb.length
              + " bytes inflating to "
              + mib(inflated)
              + "; compression offered by the client: "
              + server.offeredExtensions()
              + "; OutOfMemoryErrors: "
              + ooms
              + "; heap after GC "
              + mib(heap)
              + " (bound "
              + mib(HOSTILE_HEAP_BOUND)
              + ")");

      assertThat(ooms).as("OutOfMemoryErrors in the child").isZero();
      assertThat(server.offeredExtensions()).as("extensions offered").allMatch(String::isEmpty);
      assertThat(bombs).isEqualTo(3);
      assertThat(typed).as("typed errors; child errors %s", errors).isEqualTo(bombs);
      assertThat(count(events, "cause=ProtocolException")).isEqualTo(bombs);
      assertThat(child.values("ended")).containsExactly("true");
      assertThat(events).noneMatch(e -> e.contains("delivered"));
      assertThat(heap).isPositive().isLessThan(HOSTILE_HEAP_BOUND);
    }
  }

  @Test
  void uncompressedOversizedMessage_isRefusedWithATypedError_andNeverParsed() throws Exception {
    long size = 8L << 20;
    try (HostileWebSocketServer server =
            new HostileWebSocketServer(
                peer -> {
                  peer.text(OPEN);
                  peer.text(CONNECTED);
                  peer.hugeText("42[\"big\",\"", 'a', size, "\"]");
                });
        Child child = new Child("-Xmx64m", "hostile", server.url())) {
      child.finish();
      List<String> errors = child.values("error");
      List<String> events = child.values("event");
      long typed = count(errors, "MessageTooLargeException");
      long ooms = child.number("ooms");
      long heap = child.number("heapAfterGcBytes");
      int sent = server.connections();

      FaultTally tally = new FaultTally("Oversized message (realtime, 64 MiB child JVM)");
      tally.injected(sent);
      tally.survived(Math.min(sent, typed));
      if (ooms > 0 || typed < sent) {
        tally.lost(sent - Math.min(sent, typed), "ooms=" + ooms + " typed=" + typed);
      }
      tally.print(
          sent
              + " text messages of "
              + mib(size)
              + " against the default maxIncomingMessageBytes of "
              + mib(RealtimeOptions.DEFAULT_MAX_INCOMING_MESSAGE_BYTES)
              + "; OutOfMemoryErrors: "
              + ooms
              + "; heap after GC "
              + mib(heap)
              + " (bound "
              + mib(HOSTILE_HEAP_BOUND)
              + ")");

      assertThat(ooms).as("OutOfMemoryErrors in the child").isZero();
      assertThat(sent).isEqualTo(3);
      assertThat(typed).as("typed errors; child errors %s", errors).isEqualTo(sent);
      assertThat(count(events, "cause=MessageTooLargeException")).isEqualTo(sent);
      assertThat(child.values("ended")).containsExactly("true");
      assertThat(events).noneMatch(e -> e.contains("delivered"));
      assertThat(heap).isPositive().isLessThan(HOSTILE_HEAP_BOUND);
    }
  }

  // ------------------------------------------------------------------ 2. bounded delivery

  @Test
  void stuckListenerUnderAFlood_heapStaysBounded_andTheConnectionLossStillArrives()
      throws Exception {
    try (SocketIoTestServer server = SocketIoTestServer.start();
        Child child =
            new Child("-Xmx128m", "flood", server.url(), Integer.toString(FLOOD_EVENTS))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> child.has("CHILD READY") || !child.process.isAlive());
      String sid = child.values("READY sid").get(0);
      String pad = "x".repeat(100);
      for (int i = 0; i < FLOOD_EVENTS / 1000; i++) {
        server.emitSequence(sid, "tick", Map.of("pad", pad, "batch", i), 1000);
      }
      // The connection-lost event must reach the second listener while the first is stuck.
      boolean lost;
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> child.has("CHILD LOST"));
        lost = true;
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        lost = false;
      }
      if (child.process.isAlive()) {
        try (Writer w =
            new OutputStreamWriter(child.process.getOutputStream(), StandardCharsets.UTF_8)) {
          w.write("MEASURE\n");
        }
      }
      child.finish();
      long ooms = child.number("ooms");
      long heap = child.number("heapAfterGcBytes");
      long dropped = child.number("dropped");
      long delivered = child.values("delivered").isEmpty() ? 0 : child.number("delivered");
      long unique = child.values("unique").isEmpty() ? 0 : child.number("unique");
      long duplicates = child.values("duplicates").isEmpty() ? -1 : child.number("duplicates");
      List<String> whileStuck = child.values("event");
      List<String> after = child.values("eventAfter");
      long lostCount = count(List.copyOf(child.lines), "CHILD LOST");

      FaultTally tally =
          new FaultTally("Stuck listener under a 100,000-event flood (128 MiB child JVM)");
      tally.injected(FLOOD_EVENTS);
      tally.survived(unique);
      if (unique < FLOOD_EVENTS || duplicates != 0) {
        tally.lost(FLOOD_EVENTS - unique, "unique=" + unique + " duplicates=" + duplicates);
      }
      tally.print(
          "event lane bounds "
              + LimitsChild.QUEUED_EVENTS
              + " events, "
              + mib(LimitsChild.QUEUED_BYTES)
              + " (set in the child), recovery on: heap after GC while stuck "
              + mib(heap)
              + " (bound "
              + mib(FLOOD_HEAP_BOUND)
              + "); connection-lost event reached the second listener while stuck: "
              + lost
              + "; "
              + dropped
              + " event(s) dropped and reported (DeliveryOverflowException), "
              + lostCount
              + " connection loss(es); after release "
              + unique
              + " distinct events delivered, "
              + duplicates
              + " duplicates; OutOfMemoryErrors: "
              + ooms);

      assertThat(ooms).as("OutOfMemoryErrors in the child").isZero();
      assertThat(lost).as("connection-lost event while the listener was stuck").isTrue();
      assertThat(heap).isPositive().isLessThan(FLOOD_HEAP_BOUND);
      assertThat(dropped).isPositive();
      assertThat(count(whileStuck, "cause=DeliveryOverflowException")).isPositive();
      assertThat(child.values("deliveryTimedOut")).isEmpty();
      assertThat(after).anyMatch(e -> e.equals("Connected recovered=true"));
      assertThat(unique).isEqualTo(FLOOD_EVENTS);
      assertThat(delivered).isEqualTo(FLOOD_EVENTS);
      assertThat(duplicates).isZero();
    }
  }

  // ------------------------------------------------------------------ 4. strict decoder

  /** Runs one client against a server that sends {@code frames.get(i)} on its i-th connection. */
  private static List<Throwable> eachFrameOnItsOwnConnection(
      List<String> frames, boolean connectFirst, List<String> delivered) throws Exception {
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    List<ConnectionEvent> events = Collections.synchronizedList(new ArrayList<>());
    try (HostileWebSocketServer server =
        new HostileWebSocketServer(
            peer -> {
              if (connectFirst) {
                peer.text(OPEN);
                peer.text(CONNECTED);
              }
              peer.text(frames.get(Math.min(peer.index, frames.size()) - 1));
            })) {
      RealtimeClient client =
          RealtimeClient.create(
              RealtimeOptions.builder(URI.create(server.url()))
                  .reconnectBackoff(Backoff.fixed(Duration.ofMillis(20)))
                  .maxReconnectAttempts(frames.size() - 1)
                  .connectTimeout(Duration.ofSeconds(2))
                  .errorHandler((context, e) -> errors.add(e))
                  .build());
      try {
        client.onConnectionEvent(events::add);
        client.onArgs("tick", a -> delivered.add("tick " + a));
        client.onArgs("e".repeat(1025), a -> delivered.add("long name " + a));
        client.connect();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> events.stream().anyMatch(e -> e instanceof ConnectionEvent.Disconnected));
      } finally {
        client.close();
      }
      assertThat(server.scriptErrors()).isEmpty();
      assertThat(server.connections()).isEqualTo(frames.size());
    }
    return errors;
  }

  @Test
  void hostileHeartbeatValues_areRefusedWithAProtocolException() throws Exception {
    List<String> opens =
        List.of(
            "0{\"sid\":\"a\",\"pingInterval\":9223372036854775807,\"pingTimeout\":20000}",
            "0{\"sid\":\"a\",\"pingInterval\":25000,\"pingTimeout\":9223372036854775807}",
            "0{\"sid\":\"a\",\"pingInterval\":0,\"pingTimeout\":0}",
            "0{\"sid\":\"a\",\"pingInterval\":86400000,\"pingTimeout\":20000}",
            "0{\"sid\":\"a\",\"pingInterval\":25000,\"pingTimeout\":-5}",
            "0{\"sid\":\"a\",\"pingInterval\":1e300,\"pingTimeout\":20000}");
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> errors = eachFrameOnItsOwnConnection(opens, false, delivered);
    long typed =
        errors.stream()
            .filter(e -> e instanceof ProtocolException && e.getMessage().contains("ping"))
            .count();
    FaultTally tally = new FaultTally("Hostile heartbeat values in the open packet");
    tally.injected(opens.size());
    tally.survived(Math.min(typed, opens.size()));
    if (typed < opens.size()) {
      tally.lost(opens.size() - typed, "errors " + errors);
    }
    tally.print(
        "pingInterval / pingTimeout of Long.MAX_VALUE, 0, 24 h, negative, 1e300: each a"
            + " ProtocolException naming the value and the accepted 1 ms to 10 min, connection"
            + " closed");
    assertThat(errors).hasSize(opens.size()).allMatch(e -> e instanceof ProtocolException);
    assertThat(typed).isEqualTo(opens.size());
  }

  @Test
  void strictDecoder_refusesNonAsciiDigitsTooManyAttachmentsAndOverlongNames() throws Exception {
    List<String> frames =
        List.of(
            "42\u0661[\"tick\",1]",
            "42\uFF11[\"tick\",2]",
            "43\u0661[\"x\"]",
            "45\u0661-[\"tick\",{\"_placeholder\":true,\"num\":0}]",
            "4511-[\"tick\",{\"_placeholder\":true,\"num\":0}]",
            "45100-[\"tick\",{\"_placeholder\":true,\"num\":0}]",
            "42[\"" + "e".repeat(1025) + "\",3]",
            "42/" + "n".repeat(300) + ",[\"tick\",4]");
    List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> errors = eachFrameOnItsOwnConnection(frames, true, delivered);
    long typed = errors.stream().filter(e -> e instanceof ProtocolException).count();
    FaultTally tally = new FaultTally("Strict decoder: digits, attachment count, name lengths");
    tally.injected(frames.size());
    tally.survived(Math.min(typed, frames.size()));
    if (typed < frames.size() || !delivered.isEmpty()) {
      tally.lost(
          Math.max(frames.size() - typed, delivered.size()),
          "errors " + errors + " delivered " + delivered);
    }
    tally.print(
        "Arabic-Indic and fullwidth digits as ack id and attachment count, 11 and 100"
            + " attachments (limit 10), a 1,025-char event name, a 301-char namespace: each a"
            + " ProtocolException, nothing delivered, connection closed");
    assertThat(delivered).isEmpty();
    assertThat(errors).hasSize(frames.size()).allMatch(e -> e instanceof ProtocolException);
  }
}
