package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox store under real process death and a real full disk, in child JVMs ({@link
 * OutboxStoreChild}) on real files. The child prints each append and each markDone after the call
 * returned; the parent reopens the file and compares. The fault schedule is seeded: the kill comes
 * after a seeded number of acknowledged operations (the child keeps running until the signal lands,
 * so the exact operation in flight varies a little from run to run; what is asserted does not).
 */
class OutboxCrashTest {
  private static final long SEED = 0x0DB0C5L;
  private static final int KILLS = 10;

  @TempDir Path dir;

  /** What the children acknowledged, across runs. */
  private final Map<Long, String> acknowledged = new LinkedHashMap<>();

  private final Set<Long> done = new HashSet<>();
  private final Set<Long> doneInFlight = new HashSet<>();

  @Test
  void sigkillDuringAppendsAndMarkDones_losesNoAcknowledgedAppend_andResendsNoDoneRecord()
      throws Exception {
    Path file = dir.resolve("outbox.mv");
    Random schedule = new Random(SEED);
    long lostTotal = 0;
    long resentTotal = 0;
    long survived = 0;
    long linesAfterSignal = 0;
    List<String> notes = new ArrayList<>();
    for (int kill = 0; kill < KILLS; kill++) {
      int after = 20 + schedule.nextInt(180);
      Process child = start(file, "stream", SEED + kill, -1);
      BufferedReader out = reader(child);
      try {
        int seen = 0;
        while (seen < after) {
          String line = readLine(out);
          assertThat(line).as("child output (stderr in child-stderr.txt)").isNotNull();
          seen += apply(line);
        }
      } finally {
        kill(child);
      }
      // What the child printed before the signal landed is still in the pipe: read it to its end.
      int afterSignal = 0;
      String line;
      while ((line = readLine(out)) != null) {
        apply(line);
        afterSignal++;
      }
      out.close();
      linesAfterSignal += afterSignal;
      assertThat(child.exitValue()).isEqualTo(137);

      List<OutboxException> reports;
      Map<Long, String> pending = new LinkedHashMap<>();
      try (OutboxStore store = OutboxStore.open(file)) {
        reports = store.takeDamageReports();
        for (OutboxRecord r : store.pending()) {
          pending.put(r.sequence(), r.idempotencyKey());
        }
      }
      long lost = 0;
      long resent = 0;
      for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
        long seq = a.getKey();
        if (done.contains(seq)) {
          resent += pending.containsKey(seq) ? 1 : 0;
        } else if (!pending.containsKey(seq)) {
          if (doneInFlight.contains(seq)) {
            done.add(seq); // its markDone was under way when the signal came and completed
          } else {
            lost++;
          }
        } else {
          assertThat(pending.get(seq)).isEqualTo(a.getValue());
        }
      }
      long maxAcknowledged =
          acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
      List<Long> unexpected =
          pending.keySet().stream().filter(s -> !acknowledged.containsKey(s)).toList();
      // At most the one append in flight can be there unannounced, with the next sequence.
      assertThat(unexpected.size()).isLessThanOrEqualTo(1);
      for (long seq : unexpected) {
        assertThat(seq).isGreaterThan(maxAcknowledged);
        acknowledged.put(seq, pending.get(seq));
      }
      notes.add(after + ":" + pending.size());
      lostTotal += lost;
      resentTotal += resent;
      if (lost == 0 && resent == 0 && reports.isEmpty()) {
        survived++;
      }
      assertThat(reports).as("a kill does not damage the file").isEmpty();
    }
    System.out.println(
        "RELIABILITY | outbox store: SIGKILL of a child JVM during appends and mark-dones | injected="
            + KILLS
            + " | survived="
            + survived
            + " | lost="
            + (lostTotal + resentTotal)
            + " | seed "
            + Long.toHexString(SEED)
            + ": "
            + acknowledged.size()
            + " appends and "
            + done.size()
            + " mark-dones acknowledged over "
            + KILLS
            + " kills; acknowledged appends lost "
            + lostTotal
            + ", done records pending again "
            + resentTotal
            + "; "
            + linesAfterSignal
            + " lines read after the signals were sent"
            + "; kill after N acknowledged lines : records pending on reopen = "
            + notes);
    assertThat(lostTotal).isZero();
    assertThat(resentTotal).isZero();
    assertThat(survived).isEqualTo(KILLS);
  }

  @Test
  void fullDisk_failsWithOutboxExceptions_losesNothingAcknowledged_andRecoversWhenThereIsRoom()
      throws Exception {
    Path file = dir.resolve("outbox.mv");
    int limitKiB = 2048;
    Process child = start(file, "fill", SEED, limitKiB);
    BufferedReader out = reader(child);
    List<String> failures = new ArrayList<>();
    int appendsBeforeFull = 0;
    int appendsAfterRoom = 0;
    boolean full = false;
    boolean ended = false;
    int readsAfterFailure = 0;
    String line;
    while ((line = readLine(out)) != null) {
      if (line.startsWith("F ")) {
        failures.add(line);
        full = true;
      } else if (line.startsWith("A ")) {
        if (full) {
          appendsAfterRoom++;
        } else {
          appendsBeforeFull++;
        }
      } else if (line.startsWith("P ")) {
        readsAfterFailure++;
      } else if (line.equals("END")) {
        ended = true;
      }
      apply(line);
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(ended).as("the child ran to its end (stderr in child-stderr.txt)").isTrue();
    assertThat(failures).isNotEmpty();
    assertThat(failures)
        .allSatisfy(
            f -> {
              assertThat(f).startsWith("F " + OutboxException.class.getName());
              assertThat(f).contains(file.toString());
            });

    Map<Long, String> pending = new LinkedHashMap<>();
    List<OutboxException> reports;
    try (OutboxStore store = OutboxStore.open(file)) {
      reports = store.takeDamageReports();
      for (OutboxRecord r : store.pending()) {
        pending.put(r.sequence(), r.idempotencyKey());
      }
    }
    long lost = 0;
    long resent = 0;
    for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
      if (done.contains(a.getKey())) {
        resent += pending.containsKey(a.getKey()) ? 1 : 0;
      } else if (!pending.containsKey(a.getKey())) {
        lost++;
      }
    }
    assertThat(pending.keySet()).isSubsetOf(acknowledged.keySet());
    System.out.println(
        "RELIABILITY | outbox store: disk full (ulimit -f "
            + limitKiB
            + " KiB in a child JVM) | injected="
            + failures.size()
            + " | survived="
            + failures.size()
            + " | lost="
            + (lost + resent)
            + " | "
            + appendsBeforeFull
            + " appends of 4 KiB accepted before the disk refused; every refusal an"
            + " OutboxException naming the file; "
            + done.size()
            + " marked done to make room; "
            + appendsAfterRoom
            + " appends accepted afterwards in the same process; "
            + readsAfterFailure
            + " reads right after a failure answered; after reopening: "
            + pending.size()
            + " pending, acknowledged appends lost "
            + lost
            + ", done records pending again "
            + resent
            + ", damage reports "
            + reports.size()
            + "; failures: "
            + failures.subList(0, Math.min(2, failures.size())));
    assertThat(lost).isZero();
    assertThat(resent).isZero();
    assertThat(reports).isEmpty();
    assertThat(appendsAfterRoom).as("the store recovered without a restart").isPositive();
    assertThat(readsAfterFailure).as("pending() right after a failed write").isPositive();
  }

  /** Records one child line; returns 1 for an acknowledged operation. */
  private int apply(String line) {
    String[] parts = line.split(" ");
    switch (parts[0]) {
      case "A" -> {
        acknowledged.put(Long.parseLong(parts[1]), parts[2]);
        return 1;
      }
      case "d" -> {
        doneInFlight.add(Long.parseLong(parts[1]));
        return 0;
      }
      case "D" -> {
        done.add(Long.parseLong(parts[1]));
        return 1;
      }
      default -> {
        return 0;
      }
    }
  }

  private Process start(Path file, String mode, long seed, int ulimitKiB) throws IOException {
    List<String> java =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            OutboxStoreChild.class.getName(),
            file.toString(),
            mode,
            Long.toString(seed));
    List<String> command = new ArrayList<>();
    if (ulimitKiB > 0) {
      // Bash's ulimit -f counts 1024-byte blocks; the JVM ignores SIGXFSZ, so a write past the
      // limit fails with "File too large", as on a full disk.
      command.addAll(List.of("bash", "-c", "ulimit -f " + ulimitKiB + "; exec \"$@\"", "bash"));
    }
    command.addAll(java);
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stderr.txt").toFile()))
        .start();
  }

  /**
   * Sends SIGKILL through the process handle and waits for the death. Not {@link
   * Process#destroyForcibly()}: on Linux it also closes the parent's end of the child's stdout, so
   * the lines the child printed after the parent's last read and before the signal landed would be
   * thrown away, and operations the child acknowledged would look lost (a markDone) or unannounced
   * (an append).
   */
  private static void kill(Process child) throws InterruptedException {
    child.toHandle().destroyForcibly();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private static BufferedReader reader(Process child) {
    return new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Reads a line (null at the end of the child's output), bounded by a timeout so that a hung child
   * fails the test instead of hanging. A read error fails the test: taken for the end of the output
   * it would hide lines the child printed.
   */
  private static String readLine(BufferedReader out) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                throw new UncheckedIOException("reading the child's output", e);
              }
            })
        .get(60, TimeUnit.SECONDS);
  }
}
