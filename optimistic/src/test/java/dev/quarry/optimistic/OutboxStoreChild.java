package dev.quarry.optimistic;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The child JVM of {@link OutboxCrashTest}: drives an {@link OutboxStore} directly and prints each
 * operation to stdout only after the call returned (so the parent knows what was acknowledged):
 *
 * <ul>
 *   <li>{@code stream <file> <seed>}: appends and marks done at random, forever (until killed):
 *       {@code A <seq> <idempotencyKey>} after an append returned, {@code d <seq>} before and
 *       {@code D <seq>} after a markDone;
 *   <li>{@code fill <file> <seed>}: appends 4 KiB records until the disk refuses ({@code A ...},
 *       then {@code F <exception class> <message>}), then marks done the oldest records one by one
 *       ({@code D}/{@code F}) and appends again, to show the store recovers once there is room;
 *       ends with {@code END}.
 * </ul>
 */
public final class OutboxStoreChild {
  private static final String KEY = "[\"episodes\",\"create\"]";

  private OutboxStoreChild() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    Random random = new Random(Long.parseLong(args[2]));
    try (OutboxStore store = OutboxStore.open(file)) {
      if (args[1].equals("stream")) {
        stream(store, random);
      } else {
        fill(store, random);
      }
    }
  }

  private static void stream(OutboxStore store, Random random) {
    List<Long> pending = new ArrayList<>();
    for (OutboxRecord r : store.pending()) {
      pending.add(r.sequence());
    }
    long n = 0;
    while (true) {
      n++;
      if (pending.isEmpty() || (pending.size() < 40 && random.nextInt(100) < 55)) {
        String key = Long.toHexString(random.nextLong()) + "-" + n;
        OutboxRecord r =
            store.append(
                KEY, "{\"n\":" + n + "}", Optional.empty(), key, System.currentTimeMillis());
        System.out.println("A " + r.sequence() + " " + key);
        pending.add(r.sequence());
      } else {
        long seq = pending.remove(random.nextInt(Math.min(3, pending.size())));
        System.out.println("d " + seq);
        store.markDone(seq);
        System.out.println("D " + seq);
      }
      System.out.flush();
    }
  }

  private static void fill(OutboxStore store, Random random) {
    String padding = "p".repeat(4096);
    List<Long> pending = new ArrayList<>();
    int failures = 0;
    for (int i = 0; i < 100_000 && failures < 3; i++) {
      try {
        OutboxRecord r =
            store.append(
                KEY,
                "{\"pad\":\"" + padding + "\"}",
                Optional.empty(),
                "k" + i + "-" + random.nextInt(),
                i);
        pending.add(r.sequence());
        System.out.println("A " + r.sequence() + " " + r.idempotencyKey());
      } catch (RuntimeException e) {
        failures++;
        System.out.println("F " + e.getClass().getName() + " " + oneLine(e));
        // Reading right after a failed write reopens the store (or fails as an OutboxException).
        try {
          System.out.println("P " + store.pending().size() + " " + store.setAsideRecords().size());
        } catch (RuntimeException r) {
          System.out.println("F " + r.getClass().getName() + " " + oneLine(r));
        }
      }
    }
    // Make room: mark the oldest half done, one by one (some calls may fail while the disk is
    // full).
    int toFree = pending.size() / 2;
    for (int attempt = 0; attempt < toFree + 20 && pending.size() > toFree; attempt++) {
      long seq = pending.get(0);
      try {
        System.out.println("d " + seq);
        store.markDone(seq);
        pending.remove(0);
        System.out.println("D " + seq);
      } catch (RuntimeException e) {
        System.out.println("F " + e.getClass().getName() + " " + oneLine(e));
      }
    }
    for (int i = 0; i < 5; i++) {
      try {
        OutboxRecord r =
            store.append(KEY, "{\"small\":" + i + "}", Optional.empty(), "again" + i, i);
        System.out.println("A " + r.sequence() + " " + r.idempotencyKey());
      } catch (RuntimeException e) {
        System.out.println("F " + e.getClass().getName() + " " + oneLine(e));
      }
    }
    System.out.println("END");
    System.out.flush();
  }

  private static String oneLine(Throwable e) {
    return String.valueOf(e.getMessage()).replace('\n', ' ');
  }
}
