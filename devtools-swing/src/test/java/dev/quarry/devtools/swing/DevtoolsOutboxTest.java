package dev.quarry.devtools.swing;

import static dev.quarry.devtools.swing.Screens.find;
import static dev.quarry.devtools.swing.Screens.onEdt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.Quarry;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.swing.JLabel;
import javax.swing.JTabbedPane;
import javax.swing.JTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox tab: a persistent mutation made offline waits in the outbox until back online. */
class DevtoolsOutboxTest {
  record Rename(String episodeId, String title) {}

  final VirtualTime time = new VirtualTime();
  @TempDir Path dir;
  Quarry quarry;
  QuarryDevtools panel;

  @AfterEach
  void close() {
    onEdt(panel::removeNotify);
    quarry.close();
  }

  @Test
  void persistentMutationOffline_isListedPendingInTheOutbox_andLeavesItOnceSent() {
    quarry =
        Quarry.builder()
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .persistence(dir)
            .build();
    panel =
        onEdt(
            () -> QuarryDevtools.create(quarry, DevtoolsOptions.builder().scheduler(time).build()));
    onEdt(panel::addNotify);
    quarry.connectivity().setOnline(false);
    quarry
        .mutation(
            MutationOptions.<Rename, Rename, Void>builder()
                .mutationKey(QueryKey.of("episodes", "rename"))
                .variablesType(Rename.class)
                .persistent(true)
                .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
                .build())
        .mutate(new Rename("e1", "Pilot (final)"));
    time.advance(Duration.ofMillis(300));
    onEdt(() -> panel.showTab(4));
    onEdt(
        () ->
            Screens.paint(
                panel, 900, 420, Path.of("target", "screenshots", "devtools-outbox.png")));

    onEdt(
        () -> {
          JTable pending = find(panel, "outbox.pending.table", JTable.class);
          assertThat(pending.getRowCount()).isEqualTo(1);
          assertThat(pending.getValueAt(0, 1)).isEqualTo("[\"episodes\",\"rename\"]");
          assertThat(pending.getValueAt(0, 2))
              .isEqualTo("{\"episodeId\":\"e1\",\"title\":\"Pilot (final)\"}");
          assertThat(find(panel, "outbox.setAside.title", JLabel.class).getText())
              .isEqualTo("0 records set aside");
          assertThat(find(panel, "devtools.tabs", JTabbedPane.class).getTitleAt(4))
              .isEqualTo("Outbox (1 pending, 0 set aside)");
        });

    quarry.connectivity().setOnline(true);
    time.advance(Duration.ofMillis(300));
    onEdt(() -> {});
    assertThat(onEdt(() -> find(panel, "outbox.pending.table", JTable.class).getRowCount()))
        .as("sent and settled: the record left the outbox")
        .isZero();
  }
}
