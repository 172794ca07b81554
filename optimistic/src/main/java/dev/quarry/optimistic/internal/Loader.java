package dev.quarry.optimistic.internal;

import dev.quarry.optimistic.OutboxDamageException;
import dev.quarry.optimistic.OutboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.h2.mvstore.MVStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an {@link MvStoreOutbox}'s file: checks it against its mark and its records' checksums,
 * drops an append that was never acknowledged, and repairs a damaged file (see {@link
 * MvStoreOutbox}). Runs under the outbox's lock.
 */
final class Loader {
  private static final Logger LOG = LoggerFactory.getLogger("dev.quarry.outbox");
  private static final int LISTED = 50;

  private final MvStoreOutbox outbox;
  private final Path file;
  private final Path markFile;

  Loader(MvStoreOutbox outbox) {
    this.outbox = outbox;
    this.file = outbox.file();
    this.markFile = outbox.markFile();
  }

  void load() {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".compact"));
    } catch (IOException e) {
      throw new OutboxException("cannot open the outbox file " + file + ": " + e, e);
    }
    Mark mark = readMark();
    if (!Files.exists(file)) {
      if (mark != null && mark.ops() > 0) {
        repair(Contents.empty("no file"), mark, "the file is missing");
        return;
      }
      MVStore s = openWritable();
      adopt(s, Contents.read(s), mark);
      return;
    }
    // Checked read-only first, so that a damaged file is moved aside exactly as it was found.
    Contents contents;
    try {
      MVStore ro = new MVStore.Builder().fileName(file.toString()).readOnly().open();
      try {
        contents = Contents.read(ro);
      } finally {
        Contents.closeQuietly(ro);
      }
    } catch (RuntimeException e) {
      if (!MvStoreOutbox.looksDamaged(e) || mark == null) {
        throw new OutboxException(
            "cannot open the outbox file "
                + file
                + ": "
                + e.getMessage()
                + (mark == null && MvStoreOutbox.looksDamaged(e)
                    ? " (it is not an outbox store, or it is damaged and no mark "
                        + markFile
                        + " shows that Quarry wrote it: it is left untouched; move it away or"
                        + " open another file)"
                    : ""),
            e);
      }
      repair(null, mark, "it cannot be opened: " + e.getMessage());
      return;
    }
    if (contents.format() > MvStoreOutbox.FORMAT) {
      throw newer("outbox store format " + contents.format());
    }
    for (List<Envelope.Read> list : List.of(contents.pending(), contents.aside())) {
      for (Envelope.Read r : list) {
        if (r.version() > Envelope.VERSION) {
          throw newer("record envelope version " + r.version());
        }
      }
    }
    String damage = null;
    Envelope.Read bad = contents.firstBad();
    if (contents.unreadable() != null) {
      damage = "part of it cannot be read: " + contents.unreadable();
    } else if (bad != null) {
      damage =
          contents.badCount()
              + " record(s) cannot be trusted, first record "
              + bad.record().sequence()
              + ": "
              + bad.problem();
    } else if (mark != null && contents.ops() < mark.ops()) {
      damage =
          "it is behind its mark "
              + markFile
              + ": it holds "
              + contents.ops()
              + " write operations where "
              + mark.ops()
              + " were acknowledged (the file was rolled back or truncated)";
    }
    if (damage != null) {
      repair(contents, mark, damage);
      return;
    }
    MVStore s = openWritable();
    Contents writable = Contents.read(s);
    if (writable.ops() < contents.ops() || writable.unreadable() != null) {
      // H2 opened for writing an earlier version than it read: keep what the read found.
      Contents.closeQuietly(s);
      repair(
          contents,
          mark,
          "H2 opened it for writing at "
              + writable.ops()
              + " write operations where it read "
              + contents.ops());
      return;
    }
    adopt(s, writable, mark);
  }

  private MVStore openWritable() {
    try {
      return MvStoreOutbox.openStore(file);
    } catch (RuntimeException e) {
      throw new OutboxException("cannot open the outbox file " + file + ": " + e.getMessage(), e);
    }
  }

  private @Nullable Mark readMark() {
    try {
      return Mark.read(markFile);
    } catch (Mark.Unreadable u) {
      if (u.newerFormat) {
        throw newer(String.valueOf(u.getMessage()));
      }
      outbox.report(
          new OutboxException(
              "the outbox mark "
                  + markFile
                  + " is unreadable ("
                  + u.getMessage()
                  + "): the outbox file "
                  + file
                  + " is trusted as it is and a new mark is written; a rollback of the file"
                  + " before this point cannot be detected"));
      return null;
    } catch (IOException e) {
      throw new OutboxException("cannot read the outbox mark " + markFile + ": " + e, e);
    }
  }

  private OutboxException newer(String found) {
    return new OutboxException(
        "cannot open the outbox file "
            + file
            + ": it was written with "
            + found
            + " by a newer version of Quarry; this version reads store format "
            + MvStoreOutbox.FORMAT
            + ", envelope version "
            + Envelope.VERSION
            + " and mark format "
            + Mark.FORMAT
            + " and older. It is left untouched: open it with the newer version");
  }

  /** Takes a sound store: drops appends never acknowledged, writes the mark, compacts. */
  private void adopt(MVStore s, Contents contents, @Nullable Mark mark) {
    List<Envelope.Read> live = new ArrayList<>(contents.pending());
    long next = Math.max(contents.nextSequence(), contents.maxSequence() + 1);
    if (mark != null) {
      next = Math.max(next, mark.appended() + 1);
    }
    try {
      outbox.attach(s, live, contents.aside(), contents.ops(), next);
      boolean changed = false;
      if (contents.format() < MvStoreOutbox.FORMAT) {
        outbox.metaMap().put(Contents.FORMAT, MvStoreOutbox.FORMAT);
        changed = true;
      }
      if (mark != null) {
        for (Envelope.Read r : contents.pending()) {
          long seq = r.record().sequence();
          if (seq > mark.appended()) {
            // Committed by an append that failed or was killed before it returned.
            LOG.info("outbox {}: dropping record {}, whose append never returned", file, seq);
            outbox.pendingMap().remove(seq);
            outbox.forgetPending(seq);
            changed = true;
          }
        }
      }
      if (changed) {
        outbox.metaMap().put(Contents.NEXT_SEQUENCE, next);
        outbox.commit();
      }
      outbox.writeMark();
    } catch (IOException | RuntimeException e) {
      Contents.closeQuietly(s);
      throw new OutboxException("cannot open the outbox file " + file + ": " + e, e);
    }
    outbox.maybeRewrite(false);
  }

  /** Moves the damaged file aside and starts a clean one with what can be trusted. */
  private void repair(@Nullable Contents read, @Nullable Mark mark, String damage) {
    Contents salvage = read;
    if (salvage == null || salvage.unreadable() != null) {
      Contents again = Files.exists(file) ? Contents.salvage(file) : Contents.empty("no file");
      if (salvage == null
          || again.pending().size() + again.aside().size()
              > salvage.pending().size() + salvage.aside().size()) {
        salvage = again;
      }
    }
    Optional<Path> movedTo = Optional.empty();
    if (Files.exists(file)) {
      Path target = damagedName();
      try {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        Mark.syncDirectory(file);
      } catch (IOException e) {
        throw new OutboxException(
            "the outbox file "
                + file
                + " is damaged ("
                + damage
                + ") and cannot be moved aside to "
                + target
                + ": "
                + e,
            e);
      }
      movedTo = Optional.of(target);
    }
    List<Envelope.Read> keep = new ArrayList<>();
    List<Envelope.Read> aside = new ArrayList<>();
    List<Long> untrusted = new ArrayList<>();
    List<Long> doneNotResent = new ArrayList<>();
    Set<Long> found = new HashSet<>();
    for (Envelope.Read r : salvage.pending()) {
      long seq = r.record().sequence();
      found.add(seq);
      if (!r.sound()) {
        untrusted.add(seq);
        aside.add(withReason(r, "the outbox file was damaged: this record " + r.problem()));
      } else if (mark != null && mark.aside().contains(seq)) {
        aside.add(withReason(r, "set aside before the outbox file was damaged"));
      } else if (mark != null && mark.done(seq)) {
        doneNotResent.add(seq);
      } else {
        keep.add(r);
      }
    }
    for (Envelope.Read r : salvage.aside()) {
      long seq = r.record().sequence();
      found.add(seq);
      if (!r.sound()) {
        untrusted.add(seq);
        aside.add(withReason(r, "the outbox file was damaged: this record " + r.problem()));
      } else {
        aside.add(r);
      }
    }
    List<Long> lost = new ArrayList<>();
    if (mark != null) {
      for (long seq : mark.pending()) {
        if (!found.contains(seq)) {
          lost.add(seq);
        }
      }
    }
    long next = Math.max(salvage.nextSequence(), salvage.maxSequence() + 1);
    long ops = salvage.ops();
    if (mark != null) {
      next = Math.max(next, mark.appended() + 1);
      ops = Math.max(ops, mark.ops());
    }
    ops++;
    MVStore fresh;
    try {
      fresh = MvStoreOutbox.openStore(file);
      var p = fresh.<Long, String>openMap(Contents.PENDING);
      var a = fresh.<Long, String>openMap(Contents.SET_ASIDE);
      var m = fresh.<String, Long>openMap(Contents.META);
      for (Envelope.Read r : keep) {
        p.put(r.record().sequence(), Envelope.encode(r.record(), null));
      }
      for (Envelope.Read r : aside) {
        a.put(r.record().sequence(), Envelope.encode(r.record(), r.reason()));
      }
      m.put(Contents.NEXT_SEQUENCE, next);
      m.put(Contents.OPS, ops);
      m.put(Contents.FORMAT, MvStoreOutbox.FORMAT);
      fresh.commit();
      fresh.sync();
    } catch (RuntimeException e) {
      throw new OutboxException(
          "the outbox file "
              + file
              + " was damaged ("
              + damage
              + ") and moved aside, but a clean file cannot be created: "
              + e,
          e);
    }
    try {
      outbox.attach(fresh, keep, aside, ops, next);
      outbox.writeMark();
    } catch (IOException | RuntimeException e) {
      Contents.closeQuietly(fresh);
      throw new OutboxException("cannot write the outbox mark " + markFile + ": " + e, e);
    }
    String message =
        "the outbox file "
            + file
            + " was damaged: "
            + damage
            + ". "
            + movedTo.map(p -> "It was moved to " + p + " (kept, never deleted)").orElse("No file")
            + "; a clean file now holds "
            + keep.size()
            + " pending record(s) and "
            + aside.size()
            + " set aside. Lost (acknowledged, in no readable copy, will not be sent): "
            + list(lost)
            + (mark == null ? " (no mark, so losses cannot be known)" : "")
            + "; set aside because the stored form cannot be trusted (never sent): "
            + list(untrusted)
            + "; shown pending by the damaged file but already done (not sent again): "
            + list(doneNotResent);
    outbox.report(new OutboxDamageException(message, movedTo, lost, untrusted, doneNotResent));
  }

  private static Envelope.Read withReason(Envelope.Read r, String reason) {
    return new Envelope.Read(r.record(), reason, null, r.version());
  }

  private Path damagedName() {
    for (int n = 1; ; n++) {
      Path p = file.resolveSibling(file.getFileName() + ".damaged-" + n);
      if (!Files.exists(p)) {
        return p;
      }
    }
  }

  private static String list(List<Long> seqs) {
    if (seqs.isEmpty()) {
      return "none";
    }
    if (seqs.size() <= LISTED) {
      return seqs.size() + " " + seqs;
    }
    return seqs.size() + " " + seqs.subList(0, LISTED) + " and " + (seqs.size() - LISTED) + " more";
  }
}
