package dev.quarry.optimistic.internal;

import dev.quarry.optimistic.OutboxException;
import dev.quarry.optimistic.OutboxOptions;
import dev.quarry.optimistic.OutboxRecord;
import dev.quarry.optimistic.OutboxStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The H2 MVStore outbox: three maps in one file, {@code pending} and {@code setAside} (sequence to
 * an {@link Envelope}) and {@code meta} (next sequence, count of write operations, format), plus
 * the {@link Mark high-water mark} beside it.
 *
 * <p><b>Durability.</b> Auto-commit is off (so H2 starts no thread); every write commits and syncs
 * the store, then writes and syncs the mark, and only then returns: an operation is
 * <i>acknowledged</i> when it returns. A process killed at any point leaves the store at or one
 * operation ahead of the mark. On open: an append the store holds beyond the mark's {@code
 * appended} was never acknowledged and is dropped; a store behind the mark ({@code ops} lower) was
 * rolled back or truncated, which is damage.
 *
 * <p><b>Damage</b> (the file cannot be opened or read, a record fails its checksum, or the file is
 * behind its mark): the file is renamed to {@code <file>.damaged-<n>}, what can be read from it is
 * salvaged (also through H2's read-only recovery mode) into a clean file, and an {@link
 * dev.quarry.optimistic.OutboxDamageException} saying what was lost, set aside or not re-sent is
 * queued for {@link #takeDamageReports()}. Records the mark shows done are never made pending
 * again. A file that cannot be opened and has no mark beside it is not assumed to be ours: opening
 * fails and the file is left untouched. A file or mark written by a newer format fails to open,
 * naming both formats, and is left untouched.
 *
 * <p><b>Bounded disk.</b> MVStore writes each commit as a new chunk and keeps old chunks for its
 * retention time, so a busy outbox grows by kilobytes per operation. When the file passes 1 MiB
 * plus four times the live records' size, it is rewritten: the live maps are copied into {@code
 * <file>.compact}, which is synced and renamed over the file (a crash leaves either the old or the
 * new complete file; a leftover {@code .compact} is deleted on open). {@link OutboxOptions} caps
 * the live records.
 *
 * <p><b>Failures.</b> Every failure is an {@link OutboxException} naming the file and the
 * operation. After a failed write (H2 closes a store after an I/O error) the store is closed and
 * the next call opens it again (with the checks above), so a full disk that gets room again does
 * not need a restart.
 *
 * <p>Thread-safe: every method holds the instance's lock (the calls are short I/O and never call
 * user code).
 */
public final class MvStoreOutbox implements OutboxStore {
  /** The outbox's own logger, apart from the mutations'. */
  private static final Logger LOG = LoggerFactory.getLogger("dev.quarry.outbox");

  /** The store format this code writes and the newest it reads. */
  static final long FORMAT = 1;

  /** The file is rewritten when larger than this plus four times the live records' bytes. */
  static final long COMPACT_BASE = 1L << 20;

  private final Object lock = new Object();
  private final Path file;
  private final Path markFile;
  private final Mark.File markWriter;
  private final OutboxOptions options;
  // Everything below is guarded by lock.
  private final List<OutboxException> reports = new ArrayList<>();
  private final TreeMap<Long, Integer> pendingBytes = new TreeMap<>();
  private final TreeMap<Long, Integer> asideBytes = new TreeMap<>();
  private long liveBytes;
  private long ops;
  private long nextSequence = 1;
  private long rewrites;
  private @Nullable MVStore store;
  private @Nullable MVMap<Long, String> pending;
  private @Nullable MVMap<Long, String> setAside;
  private @Nullable MVMap<String, Long> meta;
  private @Nullable String lastFailure;
  private boolean closed;

  @Override
  public long sizeOnDisk() {
    try {
      long bytes = Files.size(file);
      return Files.exists(markFile) ? bytes + Files.size(markFile) : bytes;
    } catch (java.io.IOException | RuntimeException e) {
      return -1; // being replaced (compaction, repair) or gone: unknown for this read
    }
  }

