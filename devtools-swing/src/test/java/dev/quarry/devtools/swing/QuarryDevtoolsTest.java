package dev.quarry.devtools.swing;

import static dev.quarry.devtools.swing.Screens.find;
import static dev.quarry.devtools.swing.Screens.onEdt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.Quarry;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JTable;
import javax.swing.JTextField;
import javax.swing.JTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The devtools panel on a Quarry driven by virtual time, rendered headlessly: what each state looks
 * like is asserted through the component tree and written to {@code target/screenshots/} as PNG.
 */
class QuarryDevtoolsTest {
  static final Path SCREENS = Path.of("target", "screenshots");
  static final QueryKey EPISODES = QueryKey.of("projects", "p1", "episodes");

  record Episode(String id, String title) {}

  final VirtualTime time = new VirtualTime(); // 2026-01-01T00:00:00Z
  final Quarry quarry =
      Quarry.builder()
          .time(time, time)
          .callbackExecutor(VirtualTime.direct())
          .queryDefaults(d -> d.staleTime(Duration.ofMinutes(1)).gcTime(Duration.ofMinutes(5)))
          .build();
  final List<AutoCloseable> closing = new ArrayList<>();
  final QuarryDevtools panel =
      onEdt(() -> QuarryDevtools.create(quarry, DevtoolsOptions.builder().scheduler(time).build()));

  @AfterEach
  void close() throws Exception {
    onEdt(panel::removeNotify);
    for (AutoCloseable c : closing) {
      c.close();
    }
    quarry.close();
  }

  /** The panel becomes displayable as it would inside a shown window. */
  private void show() {
    onEdt(panel::addNotify);
  }

  /** Lets the coalescing window pass in virtual time, then waits for the refresh on the EDT. */
  private void settle() {
    time.advance(Duration.ofMillis(300));
    onEdt(() -> {});
  }

  private void observe(QueryKey key, CompletableFuture<?> result) {
    closing.add(quarry.observe(QueryOptions.of(key, ctx -> result), r -> {}));
  }

  private JTable queriesTable() {
    return find(panel, "queries.table", JTable.class);
  }

  private String cell(JTable table, int row, String column) {
    return String.valueOf(table.getValueAt(row, table.getColumnModel().getColumnIndex(column)));
  }

  private String label(String name) {
    return onEdt(() -> find(panel, name, JLabel.class).getText());
  }

  @Test
  void notDisplayable_listensToNothingAndSchedulesNothing_untilShown_andStopsWhenRemoved() {
    VirtualTime panelTime = new VirtualTime(); // the panel's own timers, counted apart
    QuarryDevtools own =
        onEdt(
            () ->
                QuarryDevtools.create(
                    quarry, DevtoolsOptions.builder().scheduler(panelTime).build()));
    closing.add(() -> onEdt(own::removeNotify));
    assertThat(onEdt(own::isListening)).isFalse();
    quarry.setQueryData(EPISODES, List.of(new Episode("e1", "Pilot")));
    assertThat(panelTime.pendingTasks()).as("no timer for a panel nobody shows").isZero();

    onEdt(own::addNotify);
    assertThat(onEdt(own::isListening)).isTrue();
    assertThat(panelTime.pendingTasks()).as("the periodic re-read").isEqualTo(1);
    assertThat(onEdt(() -> find(own, "queries.table", JTable.class).getRowCount())).isEqualTo(1);
    quarry.setQueryData(QueryKey.of("second"), 2);
    assertThat(panelTime.pendingTasks()).as("the re-read and a coalesced flush").isEqualTo(2);

    onEdt(own::removeNotify);
    assertThat(onEdt(own::isListening)).isFalse();
    assertThat(panelTime.pendingTasks()).as("both timers cancelled").isZero();
    quarry.setQueryData(QueryKey.of("third"), 3);
    assertThat(panelTime.pendingTasks()).as("a change after removal schedules nothing").isZero();
    panelTime.advance(Duration.ofMinutes(1));
    onEdt(() -> {});
    assertThat(onEdt(() -> find(own, "queries.table", JTable.class).getRowCount()))
        .as("nothing re-read after removal")
        .isEqualTo(1);
  }

