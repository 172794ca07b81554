package dev.quarry.optimistic.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The outbox's high-water mark: a small text file beside the store ({@code <file>.hwm}) that says
 * what the last acknowledged operation left behind. It is written after every store commit and
 * before the operation returns, one (see {@link File}), so a reader always finds the last complete
 * mark, never a mix.
 *
 * <p>Fields: {@code ops}, the number of write operations the store has committed; {@code appended},
 * the highest sequence appended; {@code pending} and {@code aside}, the sequences then pending and
 * set aside (as ranges). Any sequence up to {@code appended} in neither set was marked done. A
 * CRC-32C over the text detects a damaged mark.
 *
 * @param ops write operations acknowledged so far
 * @param appended the highest sequence acknowledged by an append (0 for none)
 * @param pending the sequences pending at that point
 * @param aside the sequences set aside at that point
 */
record Mark(long ops, long appended, NavigableSet<Long> pending, NavigableSet<Long> aside) {
  /** The mark format this code writes and the newest it reads. */
  static final int FORMAT = 1;

  private static final String MAGIC = "quarry-outbox-mark";

  /** Thrown by {@link #read} for a mark that cannot be used. */
  static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean newerFormat;

    Unreadable(String message, boolean newerFormat) {
      super(message);
      this.newerFormat = newerFormat;
    }
  }

  static Path pathFor(Path store) {
    return store.resolveSibling(store.getFileName() + ".hwm");
  }

  /** True when {@code seq} was acknowledged as done by this mark. */
  boolean done(long seq) {
    return seq <= appended && !pending.contains(seq) && !aside.contains(seq);
  }

  /** Reads the newest valid copy of the mark; {@code null} when there is no mark file. */
  static @Nullable Mark read(Path path) throws IOException, Unreadable {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return null;
    }
    String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.UTF_8);
    if (head.startsWith(MAGIC + " format=")) {
      String digits = head.substring((MAGIC + " format=").length()).split("\\D", 2)[0];
      if (!digits.isEmpty() && digits.length() < 9 && Integer.parseInt(digits) > FORMAT) {
        throw new Unreadable("mark format " + digits, true);
      }
    }
    if (bytes.length == 0 || bytes.length % 2 != 0) {
      throw new Unreadable(
          "a size of " + bytes.length + " bytes (two equal slots expected)", false);
    }
    int slot = bytes.length / 2;
    Parsed best = null;
    Unreadable first = null;
    for (int i = 0; i < 2; i++) {
      try {
        Parsed p = parse(bytes, i * slot, slot);
        if (best == null || p.counter > best.counter) {
          best = p;
        }
      } catch (Unreadable u) {
        if (u.newerFormat) {
          throw u;
        }
        first = first == null ? u : first;
      }
    }
    if (best == null) {
      throw Objects.requireNonNull(first);
    }
    return best.mark;
  }

  private record Parsed(long counter, Mark mark) {}

  private static Parsed parse(byte[] bytes, int from, int length) throws Unreadable {
    int end = from;
    while (end < from + length && bytes[end] != 0) {
      end++;
    }
    String text = new String(bytes, from, end - from, StandardCharsets.UTF_8);
    String[] lines = text.split("\n");
    if (!lines[0].startsWith(MAGIC + " format=")) {
      throw new Unreadable("not an outbox mark", false);
    }
    int format;
    try {
      format = Integer.parseInt(lines[0].substring((MAGIC + " format=").length()).trim());
    } catch (NumberFormatException e) {
      throw new Unreadable("an unreadable format line", false);
    }
    if (format > FORMAT) {
      throw new Unreadable("mark format " + format, true);
    }
    int crcAt = text.lastIndexOf("crc32c=");
    if (crcAt < 0
        || !text.substring(crcAt).trim().equals("crc32c=" + crc(text.substring(0, crcAt)))) {
      throw new Unreadable("its checksum does not match (damaged)", false);
    }
    long counter = -1;
    long ops = -1;
    long appended = -1;
    NavigableSet<Long> pending = null;
    NavigableSet<Long> aside = null;
    try {
      for (String line : lines) {
        int eq = line.indexOf('=');
        if (eq < 0 || line.startsWith(MAGIC)) {
          continue;
        }
        String value = line.substring(eq + 1).trim();
        switch (line.substring(0, eq)) {
          case "counter" -> counter = Long.parseLong(value);
          case "ops" -> ops = Long.parseLong(value);
          case "appended" -> appended = Long.parseLong(value);
          case "pending" -> pending = parseRanges(value);
          case "aside" -> aside = parseRanges(value);
          default -> {
            // crc32c, or a field a later format added
          }
        }
      }
    } catch (NumberFormatException e) {
      throw new Unreadable("an unreadable number", false);
    }
    if (counter < 0 || ops < 0 || appended < 0 || pending == null || aside == null) {
      throw new Unreadable("a missing field", false);
    }
    return new Parsed(counter, new Mark(ops, appended, pending, aside));
  }

  /** The text of one slot. */
  byte[] encode(long counter) {
    StringBuilder body = new StringBuilder();
    body.append(MAGIC).append(" format=").append(FORMAT).append('\n');
    body.append("counter=").append(counter).append('\n');
    body.append("ops=").append(ops).append('\n');
    body.append("appended=").append(appended).append('\n');
    body.append("pending=").append(ranges(pending)).append('\n');
    body.append("aside=").append(ranges(aside)).append('\n');
    return (body + "crc32c=" + crc(body.toString()) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The mark file, open for writing. It holds two equal slots; each write goes to the older slot in
   * place and is synced (one write, one sync, no rename), so a write torn by a crash leaves the
   * other slot, the previous mark, readable. A mark too large for a slot is written to a new file
   * with larger slots, synced and renamed over the old one. Not thread-safe: used under the
   * outbox's lock.
   */
  static final class File implements AutoCloseable {
    private final Path path;
    private @Nullable FileChannel channel;
    private int slot;
    private long counter;

    File(Path path) {
      this.path = path;
    }

    void write(Mark mark) throws IOException {
      counter++;
      byte[] text = mark.encode(counter);
      FileChannel ch = channel;
      if (ch == null || text.length >= slot) {
        replace(text);
        return;
      }
      ByteBuffer buf = ByteBuffer.allocate(slot);
      buf.put(text);
      buf.flip();
      buf.limit(slot);
      long at = (counter % 2) * (long) slot;
      while (buf.hasRemaining()) {
        at += ch.write(buf, at);
      }
      ch.force(false);
    }

    /** Writes a new file with both slots holding {@code text}, then renames it over the mark. */
    private void replace(byte[] text) throws IOException {
      close();
      int size = 4096;
      while (size <= text.length) {
        size *= 2;
      }
      Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
      ByteBuffer buf = ByteBuffer.allocate(2 * size);
      buf.put(text);
      buf.position(size);
      buf.put(text);
      buf.clear();
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(path);
      channel = FileChannel.open(path, StandardOpenOption.WRITE);
      slot = size;
    }

    @Override
    public void close() {
      FileChannel ch = channel;
      channel = null;
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // Every write was synced.
        }
      }
    }
  }

  /** Makes a rename in {@code file}'s directory durable (where the platform allows it). */
  static void syncDirectory(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // Not supported on every platform (Windows); Linux and macOS support it.
    }
  }

  static String ranges(NavigableSet<Long> set) {
    StringBuilder out = new StringBuilder();
    Iterator<Long> it = set.iterator();
    long start = 0;
    long end = -2;
    while (it.hasNext()) {
      long v = it.next();
      if (v == end + 1) {
        end = v;
        continue;
      }
      appendRange(out, start, end);
      start = v;
      end = v;
    }
    appendRange(out, start, end);
    return out.toString();
  }

  private static void appendRange(StringBuilder out, long start, long end) {
    if (end < start) {
      return;
    }
    if (out.length() > 0) {
      out.append(',');
    }
    out.append(start);
    if (end > start) {
      out.append('-').append(end);
    }
  }

  static NavigableSet<Long> parseRanges(String text) {
    NavigableSet<Long> out = new TreeSet<>();
    if (text.isEmpty()) {
      return out;
    }
    for (String part : text.split(",")) {
      int dash = part.indexOf('-');
      long start = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
      long end = dash < 0 ? start : Long.parseLong(part.substring(dash + 1));
      if (end < start || end - start > 10_000_000) {
        throw new NumberFormatException("range " + part);
      }
      for (long v = start; v <= end; v++) {
        out.add(v);
      }
    }
    return out;
  }

  private static String crc(String text) {
    CRC32C crc = new CRC32C();
    crc.update(text.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x", crc.getValue());
  }
}
