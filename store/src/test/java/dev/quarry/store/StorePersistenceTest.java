package dev.quarry.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.quarry.testing.RecordingListener;
import dev.quarry.testing.VirtualTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorePersistenceTest {
  record Prefs(boolean sidebarOpen, int fontSize) {}

  record Layout(String view, Prefs prefs, List<String> openPanels) {
    static final Layout DEFAULT = new Layout("episodes", new Prefs(true, 12), List.of());

    Layout withView(String v) {
      return new Layout(v, prefs, openPanels);
    }

    Layout withPrefs(Prefs p) {
      return new Layout(view, p, openPanels);
    }
  }

  @TempDir Path dir;

  private final Errors errors = new Errors();

  private Store<Layout> store(StorePersistence<Layout> persistence) {
    return Store.builder(Layout.DEFAULT)
        .name("layout")
        .callbackExecutor(VirtualTime.direct())
        .errorHandler(errors)
        .persistence(persistence)
        .build();
  }

  @Test
  void persistence_roundTrip_restoresTheLastWrittenStateAtBuild() throws IOException {
    Path file = dir.resolve("layout.json");
    Layout changed = new Layout("scenes", new Prefs(false, 14), List.of("chat", "timeline"));
    try (Store<Layout> store =
        store(StorePersistence.file(file, Layout.class).withWriteExecutor(Runnable::run))) {
      assertThat(file).doesNotExist(); // nothing changed yet, nothing written
      store.set(changed);
      // synchronous writes: the file is there as soon as set() returns
      assertThat(Files.readString(file)).contains("\"scenes\"").contains("\"timeline\"");
    }

    try (Store<Layout> restored = store(StorePersistence.file(file, Layout.class))) {
      assertThat(restored.get()).isEqualTo(changed);
    }
    assertThat(errors.reports).isEmpty();
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .containsExactly("layout.json"); // no temp file left behind
  }

  @Test
  void persistence_onTheStoresOwnThread_writesTheLatestStateByCloseAndStopsTheThread()
      throws IOException {
    Path file = dir.resolve("layout.json");
    Store<Layout> store = store(StorePersistence.file(file, Layout.class));
    for (int i = 0; i < 50; i++) {
      int n = i;
      store.update(l -> l.withView("view-" + n));
    }
    assertThat(persistThreads()).isNotEmpty();
    store.close();

    assertThat(persistThreads()).isEmpty();
    try (Store<Layout> restored = store(StorePersistence.file(file, Layout.class))) {
      assertThat(restored.get().view()).isEqualTo("view-49");
    }
    assertThat(errors.reports).isEmpty();
  }

  @Test
  void persistence_batch_writesOnceWithTheFinalState() throws IOException {
    Path file = dir.resolve("layout.json");
    List<String> written = new java.util.ArrayList<>();
    // An executor that records the file after each write it runs.
    StorePersistence<Layout> p =
        StorePersistence.file(file, Layout.class)
            .withWriteExecutor(
                task -> {
                  task.run();
                  try {
                    written.add(Files.readString(file));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    try (Store<Layout> store = store(p)) {
      store.batch(
          () -> {
            store.update(l -> l.withView("one"));
            store.update(l -> l.withView("two"));
          });
    }
    assertThat(written).singleElement().asString().contains("\"two\"").doesNotContain("\"one\"");
  }

  @Test
  void persistence_corruptFile_givesTheInitialState_reportsThePath_andKeepsTheContentAside()
      throws IOException {
    Path file = dir.resolve("layout.json");
    String corrupt = "{\"view\": \"scenes\", \"prefs\": {\"sidebarOpen\": tr";
    Files.writeString(file, corrupt);

    try (Store<Layout> store =
        store(StorePersistence.file(file, Layout.class).withWriteExecutor(Runnable::run))) {
      assertThat(store.get()).isEqualTo(Layout.DEFAULT);

      assertThat(errors.reports)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.context()).contains("store 'layout'");
                assertThat(r.error()).isInstanceOf(StorePersistenceException.class);
                StorePersistenceException e = (StorePersistenceException) r.error();
                assertThat(e.path()).isEqualTo(file);
                assertThat(e.getMessage())
                    .contains(file.toString())
                    .contains("layout.json.corrupt-1");
                assertThat(e.getCause()).isNotNull();
              });
      Path aside = dir.resolve("layout.json.corrupt-1");
      assertThat(Files.readString(aside)).isEqualTo(corrupt);
      assertThat(file).doesNotExist();

      // The store carries on and writes a fresh file; the corrupt copy stays as it was.
      store.update(l -> l.withView("scenes"));
      assertThat(Files.readString(file)).contains("\"scenes\"");
      assertThat(Files.readString(aside)).isEqualTo(corrupt);
    }
  }

  @Test
  void persistence_secondCorruptFile_isSetAsideUnderTheNextFreeNumber() throws IOException {
    Path file = dir.resolve("layout.json");
    Files.writeString(dir.resolve("layout.json.corrupt-1"), "older");
    Files.writeString(file, "null");

    try (Store<Layout> store = store(StorePersistence.file(file, Layout.class))) {
      assertThat(store.get()).isEqualTo(Layout.DEFAULT);
    }
    assertThat(Files.readString(dir.resolve("layout.json.corrupt-1"))).isEqualTo("older");
    assertThat(Files.readString(dir.resolve("layout.json.corrupt-2"))).isEqualTo("null");
    assertThat(errors.reports)
        .singleElement()
        .satisfies(r -> assertThat(r.error()).hasMessageContaining("corrupt-2"));
  }

  @Test
  void persistence_slice_writesOnlyTheSliceAndMergesItIntoTheInitialState() throws IOException {
    Path file = dir.resolve("prefs.json");
    StorePersistence<Layout> prefsOnly =
        StorePersistence.file(file, Prefs.class, Layout::prefs, Layout::withPrefs)
            .withWriteExecutor(Runnable::run);
    try (Store<Layout> store = store(prefsOnly)) {
      store.update(l -> l.withView("scenes").withPrefs(new Prefs(false, 16)));
      assertThat(Files.readString(file, StandardCharsets.UTF_8))
          .isEqualTo("{\"sidebarOpen\":false,\"fontSize\":16}");
    }

    try (Store<Layout> restored = store(prefsOnly)) {
      // the view is not persisted: it comes from the initial state; prefs come from the file
      assertThat(restored.get()).isEqualTo(Layout.DEFAULT.withPrefs(new Prefs(false, 16)));
      RecordingListener<Prefs> prefs = new RecordingListener<>();
      restored.select(Layout::prefs, prefs);
      assertThat(prefs.next()).isEqualTo(new Prefs(false, 16));
    }
    assertThat(errors.reports).isEmpty();
  }

  @Test
  void persistence_mergeThatThrows_isReportedLikeACorruptFileAndTheInitialStateUsed()
      throws IOException {
    Path file = dir.resolve("prefs.json");
    Files.writeString(file, "{\"sidebarOpen\":false,\"fontSize\":16}");
    StorePersistence<Layout> p =
        StorePersistence.file(
            file,
            Prefs.class,
            Layout::prefs,
            (Layout initial, Prefs saved) -> {
              throw new IllegalArgumentException("font size out of range");
            });
    try (Store<Layout> store = store(p)) {
      assertThat(store.get()).isEqualTo(Layout.DEFAULT);
    }
    assertThat(errors.reports)
        .singleElement()
        .satisfies(r -> assertThat(r.error()).hasMessageContaining("font size out of range"));
    assertThat(dir.resolve("prefs.json.corrupt-1")).exists();
  }

  @Test
  void persistence_genericStateByJavaType_roundTrips() {
    Path file = dir.resolve("toasts.json");
    JavaType type = TypeFactory.defaultInstance().constructCollectionType(List.class, String.class);
    StorePersistence<List<String>> p = StorePersistence.<List<String>>file(file, type);
    try (Store<List<String>> toasts =
        Store.<List<String>>builder(List.of()).name("toasts").persistence(p).build()) {
      toasts.update(l -> List.of("saved", "published"));
    }
    try (Store<List<String>> restored =
        Store.<List<String>>builder(List.of()).name("toasts").persistence(p).build()) {
      assertThat(restored.get()).containsExactly("saved", "published");
    }
  }

  private static Set<String> persistThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("quarry-store-layout-persist"))
        .collect(Collectors.toSet());
  }
}