  @Test
  void loading_showsTheQueryFetchingWithoutData() {
    show();
    observe(EPISODES, new CompletableFuture<>());
    settle();

    JTable table = queriesTable();
    onEdt(() -> table.setRowSelectionInterval(0, 0));
    settle();
    BufferedImage png =
        onEdt(() -> Screens.paint(panel, 900, 420, SCREENS.resolve("devtools-loading.png")));

    onEdt(
        () -> {
          assertThat(table.getRowCount()).isEqualTo(1);
          assertThat(cell(table, 0, "Query key")).isEqualTo("[\"projects\",\"p1\",\"episodes\"]");
          assertThat(cell(table, 0, "State")).isEqualTo("fetching");
          assertThat(cell(table, 0, "Status")).isEqualTo("pending");
          assertThat(cell(table, 0, "Updated")).isEqualTo("-");
          assertThat(find(panel, "queries.data", JTree.class).getModel().getRoot())
              .hasToString("no data");
        });
    assertThat(label("devtools.summary")).startsWith("1 queries · 1 fetching · 0 stale");
    assertThat(Screens.colours(png)).as("something was drawn").isGreaterThan(8);
  }

  @Test
  void stale_whenVirtualTimeAdvancesPastStaleTime_theRowTurnsStaleWithoutAnyCacheEvent() {
    show();
    observe(EPISODES, CompletableFuture.completedFuture(List.of(new Episode("e1", "Pilot"))));
    settle();
    JTable table = queriesTable();
    onEdt(() -> table.setRowSelectionInterval(0, 0));
    settle();
    assertThat(onEdt(() -> cell(table, 0, "State"))).isEqualTo("fresh");

    time.advance(Duration.ofSeconds(61)); // only the periodic re-read can see this
    onEdt(() -> {});

    BufferedImage png =
        onEdt(() -> Screens.paint(panel, 900, 420, SCREENS.resolve("devtools-stale.png")));
    onEdt(
        () -> {
          assertThat(cell(table, 0, "State")).isEqualTo("stale");
          assertThat(cell(table, 0, "Updated")).isEqualTo("1m 1s ago");
          assertThat(find(panel, "queries.detail.key", JLabel.class).getText())
              .isEqualTo("Query [\"projects\",\"p1\",\"episodes\"]");
          JTree data = find(panel, "queries.data", JTree.class);
          List<String> rows = new ArrayList<>();
          for (int i = 0; i < data.getRowCount(); i++) {
            rows.add(String.valueOf(data.getPathForRow(i).getLastPathComponent()));
          }
          assertThat(rows).containsExactly("data [1]", "0 {2}", "id: \"e1\"", "title: \"Pilot\"");
        });
    assertThat(label("devtools.summary")).contains("1 stale");
    assertThat(hasColour(png, Format.STALE)).as("the stale badge is drawn").isTrue();
  }

  @Test
  void aBurstOfChanges_isShownInOneRefreshAfterTheCoalescingWindow() {
    show();
    for (int i = 0; i < 50; i++) {
      quarry.setQueryData(QueryKey.of("item", i), i);
    }
    onEdt(() -> {});
    assertThat(onEdt(() -> queriesTable().getRowCount())).as("still coalescing").isZero();

    settle();
    assertThat(onEdt(() -> queriesTable().getRowCount())).isEqualTo(50);
  }

