package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvStoreOutboxTest {
  @TempDir Path dir;

  @Test
  void records_surviveReopen_inSequenceOrder_andSequencesKeepIncreasing() {
    Path file = dir.resolve("sub/outbox.mv");
    try (OutboxStore store = OutboxStore.open(file)) {
      assertThat(store.append("[\"a\"]", "1", Optional.of("s"), "k1", 10).sequence()).isEqualTo(1);
      assertThat(store.append("[\"a\"]", "2", Optional.empty(), "k2", 11).sequence()).isEqualTo(2);
      assertThat(store.append("[\"a\"]", "3", Optional.empty(), "k3", 12).sequence()).isEqualTo(3);
      store.markDone(2);
      store.markDone(3);
    }
    try (OutboxStore store = OutboxStore.open(file)) {
      assertThat(store.pending())
          .containsExactly(new OutboxRecord(1, "[\"a\"]", "1", Optional.of("s"), "k1", 10));
      assertThat(store.append("[\"b\"]", "4", Optional.empty(), "k4", 13).sequence()).isEqualTo(4);
      store.setAside(1, "broken");
    }
    try (OutboxStore store = OutboxStore.open(file)) {
      assertThat(store.pending()).extracting(OutboxRecord::sequence).containsExactly(4L);
      assertThat(store.setAsideRecords())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.reason()).isEqualTo("broken");
                assertThat(r.record().idempotencyKey()).isEqualTo("k1");
              });
    }
  }

  @Test
  void closedStore_failsWithAnErrorNamingTheFile() {
    Path file = dir.resolve("outbox.mv");
    OutboxStore store = OutboxStore.open(file);
    store.close();
    store.close();
    assertThatThrownBy(store::pending)
        .isInstanceOf(OutboxException.class)
        .hasMessageContaining(file.toString());
  }
}
