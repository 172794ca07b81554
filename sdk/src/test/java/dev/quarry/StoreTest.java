package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.store.Store;
import dev.quarry.testing.VirtualTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  record Layout(boolean sidebarOpen, String view) {}

  static Quarry quarry(Path dir) {
    VirtualTime time = new VirtualTime();
    return Quarry.builder()
        .time(time, time)
        .callbackExecutor(VirtualTime.direct())
        .persistence(dir)
        .build();
  }

  @Test
  void store_isRegistered_listensOnTheCallbackExecutor_andClosesWithTheFacade(@TempDir Path dir) {
    Quarry quarry = quarry(dir);
    Store<Layout> layout = quarry.store("layout", new Layout(true, "episodes"));
    List<String> views = new CopyOnWriteArrayList<>();
    layout.select(Layout::view, views::add);

    layout.update(l -> new Layout(l.sidebarOpen(), "scenes"));

    assertThat(views).containsExactly("episodes", "scenes");
    assertThat(quarry.stores().snapshot()).containsEntry("layout", new Layout(true, "scenes"));
    assertThatThrownBy(() -> quarry.store("layout", new Layout(false, "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("layout");

    quarry.close();
    assertThat(quarry.stores().snapshot()).isEmpty();
  }

  @Test
  void persistentStore_restoresItsStateInTheNextRun(@TempDir Path dir) {
    try (Quarry first = quarry(dir)) {
      first
          .store("layout", new Layout(true, "episodes"), Layout.class)
          .update(l -> new Layout(false, "scenes"));
    }
    assertThat(Files.exists(dir.resolve("stores").resolve("layout.json"))).isTrue();

    try (Quarry second = quarry(dir)) {
      Store<Layout> restored = second.store("layout", new Layout(true, "episodes"), Layout.class);
      assertThat(restored.get()).isEqualTo(new Layout(false, "scenes"));
    }
  }
}