  private MvStoreOutbox(Path file, OutboxOptions options) {
    this.file = file;
    this.markFile = Mark.pathFor(file);
    this.markWriter = new Mark.File(markFile);
    this.options = options;
  }

  /** Opens or creates the outbox in {@code file} with the default limits. */
  public static MvStoreOutbox open(Path file) {
    return open(file, OutboxOptions.defaults());
  }

  /** Opens or creates the outbox in {@code file}. */
  public static MvStoreOutbox open(Path file, OutboxOptions options) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    MvStoreOutbox outbox = new MvStoreOutbox(file, options);
    synchronized (outbox.lock) {
      new Loader(outbox).load();
    }
    return outbox;
  }

  @Override
  public OutboxRecord append(
      String mutationKey,
      String variables,
      Optional<String> scope,
      String idempotencyKey,
      long submittedAt) {
    synchronized (lock) {
      usable("append a record");
      long sequence = nextSequence;
      OutboxRecord record =
          new OutboxRecord(sequence, mutationKey, variables, scope, idempotencyKey, submittedAt);
      String envelope = Envelope.encode(record, null);
      int records = pendingBytes.size() + asideBytes.size();
      if (records + 1 > options.maxRecords()) {
        throw new OutboxException(
            "cannot append to the outbox "
                + file
                + ": it is full, "
                + records
                + " records (maxRecords "
                + options.maxRecords()
                + "); nothing was stored");
      }
      if (liveBytes + envelope.length() > options.maxBytes()) {
        throw new OutboxException(
            "cannot append to the outbox "
                + file
                + ": a record of "
                + envelope.length()
                + " bytes would pass maxBytes "
                + options.maxBytes()
                + " ("
                + liveBytes
                + " bytes in "
                + records
                + " records held); nothing was stored");
      }
      try {
        maps().pending.put(sequence, envelope);
        maps().meta.put(Contents.NEXT_SEQUENCE, sequence + 1);
        maps().meta.put(Contents.OPS, ops + 1);
        commit();
      } catch (RuntimeException e) {
        throw failed("append a record", e);
      }
      nextSequence = sequence + 1;
      ops++;
      pendingBytes.put(sequence, envelope.length());
      liveBytes += envelope.length();
      acknowledge("append a record");
      if (LOG.isDebugEnabled()) {
        // The key and sizes only: variables can hold what a log must not.
        LOG.debug(
            "outbox {}: appended record {} for {} ({} bytes, {} records held)",
            file.getFileName(),
            sequence,
            mutationKey,
            envelope.length(),
            pendingBytes.size() + asideBytes.size());
      }
      return record;
    }
  }

  @Override
  public void markDone(long sequence) {
    synchronized (lock) {
      String op = "mark record " + sequence + " done";
      usable(op);
      Integer size = pendingBytes.get(sequence);
      if (size == null) {
        return;
      }
      try {
        maps().pending.remove(sequence);
        maps().meta.put(Contents.OPS, ops + 1);
        commit();
      } catch (RuntimeException e) {
        throw failed(op, e);
      }
      ops++;
      pendingBytes.remove(sequence);
      liveBytes -= size;
      acknowledge(op);
    }
  }

  @Override
  public List<OutboxRecord> pending() {
    synchronized (lock) {
      usable("read the pending records");
      try {
        List<OutboxRecord> out = new ArrayList<>();
        for (Map.Entry<Long, String> e : maps().pending.entrySet()) {
          out.add(Envelope.read(e.getKey(), e.getValue()).record());
        }
        return out;
      } catch (RuntimeException e) {
        throw failed("read the pending records", e);
      }
    }
  }

  @Override
  public void setAside(long sequence, String reason) {
    Objects.requireNonNull(reason, "reason");
    synchronized (lock) {
      String op = "set record " + sequence + " aside";
      usable(op);
      if (!pendingBytes.containsKey(sequence)) {
        return;
      }
      String envelope;
      try {
        String raw = maps().pending.get(sequence);
        envelope =
            Envelope.encode(Envelope.read(sequence, raw == null ? "" : raw).record(), reason);
        maps().setAside.put(sequence, envelope);
        maps().pending.remove(sequence);
        maps().meta.put(Contents.OPS, ops + 1);
        commit();
      } catch (RuntimeException e) {
        throw failed(op, e);
      }
      ops++;
      liveBytes -= pendingBytes.remove(sequence);
      asideBytes.put(sequence, envelope.length());
      liveBytes += envelope.length();
      acknowledge(op);
    }
  }

  @Override
  public List<OutboxRecord.SetAside> setAsideRecords() {
    synchronized (lock) {
      usable("read the records set aside");
      try {
        List<OutboxRecord.SetAside> out = new ArrayList<>();
        for (Map.Entry<Long, String> e : maps().setAside.entrySet()) {
          Envelope.Read read = Envelope.read(e.getKey(), e.getValue());
          String reason = read.reason();
          out.add(new OutboxRecord.SetAside(read.record(), reason == null ? "unknown" : reason));
        }
        return out;
      } catch (RuntimeException e) {
        throw failed("read the records set aside", e);
      }
    }
  }

  @Override
  public List<OutboxException> takeDamageReports() {
    synchronized (lock) {
      List<OutboxException> out = List.copyOf(reports);
      reports.clear();
      return out;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      markWriter.close();
      MVStore s = store;
      store = null;
      if (s != null && !s.isClosed()) {
        try {
          s.close();
        } catch (RuntimeException e) {
          throw new OutboxException("cannot close the outbox file " + file + ": " + e, e);
        }
      }
    }
  }

  /** How many times the file was rewritten to give space back (for tests and diagnostics). */
  public long rewrites() {
    synchronized (lock) {
      return rewrites;
    }
  }

  @Override
  public String toString() {
    return "MvStoreOutbox{" + file + "}";
  }

  // ---- internals shared with Loader ----

  /** The open maps. */
  private record Maps(
      MVMap<Long, String> pending, MVMap<Long, String> setAside, MVMap<String, Long> meta) {}

  private Maps maps() {
    MVMap<Long, String> p = pending;
    MVMap<Long, String> a = setAside;
    MVMap<String, Long> m = meta;
    if (p == null || a == null || m == null) {
      throw new IllegalStateException("the outbox store is not open");
    }
    return new Maps(p, a, m);
  }

  Path file() {
    return file;
  }

  Path markFile() {
    return markFile;
  }

  void report(OutboxException e) {
    LOG.warn("{}", e.getMessage());
    reports.add(e);
  }

  /** Takes {@code s} as the open store, with the live sizes and counters read from it. */
  void attach(MVStore s, List<Envelope.Read> live, List<Envelope.Read> aside, long ops, long next) {
    store = s;
    pending = s.openMap(Contents.PENDING);
    setAside = s.openMap(Contents.SET_ASIDE);
    meta = s.openMap(Contents.META);
    pendingBytes.clear();
    asideBytes.clear();
    liveBytes = 0;
    for (Envelope.Read r : live) {
      int n = Envelope.encode(r.record(), r.reason()).length();
      pendingBytes.put(r.record().sequence(), n);
      liveBytes += n;
    }
    for (Envelope.Read r : aside) {
      int n = Envelope.encode(r.record(), r.reason()).length();
      asideBytes.put(r.record().sequence(), n);
      liveBytes += n;
    }
    this.ops = ops;
    this.nextSequence = Math.max(1, next);
    lastFailure = null;
  }

  MVMap<Long, String> pendingMap() {
    return maps().pending;
  }

  MVMap<String, Long> metaMap() {
    return maps().meta;
  }

  void forgetPending(long sequence) {
    Integer n = pendingBytes.remove(sequence);
    if (n != null) {
      liveBytes -= n;
    }
  }

  long ops() {
    return ops;
  }

  void commit() {
    MVStore s = Objects.requireNonNull(store, "store");
    s.commit();
    s.sync();
  }

  /** Writes the mark for the state just committed. */
  void writeMark() throws IOException {
    markWriter.write(
        new Mark(
            ops,
            nextSequence - 1,
            Collections.unmodifiableNavigableSet(pendingBytes.navigableKeySet()),
            Collections.unmodifiableNavigableSet(asideBytes.navigableKeySet())));
  }

  static MVStore openStore(Path path) {
    return new MVStore.Builder().fileName(path.toString()).autoCommitDisabled().open();
  }

  /** True for an open failure that says the file is damaged or not a store (not busy, not I/O). */
  static boolean looksDamaged(RuntimeException e) {
    if (e instanceof MVStoreException m) {
      int code = m.getErrorCode();
      return code != DataUtils.ERROR_FILE_LOCKED
          && code != DataUtils.ERROR_WRITING_FAILED
          && code != DataUtils.ERROR_UNSUPPORTED_FORMAT;
    }
    return true;
  }

  /** After a commit: writes the mark (then the operation counts as acknowledged), then compacts. */
  private void acknowledge(String op) {
    try {
      writeMark();
    } catch (IOException | RuntimeException e) {
      throw failed(op + " (writing the mark " + markFile + ")", e);
    }
    maybeRewrite(false);
  }

  /** Checks the outbox is open, reopening a store that failed earlier. */
  private void usable(String op) {
    if (closed) {
      throw new OutboxException("cannot " + op + ": the outbox " + file + " is closed");
    }
    MVStore s = store;
    if (s != null && !s.isClosed()) {
      return;
    }
    if (s != null) {
      lastFailure = lastFailure == null ? "H2 closed the store" : lastFailure;
      store = null;
    }
    String failure = lastFailure;
    try {
      new Loader(this).load();
      LOG.info("reopened the outbox {} after: {}", file, failure);
    } catch (OutboxException e) {
      throw new OutboxException(
          "cannot "
              + op
              + " in the outbox "
              + file
              + ": it failed earlier ("
              + failure
              + ") and cannot be reopened yet: "
              + e.getMessage(),
          e);
    }
    // A failed write may have been a full disk: a compact copy may fit where the old file cannot
    // grow.
    maybeRewrite(true);
  }

  /**
   * A write or read failed: the store is closed without writing (what was committed stays, what was
   * not is gone with it) and reopened by the next call.
   */
  private OutboxException failed(String op, Exception e) {
    MVStore s = store;
    store = null;
    pending = null;
    setAside = null;
    meta = null;
    if (s != null) {
      Contents.closeQuietly(s);
    }
    markWriter.close();
    lastFailure = op + ": " + e.getMessage();
    return new OutboxException(
        "cannot " + op + " in the outbox " + file + " (it is reopened on the next call): " + e, e);
  }

  /** Rewrites the file when it holds much more than the live records, or when forced. */
  void maybeRewrite(boolean force) {
    if (store == null) {
      return;
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      return;
    }
    if (!force && size <= COMPACT_BASE + 4 * liveBytes) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".compact");
    try {
      Files.deleteIfExists(tmp);
      MVStore out = openStore(tmp);
      try {
        Maps from = maps();
        out.<Long, String>openMap(Contents.PENDING).putAll(from.pending);
        out.<Long, String>openMap(Contents.SET_ASIDE).putAll(from.setAside);
        out.<String, Long>openMap(Contents.META).putAll(from.meta);
        out.commit();
      } finally {
        out.close();
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot rewrite the outbox {} to give space back (kept as it is): {}", file, e);
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // Deleted on the next open.
      }
      return;
    }
    MVStore old = Objects.requireNonNull(store, "store");
    store = null;
    Contents.closeQuietly(old);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Mark.syncDirectory(file);
      rewrites++;
    } catch (IOException e) {
      LOG.warn("cannot replace the outbox {} by its rewritten copy (kept as it is): {}", file, e);
    }
    try {
      MVStore s = openStore(file);
      store = s;
      pending = s.openMap(Contents.PENDING);
      setAside = s.openMap(Contents.SET_ASIDE);
      meta = s.openMap(Contents.META);
    } catch (RuntimeException e) {
      lastFailure = "reopening after a rewrite: " + e.getMessage();
      pending = null;
      setAside = null;
      meta = null;
    }
  }
}
