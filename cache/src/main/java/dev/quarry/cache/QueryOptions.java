package dev.quarry.cache;

import dev.quarry.core.QueryKey;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Everything about one query: its key, its function and its settings (TanStack's {@code
 * QueryOptions}). Settings left unset come from per-key and client defaults ({@link
 * QueryDefaults}).
 *
 * <pre>{@code
 * QueryOptions<List<Episode>> episodes = QueryOptions.<List<Episode>>builder(
 *         QueryKey.of("episodes", projectId),
 *         ctx -> ctx.http().get("projects/" + projectId + "/episodes", EPISODES))
 *     .staleTime(Duration.ofMinutes(5))
 *     .placeholderData(List.of())
 *     .build();
 * }</pre>
 *
 * <p><b>Change detection.</b> When new data {@code equals} the data already cached, the old
 * instance is kept and nobody is notified (TanStack's structural sharing at the top level). {@link
 * Builder#structuralSharing(BinaryOperator)} replaces this with a function of the old and new data.
 *
 * <p>Immutable and thread-safe; {@link #newBuilder()} derives variants. Bad values fail in the
 * builder with an {@link IllegalArgumentException} naming the option.
 *
 * @param <T> the data type
 */
public final class QueryOptions<T> {
  private final QueryKey key;
  private final QueryFunction<T> function;
  private final QueryDefaults settings;
  private final @Nullable Supplier<? extends @Nullable T> initialData;
  private final @Nullable Long initialDataUpdatedAt;
  private final @Nullable UnaryOperator<Optional<T>> placeholderData;
  private final @Nullable BinaryOperator<T> structuralSharing;

  private QueryOptions(Builder<T> b) {
    this.key = b.key;
    this.function = b.function;
    this.settings = b.settings();
    this.initialData = b.initialData;
    this.initialDataUpdatedAt = b.initialDataUpdatedAt;
    this.placeholderData = b.placeholderData;
    this.structuralSharing = b.structuralSharing;
  }

  /** Options with the given key and function and nothing else set. */
  public static <T> QueryOptions<T> of(QueryKey key, QueryFunction<T> function) {
    return builder(key, function).build();
  }

  /** A builder for the given key and function. */
  public static <T> Builder<T> builder(QueryKey key, QueryFunction<T> function) {
    return new Builder<>(key, function);
  }

  /** A builder holding these options. */
  public Builder<T> newBuilder() {
    Builder<T> b = new Builder<>(key, function);
    b.copyFrom(settings);
    b.initialData = initialData;
    b.initialDataUpdatedAt = initialDataUpdatedAt;
    b.placeholderData = placeholderData;
    b.structuralSharing = structuralSharing;
    return b;
  }

  /** The key. */
  public QueryKey key() {
    return key;
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

  /** The custom change detection, if any (see the class documentation). */
  public Optional<BinaryOperator<T>> structuralSharing() {
    return Optional.ofNullable(structuralSharing);
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
    private QueryFunction<T> function;
    private @Nullable Supplier<? extends @Nullable T> initialData;
    private @Nullable Long initialDataUpdatedAt;
    private @Nullable UnaryOperator<Optional<T>> placeholderData;
    private @Nullable BinaryOperator<T> structuralSharing;

    Builder(QueryKey key, QueryFunction<T> function) {
      this.key = Objects.requireNonNull(key, "key");
      this.function = Objects.requireNonNull(function, "function");
    }

    /** Replaces the key. */
    public Builder<T> key(QueryKey key) {
      this.key = Objects.requireNonNull(key, "key");
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
     * Replaces change detection: {@code sharing.apply(old, new)} returns the data to store;
     * returning {@code old} (the same instance) means "unchanged".
     */
    public Builder<T> structuralSharing(BinaryOperator<T> sharing) {
      this.structuralSharing = Objects.requireNonNull(sharing, "structuralSharing");
      return this;
    }

    /** Turns change detection off ({@code false}: every fetch stores the new instance). */
    public Builder<T> structuralSharing(boolean enabled) {
      this.structuralSharing = enabled ? null : (old, fresh) -> fresh;
      return this;
    }

    /** The options. */
    public QueryOptions<T> build() {
      return new QueryOptions<>(this);
    }
  }
}
