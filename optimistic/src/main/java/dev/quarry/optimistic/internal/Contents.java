package dev.quarry.optimistic.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.jspecify.annotations.Nullable;

/**
 * Everything an outbox store file holds, read entry by entry without trusting it: used to check a
 * file when it opens and to salvage what can be read from a damaged one.
 *
 * @param pending the entries of the {@code pending} map, in sequence order
 * @param aside the entries of the {@code setAside} map, in sequence order
 * @param nextSequence the stored next sequence (0 if absent)
 * @param ops the stored count of write operations (0 if absent)
 * @param format the stored format (0 for a file written before formats existed)
 * @param unreadable why part of the file could not be read; null when all of it was read
 */
record Contents(
    List<Envelope.Read> pending,
    List<Envelope.Read> aside,
    long nextSequence,
    long ops,
    long format,
    @Nullable String unreadable) {

  static final String PENDING = "pending";
  static final String SET_ASIDE = "setAside";
  static final String META = "meta";
  static final String NEXT_SEQUENCE = "nextSequence";
  static final String OPS = "ops";
  static final String FORMAT = "format";

  static Contents empty(String why) {
    return new Contents(List.of(), List.of(), 0, 0, 0, why);
  }

  /** Reads {@code store}; never throws: what cannot be read is named in {@link #unreadable}. */
  static Contents read(MVStore store) {
    List<String> problems = new ArrayList<>();
    long next = 0;
    long ops = 0;
    long format = 0;
    try {
      MVMap<String, Long> meta = store.openMap(META);
      next = value(meta.get(NEXT_SEQUENCE));
      ops = value(meta.get(OPS));
      format = value(meta.get(FORMAT));
    } catch (RuntimeException e) {
      problems.add("meta: " + e.getMessage());
    }
    List<Envelope.Read> pending = entries(store, PENDING, problems);
    List<Envelope.Read> aside = entries(store, SET_ASIDE, problems);
    return new Contents(
        pending, aside, next, ops, format, problems.isEmpty() ? null : String.join("; ", problems));
  }

  /** Opens {@code file} read-only (in H2's recovery mode if asked) and reads it; never throws. */
  static Contents salvage(Path file) {
    String first = "";
    for (boolean recovery : new boolean[] {false, true}) {
      MVStore.Builder b = new MVStore.Builder().fileName(file.toString()).readOnly();
      if (recovery) {
        b.recoveryMode();
      }
      try {
        MVStore s = b.open();
        try {
          return read(s);
        } finally {
          closeQuietly(s);
        }
      } catch (RuntimeException e) {
        if (first.isEmpty()) {
          first = String.valueOf(e.getMessage());
        }
      }
    }
    return empty("nothing could be read: " + first);
  }

  static void closeQuietly(MVStore s) {
    try {
      s.closeImmediately();
    } catch (RuntimeException ignored) {
      // Closing a damaged store; nothing more to do.
    }
  }

  long maxSequence() {
    long max = 0;
    for (Envelope.Read r : pending) {
      max = Math.max(max, r.record().sequence());
    }
    for (Envelope.Read r : aside) {
      max = Math.max(max, r.record().sequence());
    }
    return max;
  }

  /** The first entry that cannot be trusted, or null. */
  Envelope.@Nullable Read firstBad() {
    for (List<Envelope.Read> list : List.of(pending, aside)) {
      for (Envelope.Read r : list) {
        if (!r.sound()) {
          return r;
        }
      }
    }
    return null;
  }

  int badCount() {
    int n = 0;
    for (List<Envelope.Read> list : List.of(pending, aside)) {
      for (Envelope.Read r : list) {
        n += r.sound() ? 0 : 1;
      }
    }
    return n;
  }

  private static long value(@Nullable Long v) {
    return v == null ? 0 : v;
  }

  private static List<Envelope.Read> entries(MVStore store, String name, List<String> problems) {
    List<Envelope.Read> out = new ArrayList<>();
    try {
      MVMap<Long, String> map = store.openMap(name);
      for (Map.Entry<Long, String> e : map.entrySet()) {
        out.add(Envelope.read(e.getKey(), e.getValue()));
      }
    } catch (RuntimeException e) {
      problems.add(name + " after " + out.size() + " entries: " + e.getMessage());
    }
    return out;
  }
}