  @Test
  void filterAndActions_filterByKey_invalidateRefetchesAndRemoveDropsTheRow() {
    show();
    int[] fetches = {0};
    closing.add(
        quarry.observe(
            QueryOptions.of(
                EPISODES,
                ctx -> CompletableFuture.completedFuture(List.of("Pilot", "#" + ++fetches[0]))),
            r -> {}));
    quarry.setQueryData(QueryKey.of("projects"), List.of("p1"));
    settle();
    JTable table = queriesTable();
    assertThat(onEdt(table::getRowCount)).isEqualTo(2);

    onEdt(() -> find(panel, "queries.filter", JTextField.class).setText("episodes"));
    assertThat(onEdt(table::getRowCount)).isEqualTo(1);
    assertThat(label("queries.count")).isEqualTo("1 of 2 queries");

    onEdt(() -> table.setRowSelectionInterval(0, 0));
    settle();
    assertThat(fetches[0]).isEqualTo(1);
    onEdt(() -> find(panel, "queries.invalidate", JButton.class).doClick());
    settle();
    assertThat(fetches[0]).as("invalidate refetched the observed query").isEqualTo(2);
    onEdt(() -> find(panel, "queries.refetch", JButton.class).doClick());
    assertThat(fetches[0]).isEqualTo(3);

    onEdt(() -> find(panel, "queries.filter", JTextField.class).setText(""));
    onEdt(() -> table.setRowSelectionInterval(1, 1)); // ["projects"]
    onEdt(() -> find(panel, "queries.remove", JButton.class).doClick());
    settle();
    assertThat(onEdt(table::getRowCount)).isEqualTo(1);
    assertThat(quarry.getQueryData(QueryKey.of("projects"))).isEmpty();
    assertThat(label("queries.detail.key")).isEqualTo("Select a query");
  }

  @Test
  void pausedMutationOffline_theOnlineButtonTakesTheClientOffline_andTheMutationShowsPaused() {
    show();
    onEdt(() -> find(panel, "devtools.online", JButton.class).doClick());
    assertThat(quarry.connectivity().isOnline()).isFalse();
    quarry
        .mutation(
            MutationOptions.<Episode, Episode, Void>builder()
                .mutationKey(QueryKey.of("episodes", "create"))
                .scope("p1")
                .mutationFn((v, ctx) -> CompletableFuture.completedFuture(v))
                .build())
        .mutate(new Episode("draft-1", "Pilot 2"));
    settle();
    onEdt(() -> panel.showTab(1));
    BufferedImage png =
        onEdt(() -> Screens.paint(panel, 900, 420, SCREENS.resolve("devtools-paused-offline.png")));

    onEdt(
        () -> {
          JTable table = find(panel, "mutations.table", JTable.class);
          assertThat(table.getRowCount()).isEqualTo(1);
          assertThat(cell(table, 0, "Status")).isEqualTo("paused");
          assertThat(cell(table, 0, "Scope")).isEqualTo("p1");
          assertThat(cell(table, 0, "Key")).isEqualTo("[\"episodes\",\"create\"]");
          assertThat(cell(table, 0, "Variables"))
              .isEqualTo("{\"id\":\"draft-1\",\"title\":\"Pilot 2\"}");
        });
    assertThat(label("mutations.title")).isEqualTo("1 mutations");
    assertThat(onEdt(() -> find(panel, "devtools.online", JButton.class).getText()))
        .isEqualTo("Offline · go online");
    assertThat(hasColour(png, Format.PAUSED)).as("the paused badge is drawn").isTrue();

    onEdt(() -> find(panel, "devtools.online", JButton.class).doClick());
    settle();
    assertThat(onEdt(() -> cell(find(panel, "mutations.table", JTable.class), 0, "Status")))
        .isEqualTo("success");
  }

  @Test
  void options_refuseTimersFasterThanAFewTimesASecond() {
    assertThatThrownBy(
            () -> DevtoolsOptions.builder().refreshInterval(Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refreshInterval")
        .hasMessageContaining("PT0.01S");
    assertThatThrownBy(() -> DevtoolsOptions.builder().coalesce(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("coalesce");
  }

  static boolean hasColour(BufferedImage image, java.awt.Color colour) {
    int rgb = colour.getRGB();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if (image.getRGB(x, y) == rgb) {
          return true;
        }
      }
    }
    return false;
  }
}
