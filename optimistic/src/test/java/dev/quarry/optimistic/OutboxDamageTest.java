package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.optimistic.internal.MvStoreOutbox;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged outbox files on real disk: truncated, overwritten with garbage, rolled back to an older
 * copy, records changed behind the store's back, not a store at all, or written by a newer version.
 * Each case starts from the same file (60 appends, 35 marked done, 25 pending); after the damage
 * the store must open, keep every acknowledged pending record or report it lost, never make a done
 * record pending again, keep the damaged file, and work afterwards. Seeded.
 */
class OutboxDamageTest {
  private static final long SEED = 0xDA3A6EL;
  private static final String KEY = "[\"episodes\",\"create\"]";

  @TempDir Path dir;

  /** What the original file acknowledged. */
  private final Map<Long, String> pending = new LinkedHashMap<>();

  private final Set<Long> done = new HashSet<>();

  private Path original() {
    Path file = dir.resolve("original/outbox.mv");
    try (OutboxStore store = OutboxStore.open(file)) {
      Random random = new Random(SEED);
      for (int i = 1; i <= 60; i++) {
        String variables = "{\"n\":" + i + ",\"text\":\"" + "v".repeat(random.nextInt(400)) + "\"}";
        OutboxRecord r = store.append(KEY, variables, Optional.empty(), "key-" + i, i);
        pending.put(r.sequence(), r.idempotencyKey());
        if (i % 5 == 0) {
          // Mark done a few of the older records in between appends, as a client would.
          for (int k = 0; k < 3 && done.size() < 35; k++) {
            long seq = pending.keySet().iterator().next();
            store.markDone(seq);
            pending.remove(seq);
            done.add(seq);
          }
        }
      }
    }
    assertThat(pending).hasSize(25);
    return file;
  }

  /** A copy of the original file and its mark in a directory of its own. */
  private Path copy(Path original, String name) throws IOException {
    Path target = dir.resolve(name).resolve("outbox.mv");
    Files.createDirectories(target.getParent());
    Files.copy(original, target);
    Files.copy(hwm(original), hwm(target));
    return target;
  }

  private static Path hwm(Path file) {
    return file.resolveSibling(file.getFileName() + ".hwm");
  }

  /** The verdict of one damaged file. */
  private record Outcome(
      boolean survived, long lostUnreported, long reportedLost, long resent, boolean detected) {}

  private Outcome reopen(Path file, Map<Long, String> expectPending, Set<Long> expectDone)
      throws IOException {
    long originalSize = Files.exists(file) ? Files.size(file) : -1;
    List<OutboxException> reports;
    Map<Long, String> now = new LinkedHashMap<>();
    Set<Long> asideNow = new HashSet<>();
    try (OutboxStore store = OutboxStore.open(file)) {
      reports = store.takeDamageReports();
      for (OutboxRecord r : store.pending()) {
        now.put(r.sequence(), r.idempotencyKey());
      }
      for (OutboxRecord.SetAside s : store.setAsideRecords()) {
        asideNow.add(s.record().sequence());
      }
      // The store works afterwards, with sequences that were never used before.
      OutboxRecord fresh = store.append(KEY, "{}", Optional.empty(), "after", 0);
      assertThat(fresh.sequence()).isGreaterThan(60);
      store.markDone(fresh.sequence());
    }
    Set<Long> reported = new HashSet<>();
    boolean detected = false;
    for (OutboxException e : reports) {
      if (e instanceof OutboxDamageException d) {
        detected = true;
        reported.addAll(d.lost());
        reported.addAll(d.setAsideSequences());
        assertThat(d.getMessage()).contains(file.toString());
        if (originalSize >= 0) {
          Path moved = d.movedTo().orElseThrow();
          assertThat(moved).exists();
          assertThat(Files.size(moved)).isEqualTo(originalSize);
        }
      }
    }
    long lostUnreported = 0;
    long reportedLost = 0;
    for (Map.Entry<Long, String> e : expectPending.entrySet()) {
      String key = now.get(e.getKey());
      if (key != null) {
        assertThat(key).isEqualTo(e.getValue());
      } else if (reported.contains(e.getKey()) || asideNow.contains(e.getKey())) {
        reportedLost++;
      } else {
        lostUnreported++;
      }
    }
    long resent = expectDone.stream().filter(now::containsKey).count();
    assertThat(now.keySet()).isSubsetOf(expectPending.keySet());
    boolean survived = lostUnreported == 0 && resent == 0;
    return new Outcome(survived, lostUnreported, reportedLost, resent, detected);
  }

