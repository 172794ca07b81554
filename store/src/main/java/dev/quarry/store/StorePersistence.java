package dev.quarry.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Store} keeps its state (or a slice of it) in a JSON file across runs, like Zustand's
 * {@code persist} middleware. An immutable value: the {@code with...} methods return changed
 * copies.
 *
 * <pre>{@code
 * // The whole state:
 * StorePersistence<Layout> whole = StorePersistence.file(dir.resolve("layout.json"), Layout.class);
 * // Only the user's preferences, merged into the initial state at start-up:
 * StorePersistence<Layout> prefs = StorePersistence.file(dir.resolve("layout.json"),
 *     Prefs.class, Layout::prefs, (initial, saved) -> initial.withPrefs(saved));
 * Store<Layout> layout = Store.builder(Layout.DEFAULT).name("layout").persistence(prefs).build();
 * }</pre>
 *
 * <p><b>Restoring.</b> At {@link Store.Builder#build()}, if the file exists it is decoded with
 * Jackson and merged into the initial state ({@code merge(initial, persisted)}; the whole-state
 * form just takes the persisted state). A missing file means the initial state. A file that cannot
 * be read or decoded, decodes to JSON {@code null}, or whose merge throws, is reported to the
 * store's error handler as a {@link StorePersistenceException} naming the path, is renamed to
 * {@code <file>.corrupt-<n>} (the first free {@code n} from 1) so its content is kept, and the
 * initial state is used. If it cannot be set aside, the store does not write the file at all (it
 * never overwrites content it could not read) and says so in the report.
 *
 * <p><b>Writing.</b> After each change (once per {@link Store#batch batch}), the slice is encoded
 * and, if its JSON differs from what was last written, written to {@code <file>.tmp}, forced to
 * disk and moved over the file with {@code ATOMIC_MOVE}, so a crash leaves either the old or the
 * new content. Writes run on the write executor: by default a daemon thread {@code
 * quarry-store-<name>-persist-...} owned by the store; changes that arrive while a write is in
 * progress are coalesced into one write of the latest state. {@link Store#close()} waits for that
 * thread and writes the final state before returning. Pass {@code Runnable::run} to {@link
 * #withWriteExecutor} to write synchronously on the thread that made the change (after the change
 * is visible, outside any lock). A failed write is reported and the store keeps running.
 *
 * <p><b>Threads and errors.</b> {@code partialize} runs on the write executor and {@code merge} on
 * the thread that calls {@code build()}; both must be pure and fast; an exception from either is
 * reported like a corrupt file (for {@code merge}) or a failed write (for {@code partialize}). The
 * default {@link ObjectMapper} ignores unknown properties, so a file written by an older or newer
 * version of a record still restores.
 *
 * @param <S> the store's state type
 */
public final class StorePersistence<S> {
  private final Path path;
  private final Codec<S, ?> codec;
  private final @Nullable ObjectMapper mapper;
  private final @Nullable Executor writeExecutor;

  private StorePersistence(
      Path path, Codec<S, ?> codec, @Nullable ObjectMapper mapper, @Nullable Executor executor) {
    this.path = path;
    this.codec = codec;
    this.mapper = mapper;
    this.writeExecutor = executor;
  }

  /** Persists the whole state as JSON in {@code file}, decoded as {@code stateType}. */
  public static <S> StorePersistence<S> file(Path file, Class<S> stateType) {
    Objects.requireNonNull(stateType, "stateType");
    return new StorePersistence<>(
        checked(file),
        new Codec<S, S>(m -> m.constructType(stateType), s -> s, (initial, saved) -> saved),
        null,
        null);
  }

  /**
   * Persists the whole state as JSON in {@code file}, decoded as {@code stateType} (for generic
   * state types, e.g. {@code mapper.getTypeFactory().constructParametricType(...)}).
   */
  public static <S> StorePersistence<S> file(Path file, JavaType stateType) {
    Objects.requireNonNull(stateType, "stateType");
    return new StorePersistence<>(
        checked(file),
        new Codec<S, S>(m -> stateType, s -> s, (initial, saved) -> saved),
        null,
        null);
  }

  /**
   * Persists a slice of the state: {@code partialize} picks what is written (decoded back as {@code
   * sliceType}), {@code merge} combines the initial state with the slice read at start-up.
   */
  public static <S, P> StorePersistence<S> file(
      Path file,
      Class<P> sliceType,
      Function<? super S, ? extends P> partialize,
      BiFunction<? super S, ? super P, ? extends S> merge) {
    Objects.requireNonNull(sliceType, "sliceType");
    return new StorePersistence<>(
        checked(file),
        new Codec<S, P>(
            m -> m.constructType(sliceType),
            Objects.requireNonNull(partialize, "partialize"),
            Objects.requireNonNull(merge, "merge")),
        null,
        null);
  }

  /** A copy that encodes and decodes with {@code mapper} instead of the default one. */
  public StorePersistence<S> withObjectMapper(ObjectMapper mapper) {
    return new StorePersistence<>(
        path, codec, Objects.requireNonNull(mapper, "mapper"), writeExecutor);
  }

  /**
   * A copy that writes on {@code executor} instead of a thread of the store's own; {@code
   * Runnable::run} writes synchronously on the thread that made the change.
   */
  public StorePersistence<S> withWriteExecutor(Executor executor) {
    return new StorePersistence<>(
        path, codec, mapper, Objects.requireNonNull(executor, "executor"));
  }

  /** The file (absolute). */
  public Path path() {
    return path;
  }

  ObjectMapper mapper() {
    return mapper != null ? mapper : DefaultMapper.INSTANCE;
  }

  @Nullable Executor writeExecutor() {
    return writeExecutor;
  }

  byte[] encode(S state) throws IOException {
    return codec.encode(mapper(), state);
  }

  S decode(S initial, byte[] json) throws IOException {
    return codec.decode(mapper(), initial, json);
  }

  @Override
  public String toString() {
    return "StorePersistence[" + path + "]";
  }

  private static Path checked(Path file) {
    Objects.requireNonNull(file, "file");
    Path abs = file.toAbsolutePath().normalize();
    if (abs.getFileName() == null || abs.getParent() == null) {
      throw new IllegalArgumentException("persistence file must name a file, got: " + file);
    }
    return abs;
  }

  /** The partialize/merge pair, keeping the slice type {@code P} together. */
  private static final class Codec<S, P> {
    private final Function<ObjectMapper, JavaType> type;
    private final Function<? super S, ? extends P> partialize;
    private final BiFunction<? super S, ? super P, ? extends S> merge;

    Codec(
        Function<ObjectMapper, JavaType> type,
        Function<? super S, ? extends P> partialize,
        BiFunction<? super S, ? super P, ? extends S> merge) {
      this.type = type;
      this.partialize = partialize;
      this.merge = merge;
    }

    byte[] encode(ObjectMapper mapper, S state) throws IOException {
      return mapper.writeValueAsBytes(partialize.apply(state));
    }

    S decode(ObjectMapper mapper, S initial, byte[] json) throws IOException {
      @Nullable P saved = mapper.readValue(json, type.apply(mapper));
      if (saved == null) {
        throw new IOException("the file holds JSON null");
      }
      S merged = merge.apply(initial, saved);
      if (merged == null) {
        throw new IOException("merge returned null");
      }
      return merged;
    }
  }

  private static final class DefaultMapper {
    static final ObjectMapper INSTANCE =
        new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
