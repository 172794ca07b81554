package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.optimistic.internal.MvStoreOutbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox file stays bounded by what is pending, not by its history. The full 100,000-cycle run
 * takes minutes (two synced commits and two synced marks per cycle), so {@code mvn verify} runs
 * {@value #DEFAULT_CYCLES} cycles; the figure in docs/RELIABILITY.md comes from {@code mvn -o test
 * -pl optimistic -am -Dtest=OutboxSizeTest -Dquarry.outbox.cycles=100000
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class OutboxSizeTest {
  private static final int DEFAULT_CYCLES = 500;
  private static final long BOUND = 5L << 20;

  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.MINUTES) // the on-demand 100,000-cycle run takes long
  void appendAndDoneCycles_leaveAFileUnderFiveMegabytes_thatStaysSmallAfterReopen() {
    int cycles = Integer.getInteger("quarry.outbox.cycles", DEFAULT_CYCLES);
    Path file = dir.resolve("outbox.mv");
    String variables = "{\"title\":\"Episode\",\"padding\":\"" + "x".repeat(200) + "\"}";
    long largest = 0;
    long started = System.nanoTime();
    long rewrites;
    try (MvStoreOutbox store = MvStoreOutbox.open(file)) {
      // One record stays pending the whole time, as a paused mutation would.
      store.append("[\"episodes\",\"create\"]", variables, Optional.empty(), "paused", 1);
      for (int i = 0; i < cycles; i++) {
        OutboxRecord r =
            store.append("[\"episodes\",\"create\"]", variables, Optional.of("s"), "k" + i, i);
        store.markDone(r.sequence());
        if (i % 100 == 0) {
          largest = Math.max(largest, size(file));
        }
      }
      largest = Math.max(largest, size(file));
      rewrites = store.rewrites();
      assertThat(store.pending())
          .extracting(OutboxRecord::idempotencyKey)
          .containsExactly("paused");
    }
    long afterClose = size(file);
    try (OutboxStore store = OutboxStore.open(file)) {
      assertThat(store.pending()).hasSize(1);
    }
    long afterReopen = size(file);
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println(
        "RELIABILITY | outbox file size after append+done cycles | injected="
            + cycles
            + " | survived="
            + (largest < BOUND && afterReopen < BOUND ? cycles : 0)
            + " | lost=0 | largest "
            + largest
            + " bytes, "
            + afterClose
            + " after close, "
            + afterReopen
            + " after reopen, "
            + rewrites
            + " rewrites, "
            + millis
            + " ms");
    assertThat(largest).isLessThan(BOUND);
    assertThat(afterReopen).isLessThan(BOUND);
    assertThat(rewrites).isPositive();
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
