package dev.quarry.cache;

import dev.quarry.cache.internal.ReplaceEqualDeep;
import dev.quarry.core.QueryKey;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonType;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Everything about one query: its key, its function and its settings (TanStack's {@code
 * QueryOptions}). Settings left unset come from per-key and client defaults ({@link
 * QueryDefaults}).
 *
 * <pre>{@code
 * QueryOptions<List<Episode>> episodes = QueryOptions.builder(
 *         QueryKey.of("episodes", projectId),
 *         ctx -> ctx.http().get("projects/" + projectId + "/episodes", EPISODES))
 *     .staleTime(Duration.ofMinutes(5))
 *     .placeholderData(List.of())
 *     .build();
 * }</pre>
 *
 * <p><b>Typed keys</b> (TanStack's {@code queryOptions()}). Built from a {@link TypedKey}, the
 * options carry their data type: {@code getQueryData(options)} and the other typed methods of the
 * clients and the facade infer it and check what they read against it ({@link #typedKey()}).
 *
 * <pre>{@code
 * static final TypedKey<List<Episode>> EPISODES_OF_P1 = TypedKey.of(EPISODES, "episodes", "p1");
 * var episodes = QueryOptions.of(EPISODES_OF_P1, ctx -> ctx.http().get("projects/p1/episodes", EPISODES));
 * Optional<List<Episode>> cached = client.getQueryData(episodes);
 * }</pre>
 *
 * <p><b>Structural sharing.</b> When a fetch or {@code setQueryData} brings new data, the data
 * stored keeps the instance of every part that is equal to the part at the same place in the data
 * already cached, and is the old instance itself when nothing changed ({@link #replaceEqualDeep}).
 * Observers can therefore compare data by reference, and one whose result did not change is not
 * notified. {@link Builder#structuralSharing(boolean)} turns this off; {@link
 * Builder#structuralSharing(BinaryOperator)} replaces it with a function of the old and new data;
 * both can also be set in {@link QueryDefaults}.
 *
 * <p>Immutable and thread-safe; {@link #newBuilder()} derives variants. Bad values fail in the
 * builder with an {@link IllegalArgumentException} naming the option.
 *
 * @param <T> the data type
 */
public final class QueryOptions<T> {
  private final QueryKey key;
  private final @Nullable TypedKey<T> typedKey;
  private final QueryFunction<T> function;
  private final QueryDefaults settings;
  private final @Nullable Supplier<? extends @Nullable T> initialData;
  private final @Nullable Long initialDataUpdatedAt;
  private final @Nullable UnaryOperator<Optional<T>> placeholderData;
  private final @Nullable Set<ResultProperty> notifyOnChangeProps;

  private QueryOptions(Builder<T> b) {
    this.key = b.key;
    JsonType<T> type = b.dataType;
    this.typedKey = type == null ? null : TypedKey.of(b.key, type);
    this.function = b.function;
    this.settings = b.settings();
    this.initialData = b.initialData;
    this.initialDataUpdatedAt = b.initialDataUpdatedAt;
    this.placeholderData = b.placeholderData;
    this.notifyOnChangeProps = b.notifyOnChangeProps;
  }

  /** Options with the given key and function and nothing else set. */
  public static <T> QueryOptions<T> of(QueryKey key, QueryFunction<T> function) {
    return builder(key, function).build();
  }

  /**
   * Options with the given typed key and function and nothing else set; the data type comes from
   * the key (see {@link #typedKey()}).
   */
  public static <T> QueryOptions<T> of(TypedKey<T> key, QueryFunction<T> function) {
    return builder(key, function).build();
  }

  /** A builder for the given key and function. */
  public static <T> Builder<T> builder(QueryKey key, QueryFunction<T> function) {
    return new Builder<>(key, function);
  }

  /** A builder for the given typed key and function; see {@link #typedKey()}. */
  public static <T> Builder<T> builder(TypedKey<T> key, QueryFunction<T> function) {
    return new Builder<>(key.key(), function).key(key);
  }

  /** A builder holding these options. */
  public Builder<T> newBuilder() {
    Builder<T> b = new Builder<>(key, function);
    TypedKey<T> typed = typedKey;
    b.dataType = typed == null ? null : typed.type();
    b.copyFrom(settings);
    b.initialData = initialData;
    b.initialDataUpdatedAt = initialDataUpdatedAt;
    b.placeholderData = placeholderData;
    b.notifyOnChangeProps = notifyOnChangeProps;
    return b;
  }

  /** The key. */
  public QueryKey key() {
    return key;
  }

  /**
   * The key with its data type, when the options were built from a {@link TypedKey}; empty for
   * options built from a plain {@link QueryKey}, whose data type exists only at compile time.
   * Methods that take options ({@code getQueryData(options)} ...) check the data they read against
   * it when it is present.
   */
  public Optional<TypedKey<T>> typedKey() {
    return Optional.ofNullable(typedKey);
  }

  /**
   * {@code data} as this query's data: checked with {@link TypedKey#cast} when the options have a
   * typed key, otherwise cast unchecked (the options' type comes from their function).
   *
   * @throws ClassCastException if the options have a typed key and {@code data} is not of its type,
   *     naming the key and both types
   */
  @SuppressWarnings("unchecked") // unchecked only for options without a typed key, as documented
  public T castData(Object data) {
    TypedKey<T> typed = typedKey;
    return typed == null ? (T) data : typed.cast(data);
  }

  /** The query function. */
  public QueryFunction<T> function() {
    return function;
  }

  /** The settings set explicitly on these options. */
  public QueryDefaults settings() {
    return settings;
  }

  /**
   * The initial data, computed by calling the supplier (once per query creation). Empty if none is
   * configured or the supplier returned {@code null}.
   */
  public Optional<T> initialData() {
    Supplier<? extends @Nullable T> s = initialData;
    return s == null ? Optional.empty() : Optional.ofNullable(s.get());
  }

  /** Whether initial data is configured. */
  public boolean hasInitialData() {
    return initialData != null;
  }

  /** When the initial data was fetched, epoch ms (default: when the query is created). */
  public Optional<Long> initialDataUpdatedAt() {
    return Optional.ofNullable(initialDataUpdatedAt);
  }

  /** The placeholder function: from the observer's previous data to the placeholder. */
  public Optional<UnaryOperator<Optional<T>>> placeholderData() {
    return Optional.ofNullable(placeholderData);
  }

  /**
   * The structural sharing set on these options ({@code true}, {@code false} or a function), if
   * any; unset, the defaults' applies (see the class documentation).
   */
  @SuppressWarnings("unchecked") // set through the typed builder methods only
  public Optional<BinaryOperator<T>> structuralSharing() {
    return settings.structuralSharing().map(f -> (BinaryOperator<T>) (BinaryOperator<?>) f);
  }

  /**
   * Structural sharing as TanStack Query's {@code replaceEqualDeep}: {@code old} if {@code fresh}
   * is deeply equal to it, otherwise {@code fresh} with every deeply equal part replaced by the
   * instance at the same place in {@code old}. Neither argument is modified: where a container
   * holds both kept and new parts, a new container is built. This is the default structural sharing
   * of every query; a custom function may call it for the cases it does not handle.
   *
   * <p>What is walked, when the old and new parts are of the same kind:
   *
   * <ul>
   *   <li>{@link java.util.List}: element by element at the same index, in linear time. A rebuilt
   *       list has the new list's class when it is an {@code ArrayList} or a {@code LinkedList},
   *       and is an unmodifiable list when the new one is a JDK list whose class is not public
   *       ({@code List.of}, {@code Collections.unmodifiableList}, {@code Arrays.asList}); a list of
   *       another class is stored as it came unless it is the old one unchanged.
   *   <li>{@link java.util.Map}: value by value for each key, in the new map's order. A rebuilt map
   *       has the new map's class when it is a {@code LinkedHashMap}, {@code HashMap} or {@code
   *       TreeMap} (same comparator), and is an unmodifiable map in the new map's order when the
   *       new one is a JDK map whose class is not public ({@code Map.of}, {@code
   *       Collections.unmodifiableMap}); a map of another class is stored as it came unless it is
   *       the old one unchanged. A {@code LinkedHashMap} whose keys came in a new order is not the
   *       old one.
   *   <li>Jackson {@code ObjectNode} (field by field, order included) and {@code ArrayNode} (index
   *       by index); a rebuilt node comes from the new node's factory. Value nodes are compared
   *       with {@code equals}.
   *   <li>Records of the same class: the old record if it {@code equals} the new one (the record's
   *       own definition of "unchanged"), else component by component; a new record is built with
   *       the canonical constructor only when some components changed and others did not. A record
   *       whose class reflection may not access (a package that a named module does not open) is
   *       compared whole with {@code equals}; if the canonical constructor refuses the mix of old
   *       and new components, the new record is stored as it came. A constructor that copies its
   *       arguments keeps the instances of the elements, not of the collection.
   *   <li>Anything else: {@code old} if {@code old.equals(fresh)}, else {@code fresh}.
   * </ul>
   *
   * <p>Bounded: beyond 500 nested levels the rest of a branch is compared whole with {@code
   * equals}, and kept as it came if even that runs out of stack (a pathologically deep or cyclic
   * value). Stateless and thread-safe.
   *
   * @param old the data already cached
   * @param fresh the new data
   * @return {@code old}, {@code fresh} or a value built from parts of both; never {@code null}
   * @throws NullPointerException if an argument is {@code null}
   * @throws RuntimeException what an {@code equals} or a record accessor of the data threw
   */
  public static <T> T replaceEqualDeep(T old, T fresh) {
    return ReplaceEqualDeep.share(old, fresh);
  }

  /**
   * The result properties whose change notifies an observer's listeners, or empty for every change
   * (see {@link Builder#notifyOnChangeProps}).
   */
  public Optional<Set<ResultProperty>> notifyOnChangeProps() {
    return Optional.ofNullable(notifyOnChangeProps);
  }

  /**
   * The predicate that decides, from the query, whether observers with these options are enabled
   * (see {@link Builder#enabled(Predicate)}); empty when {@code enabled} is a plain value.
   */
  public Optional<Predicate<? super QueryView>> enabledWhen() {
    return settings.enabledWhen();
  }

  @Override
  public String toString() {
    return "QueryOptions{key=" + key + ", " + settings + "}";
  }

  /**
   * Builds {@link QueryOptions}; not thread-safe.
   *
   * @param <T> the data type
   */
  public static final class Builder<T> extends SettingsBuilder<Builder<T>> {
    private QueryKey key;
    private @Nullable JsonType<T> dataType;
    private QueryFunction<T> function;
    private @Nullable Supplier<? extends @Nullable T> initialData;
    private @Nullable Long initialDataUpdatedAt;
    private @Nullable UnaryOperator<Optional<T>> placeholderData;
    private @Nullable Set<ResultProperty> notifyOnChangeProps;

    Builder(QueryKey key, QueryFunction<T> function) {
      this.key = Objects.requireNonNull(key, "key");
      this.function = Objects.requireNonNull(function, "function");
    }

    /**
     * Replaces the key; a data type set by {@link #key(TypedKey)} is kept, as it describes the
     * data, not the key.
     */
    public Builder<T> key(QueryKey key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /** Replaces the key and the data type with those of {@code key}. */
    public Builder<T> key(TypedKey<T> key) {
      Objects.requireNonNull(key, "key");
      this.key = key.key();
      this.dataType = key.type();
      return this;
    }

    /** Replaces the function. */
    public Builder<T> function(QueryFunction<T> function) {
      this.function = Objects.requireNonNull(function, "function");
      return this;
    }

    /** Data the query starts with when it is created (status success, 0 updates). */
    public Builder<T> initialData(T data) {
      Objects.requireNonNull(data, "initialData");
      this.initialData = () -> data;
      return this;
    }

    /** Computes the initial data when the query is created; {@code null} means none. */
    public Builder<T> initialData(Supplier<? extends @Nullable T> supplier) {
      this.initialData = Objects.requireNonNull(supplier, "initialData");
      return this;
    }

    /**
     * When the initial data was fetched, epoch ms; {@code 0} is honoured (stale at once).
     *
     * @throws IllegalArgumentException if negative, naming {@code initialDataUpdatedAt}
     */
    public Builder<T> initialDataUpdatedAt(long epochMillis) {
      if (epochMillis < 0) {
        throw new IllegalArgumentException(
            "initialDataUpdatedAt must not be negative but was " + epochMillis);
      }
      this.initialDataUpdatedAt = epochMillis;
      return this;
    }

    /** Shown by observers while the query is pending; never written to the cache. */
    public Builder<T> placeholderData(T placeholder) {
      Objects.requireNonNull(placeholder, "placeholderData");
      this.placeholderData = previous -> Optional.of(placeholder);
      return this;
    }

    /**
     * Computes the placeholder from the data the observer showed before (empty at first); an empty
     * result means no placeholder.
     */
    public Builder<T> placeholderData(UnaryOperator<Optional<T>> placeholder) {
      this.placeholderData = Objects.requireNonNull(placeholder, "placeholderData");
      return this;
    }

    /**
     * Replaces structural sharing: {@code sharing.apply(old, new)} returns the data to store, and
     * returning {@code old} (the same instance) means "unchanged". It runs when a fetch succeeds or
     * {@code setQueryData} is called on data already cached, on that thread and outside the cache's
     * locks, and must not return {@code null}. An exception from it fails the fetch (or is thrown
     * by {@code setQueryData}). It may call {@link QueryOptions#replaceEqualDeep}.
     */
    @SuppressWarnings("unchecked") // the query's data is a T: the function only ever sees Ts
    public Builder<T> structuralSharing(BinaryOperator<T> sharing) {
      Objects.requireNonNull(sharing, "structuralSharing");
      this.structuralSharing = (BinaryOperator<Object>) (BinaryOperator<?>) sharing;
      return this;
    }

    /**
     * Whether new data is structurally shared with the data already cached ({@code true}, the
     * default, see {@link QueryOptions#replaceEqualDeep}); {@code false} stores every new instance
     * as it came, so every successful fetch gives observers a new instance.
     */
    public Builder<T> structuralSharing(boolean enabled) {
      this.structuralSharing = enabled ? ReplaceEqualDeep.FUNCTION : ReplaceEqualDeep.NONE;
      return this;
    }

    /**
     * Notifies an observer's listeners only when one of {@code properties} changed between two
     * results (TanStack's {@code notifyOnChangeProps} with a list). The observer's {@link
     * QueryObserver#currentResult()} still follows every change, and a new listener still gets the
     * current result first. No argument: listeners get only that first result. Not set (the
     * default): every changed result is delivered, like TanStack's {@code 'all'}; Java has no
     * property tracking, so there is no {@code 'tracked'} mode.
     *
     * <pre>{@code
     * QueryOptions.builder(key, fn)
     *     .notifyOnChangeProps(ResultProperty.DATA, ResultProperty.ERROR)
     *     .build();
     * }</pre>
     */
    public Builder<T> notifyOnChangeProps(ResultProperty... properties) {
      EnumSet<ResultProperty> set = EnumSet.noneOf(ResultProperty.class);
      for (ResultProperty p : properties) {
        set.add(Objects.requireNonNull(p, "notifyOnChangeProps element"));
      }
      this.notifyOnChangeProps = Collections.unmodifiableSet(set);
      return this;
    }

    /** Back to the default: listeners get every changed result. */
    public Builder<T> notifyOnAllChanges() {
      this.notifyOnChangeProps = null;
      return this;
    }

    /** The options. */
    public QueryOptions<T> build() {
      return new QueryOptions<>(this);
    }
  }
}