  private void tally(String faultClass, List<String> cases, List<Outcome> outcomes) {
    long survived = outcomes.stream().filter(Outcome::survived).count();
    long lost = outcomes.stream().mapToLong(o -> o.lostUnreported() + o.resent()).sum();
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      Outcome o = outcomes.get(i);
      notes.add(
          cases.get(i)
              + (o.detected() ? ": detected, " + o.reportedLost() + " reported lost" : ": intact"));
    }
    System.out.println(
        "RELIABILITY | outbox store: "
            + faultClass
            + " | injected="
            + outcomes.size()
            + " | survived="
            + survived
            + " | lost="
            + lost
            + " | seed "
            + Long.toHexString(SEED)
            + "; "
            + String.join("; ", notes));
    assertThat(lost).isZero();
    assertThat(survived).isEqualTo(outcomes.size());
  }

  @Test
  void truncatedFile_isDetectedOrIntact_neverLosesQuietly() throws IOException {
    Path original = original();
    long size = Files.size(original);
    Map<String, Long> cuts = new LinkedHashMap<>();
    cuts.put("to half", size / 2);
    cuts.put("last 1000 bytes cut", size - 1000);
    cuts.put("last block cut", size - 4096);
    cuts.put("last 3 blocks cut", size - 3 * 4096);
    cuts.put("to the 2 header blocks", 8192L);
    cuts.put("to 1 header block", 4096L);
    cuts.put("to 0 bytes", 0L);
    List<Outcome> outcomes = new ArrayList<>();
    int n = 0;
    for (Map.Entry<String, Long> cut : cuts.entrySet()) {
      Path file = copy(original, "truncated-" + n++);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(Math.max(0, cut.getValue()));
      }
      outcomes.add(reopen(file, pending, done));
    }
    tally("file truncated (of " + size + " bytes)", List.copyOf(cuts.keySet()), outcomes);
    // A cut that removes committed chunks must be detected, not opened as an earlier version.
    assertThat(outcomes.get(0).detected()).isTrue();
    assertThat(outcomes.get(6).detected()).isTrue();
  }

  @Test
  void garbageBytes_areDetectedOrIntact_neverLoseQuietly() throws IOException {
    Path original = original();
    long size = Files.size(original);
    Random random = new Random(SEED);
    List<String> cases = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    List<Consumer<RandomAccessFile>> damages = new ArrayList<>();
    damages.add(raf -> write(raf, 0, random, 4096)); // the first header block
    damages.add(raf -> write(raf, 0, random, 8192)); // both header blocks
    damages.add(raf -> write(raf, size / 2, random, 512));
    damages.add(raf -> write(raf, size - 4096, random, 4096)); // the last block
    damages.add(
        raf -> {
          for (int i = 0; i < 20; i++) {
            write(raf, (long) (random.nextDouble() * (size - 1)), random, 1);
          }
        });
    damages.add(raf -> write(raf, 0, random, (int) size)); // all of it
    List<String> names =
        List.of(
            "first header block",
            "both header blocks",
            "512 bytes in the middle",
            "last block",
            "20 single bytes",
            "the whole file");
    for (int i = 0; i < damages.size(); i++) {
      Path file = copy(original, "garbage-" + i);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        damages.get(i).accept(raf);
      }
      cases.add(names.get(i));
      outcomes.add(reopen(file, pending, done));
    }
    tally("garbage bytes written over the file", cases, outcomes);
    assertThat(outcomes.get(5).detected()).isTrue();
  }

  private static void write(RandomAccessFile raf, long at, Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    try {
      raf.seek(at);
      raf.write(bytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void fileRolledBackToAnOlderCopy_reportsWhatWasLost_andNeverResendsDoneRecords()
      throws IOException {
    Path file = dir.resolve("rollback/outbox.mv");
    Map<Long, String> expectPending = new LinkedHashMap<>();
    Set<Long> expectDone = new HashSet<>();
    Path backup = dir.resolve("rollback/older-copy.mv");
    try (OutboxStore store = OutboxStore.open(file)) {
      for (int i = 1; i <= 10; i++) {
        expectPending.put(
            store.append(KEY, "{}", Optional.empty(), "k" + i, i).sequence(), "k" + i);
      }
    }
    Files.copy(file, backup);
    try (OutboxStore store = OutboxStore.open(file)) {
      for (long seq = 1; seq <= 6; seq++) {
        store.markDone(seq);
        expectPending.remove(seq);
        expectDone.add(seq);
      }
      for (int i = 11; i <= 13; i++) {
        expectPending.put(
            store.append(KEY, "{}", Optional.empty(), "k" + i, i).sequence(), "k" + i);
      }
    }
    // The file goes back to the older copy (a restored backup, a file system losing its tail).
    Files.copy(backup, file, StandardCopyOption.REPLACE_EXISTING);

    List<OutboxException> reports;
    try (OutboxStore store = OutboxStore.open(file)) {
      reports = store.takeDamageReports();
      assertThat(store.pending())
          .extracting(OutboxRecord::sequence)
          .containsExactly(7L, 8L, 9L, 10L);
    }
    assertThat(reports).singleElement().isInstanceOf(OutboxDamageException.class);
    OutboxDamageException damage = (OutboxDamageException) reports.get(0);
    assertThat(damage.lost()).containsExactly(11L, 12L, 13L);
    assertThat(damage.doneNotResent()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(damage.getMessage()).contains("behind its mark").contains(file.toString());
    assertThat(damage.movedTo()).hasValueSatisfying(p -> assertThat(p).exists());
    long resent = 0; // checked above: 1..6 are not pending
    System.out.println(
        "RELIABILITY | outbox store: file rolled back to an older copy | injected=1 | survived="
            + (damage.lost().size() == 3 && damage.doneNotResent().size() == 6 ? 1 : 0)
            + " | lost="
            + resent
            + " | 13 appended, 6 marked done after the copy was taken: the 3 appends after it"
            + " reported lost, the 6 done records not pending again, the 4 others pending");
  }

  @Test
  void damageFoundWhenAClientOpensTheOutbox_reachesTheClientsErrorHandler() throws IOException {
    Path file = copy(original(), "client");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(4096);
    }
    List<Throwable> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (MutationClient client =
        MutationClient.builder().outbox(file).errorHandler((c, e) -> handled.add(e)).build()) {
      assertThat(client.outboxRecords()).isEmpty();
    }
    assertThat(handled)
        .singleElement()
        .isInstanceOfSatisfying(
            OutboxDamageException.class,
            d -> assertThat(d.lost()).containsExactlyElementsOf(pending.keySet()));
  }

  @Test
  void recordChangedBehindTheStoresBack_failsItsChecksum_andIsSetAsideNotSent() throws IOException {
    Path original = original();
    Path file = copy(original, "tampered");
    long victim = pending.keySet().iterator().next();
    MVStore raw = new MVStore.Builder().fileName(file.toString()).open();
    try {
      MVMap<Long, String> map = raw.openMap("pending");
      String before = map.get(victim);
      String after = before.replace("\"idempotencyKey\":\"key-", "\"idempotencyKey\":\"kez-");
      assertThat(after).isNotEqualTo(before);
      map.put(victim, after);
      raw.commit();
    } finally {
      raw.close();
    }
    List<OutboxException> reports;
    try (OutboxStore store = OutboxStore.open(file)) {
      reports = store.takeDamageReports();
      assertThat(store.pending()).extracting(OutboxRecord::sequence).doesNotContain(victim);
      assertThat(store.pending()).hasSize(pending.size() - 1);
      assertThat(store.setAsideRecords())
          .singleElement()
          .satisfies(s -> assertThat(s.reason()).contains("failed its checksum"));
    }
    assertThat(reports).singleElement().isInstanceOf(OutboxDamageException.class);
    OutboxDamageException damage = (OutboxDamageException) reports.get(0);
    assertThat(damage.setAsideSequences()).containsExactly(victim);
    assertThat(damage.lost()).isEmpty();
  }

  @Test
  void aFileThatIsNotAStore_withoutAMark_isLeftUntouched_withAClearError() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "these are my notes, not an outbox\n".repeat(300));
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> OutboxStore.open(file))
        .isInstanceOf(OutboxException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("left untouched");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void aNonStoreFileWhereTheOutboxWas_isMovedAside_andEveryPendingRecordReportedLost()
      throws IOException {
    Path original = original();
    Path file = copy(original, "replaced");
    Files.writeString(file, "{\"not\":\"an outbox\"}\n");
    Outcome outcome = reopen(file, pending, done);
    assertThat(outcome.detected()).isTrue();
    assertThat(outcome.reportedLost()).isEqualTo(pending.size());
    assertThat(outcome.survived()).isTrue();
    System.out.println(
        "RELIABILITY | outbox store: a non-store file in place of the outbox | injected=1 | survived="
            + (outcome.survived() ? 1 : 0)
            + " | lost="
            + outcome.lostUnreported()
            + " | moved aside; all "
            + outcome.reportedLost()
            + " pending records reported lost by sequence; a clean store continues the"
            + " sequences");
  }

  @Test
  void aStoreWrittenByANewerFormat_failsNamingBothVersions_andIsLeftUntouched() throws IOException {
    Path file = copy(original(), "newer");
    MVStore raw = new MVStore.Builder().fileName(file.toString()).open();
    try {
      raw.<String, Long>openMap("meta").put("format", 2L);
      raw.commit();
    } finally {
      raw.close();
    }
    long size = Files.size(file);
    assertThatThrownBy(() -> OutboxStore.open(file))
        .isInstanceOf(OutboxException.class)
        .hasMessageContaining("outbox store format 2")
        .hasMessageContaining("reads store format 1")
        .hasMessageContaining(file.toString());
    assertThat(Files.size(file)).isEqualTo(size);
    assertThat(Files.list(file.getParent()).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.contains("damaged"));
  }

  @Test
  void aMarkWrittenByANewerFormat_failsNamingBothVersions() throws IOException {
    Path file = copy(original(), "newer-mark");
    Files.writeString(hwm(file), "quarry-outbox-mark format=7\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OutboxStore.open(file))
        .isInstanceOf(OutboxException.class)
        .hasMessageContaining("mark format 7")
        .hasMessageContaining("mark format 1");
  }

  @Test
  void anUnreadableMark_isReported_andTheFileIsTrustedAsItIs() throws IOException {
    Path file = copy(original(), "bad-mark");
    Files.writeString(hwm(file), "garbage");
    try (OutboxStore store = OutboxStore.open(file)) {
      assertThat(store.takeDamageReports())
          .singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains("mark").contains("unreadable"));
      assertThat(store.pending())
          .extracting(OutboxRecord::sequence)
          .containsExactlyElementsOf(pending.keySet());
    }
    // The mark was rewritten: the next open is quiet.
    try (OutboxStore store = OutboxStore.open(file)) {
      assertThat(store.takeDamageReports()).isEmpty();
    }
  }

  @Test
  void appendPastMaxRecordsOrMaxBytes_failsClearly_andKeepsWhatWasAccepted() {
    Path file = dir.resolve("limits/outbox.mv");
    OutboxOptions options = OutboxOptions.builder().maxRecords(5).maxBytes(4096).build();
    try (OutboxStore store = OutboxStore.open(file, options)) {
      for (int i = 1; i <= 5; i++) {
        store.append(KEY, "{}", Optional.empty(), "k" + i, i);
      }
      assertThatThrownBy(() -> store.append(KEY, "{}", Optional.empty(), "k6", 6))
          .isInstanceOf(OutboxException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("maxRecords 5")
          .hasMessageContaining("nothing was stored");
      store.markDone(1);
      assertThat(store.append(KEY, "{}", Optional.empty(), "k6", 6).sequence()).isEqualTo(6);
      store.markDone(2);
      assertThatThrownBy(() -> store.append(KEY, "x".repeat(4000), Optional.empty(), "big", 7))
          .isInstanceOf(OutboxException.class)
          .hasMessageContaining("maxBytes 4096");
    }
    try (OutboxStore store = OutboxStore.open(file, options)) {
      assertThat(store.pending())
          .extracting(OutboxRecord::idempotencyKey)
          .containsExactly("k3", "k4", "k5", "k6");
    }
    assertThatThrownBy(() -> OutboxOptions.builder().maxRecords(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRecords");
  }

  @Test
  void aBusyFile_isNotTakenForDamage() throws IOException {
    Path file = copy(original(), "busy");
    try (OutboxStore first = OutboxStore.open(file)) {
      assertThatThrownBy(() -> OutboxStore.open(file))
          .isInstanceOf(OutboxException.class)
          .hasMessageContaining(file.toString());
      assertThat(first.pending()).hasSize(pending.size());
    }
    assertThat(Files.list(file.getParent()).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.contains("damaged"));
  }

  @Test
  void aFileWrittenBeforeMarksExisted_opensAsItIs() throws IOException {
    Path file = dir.resolve("legacy/outbox.mv");
    Files.createDirectories(file.getParent());
    MVStore raw = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    try {
      raw.<Long, String>openMap("pending")
          .put(
              1L,
              "{\"key\":\"[\\\"a\\\"]\",\"variables\":\"1\",\"idempotencyKey\":\"k1\",\"submittedAt\":5}");
      raw.<String, Long>openMap("meta").put("nextSequence", 2L);
      raw.commit();
    } finally {
      raw.close();
    }
    try (MvStoreOutbox store = MvStoreOutbox.open(file)) {
      assertThat(store.takeDamageReports()).isEmpty();
      assertThat(store.pending())
          .containsExactly(new OutboxRecord(1, "[\"a\"]", "1", Optional.empty(), "k1", 5));
      assertThat(store.append(KEY, "{}", Optional.empty(), "k2", 6).sequence()).isEqualTo(2);
    }
  }
}
