package dev.quarry.cache;

import com.fasterxml.jackson.databind.JavaType;
import dev.quarry.cache.internal.ReplaceEqualDeep;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Settings that apply to many queries: client-wide ({@code QueryClient.Builder.defaults}) or to
 * every key under a prefix ({@link QueryClient#setQueryDefaults}). Each setting is optional; an
 * unset one falls back to the next layer (explicit options, then matching per-key defaults in
 * registration order, then client defaults, then the built-in defaults, which are TanStack Query
 * v5's (staleTime 0, gcTime 5 minutes, 3 retries for observed queries and none for {@code
 * fetchQuery}, refetch on mount, reconnect and focus when stale)).
 *
 * <pre>{@code
 * QueryDefaults d = QueryDefaults.builder()
 *     .staleTime(Duration.ofMinutes(5)).gcTime(Duration.ofMinutes(30)).retry(3).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Bad values fail in the builder with an {@link
 * IllegalArgumentException} naming the option.
 */
public final class QueryDefaults {
  /** A gcTime that keeps queries forever (TanStack's {@code Infinity}). */
  public static final Duration NO_GC = ChronoUnit.FOREVER.getDuration();

  private static final QueryDefaults NONE = builder().build();

  private final @Nullable StaleTime staleTime;
  private final @Nullable Duration gcTime;
  private final @Nullable RetryPolicy retry;
  private final @Nullable BiFunction<Integer, Throwable, Duration> retryDelay;
  private final @Nullable Boolean enabled;
  private final @Nullable Predicate<? super QueryView> enabledWhen;
  private final @Nullable Duration refetchInterval;
  private final @Nullable Boolean refetchIntervalInBackground;
  private final @Nullable RefetchMode refetchOnMount;
  private final @Nullable RefetchMode refetchOnReconnect;
  private final @Nullable RefetchMode refetchOnWindowFocus;
  private final @Nullable Boolean retryOnMount;
  private final @Nullable NetworkMode networkMode;
  private final @Nullable JavaType dataType;
  private final @Nullable Boolean dehydrate;
  private final @Nullable BinaryOperator<Object> structuralSharing;

  QueryDefaults(SettingsBuilder<?> b) {
    staleTime = b.staleTime;
    gcTime = b.gcTime;
    retry = b.retry;
    retryDelay = b.retryDelay;
    enabled = b.enabled;
    enabledWhen = b.enabledWhen;
    refetchInterval = b.refetchInterval;
    refetchIntervalInBackground = b.refetchIntervalInBackground;
    refetchOnMount = b.refetchOnMount;
    refetchOnReconnect = b.refetchOnReconnect;
    refetchOnWindowFocus = b.refetchOnWindowFocus;
    retryOnMount = b.retryOnMount;
    networkMode = b.networkMode;
    dataType = b.dataType;
    dehydrate = b.dehydrate;
    structuralSharing = b.structuralSharing;
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Defaults that set nothing. */
  public static QueryDefaults none() {
    return NONE;
  }

  /** A builder holding these settings. */
  public Builder newBuilder() {
    Builder b = new Builder();
    b.copyFrom(this);
    return b;
  }

  /**
   * These defaults with every setting that {@code over} sets replaced by its value: the merge of
   * one layer over another.
   */
  public QueryDefaults overriddenBy(QueryDefaults over) {
    Objects.requireNonNull(over, "over");
    Builder b = newBuilder();
    b.staleTime = or(over.staleTime, staleTime);
    b.gcTime = or(over.gcTime, gcTime);
    b.retry = or(over.retry, retry);
    b.retryDelay = or(over.retryDelay, retryDelay);
    boolean overEnables = over.enabled != null || over.enabledWhen != null; // one setting, 2 forms
    b.enabled = overEnables ? over.enabled : enabled;
    b.enabledWhen = overEnables ? over.enabledWhen : enabledWhen;
    b.refetchInterval = or(over.refetchInterval, refetchInterval);
    b.refetchIntervalInBackground =
        or(over.refetchIntervalInBackground, refetchIntervalInBackground);
    b.refetchOnMount = or(over.refetchOnMount, refetchOnMount);
    b.refetchOnReconnect = or(over.refetchOnReconnect, refetchOnReconnect);
    b.refetchOnWindowFocus = or(over.refetchOnWindowFocus, refetchOnWindowFocus);
    b.retryOnMount = or(over.retryOnMount, retryOnMount);
    b.networkMode = or(over.networkMode, networkMode);
    b.dataType = or(over.dataType, dataType);
    b.dehydrate = or(over.dehydrate, dehydrate);
    b.structuralSharing = or(over.structuralSharing, structuralSharing);
    return b.build();
  }

  private static <V> @Nullable V or(@Nullable V first, @Nullable V second) {
    return first != null ? first : second;
  }

  /** The staleTime, if set. */
  public Optional<StaleTime> staleTime() {
    return Optional.ofNullable(staleTime);
  }

  /** The gcTime, if set. */
  public Optional<Duration> gcTime() {
    return Optional.ofNullable(gcTime);
  }

  /** The retry policy, if set. */
  public Optional<RetryPolicy> retry() {
    return Optional.ofNullable(retry);
  }

  /** The retry delay function, if set; it replaces the retry policy's delays. */
  public Optional<BiFunction<Integer, Throwable, Duration>> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /** Whether observers are enabled, if set as a plain value (empty when set as a predicate). */
  public Optional<Boolean> enabled() {
    return Optional.ofNullable(enabled);
  }

  /**
   * The predicate that decides, from the query, whether observers are enabled, if {@code enabled}
   * was set as one (see {@link Builder#enabled(Predicate)}).
   */
  public Optional<Predicate<? super QueryView>> enabledWhen() {
    return Optional.ofNullable(enabledWhen);
  }

  /** The refetch interval, if set. */
  public Optional<Duration> refetchInterval() {
    return Optional.ofNullable(refetchInterval);
  }

  /** Whether the interval runs in the background, if set. */
  public Optional<Boolean> refetchIntervalInBackground() {
    return Optional.ofNullable(refetchIntervalInBackground);
  }

  /** Refetch on mount, if set. */
  public Optional<RefetchMode> refetchOnMount() {
    return Optional.ofNullable(refetchOnMount);
  }

  /** Refetch on reconnect, if set. */
  public Optional<RefetchMode> refetchOnReconnect() {
    return Optional.ofNullable(refetchOnReconnect);
  }

  /** Refetch on focus, if set. */
  public Optional<RefetchMode> refetchOnWindowFocus() {
    return Optional.ofNullable(refetchOnWindowFocus);
  }

  /** Retry on mount, if set. */
  public Optional<Boolean> retryOnMount() {
    return Optional.ofNullable(retryOnMount);
  }

  /** The network mode, if set. */
  public Optional<NetworkMode> networkMode() {
    return Optional.ofNullable(networkMode);
  }

  /** The data's Jackson type for hydration, if set. */
  public Optional<JavaType> dataType() {
    return Optional.ofNullable(dataType);
  }

  /** Whether the query is dehydrated, if set. */
  public Optional<Boolean> dehydrate() {
    return Optional.ofNullable(dehydrate);
  }

  /**
   * The structural sharing, if set: the function of the old and the new data that gives the data to
   * store (see {@link Builder#structuralSharing(BinaryOperator)}).
   */
  public Optional<BinaryOperator<Object>> structuralSharing() {
    return Optional.ofNullable(structuralSharing);
  }

  @Nullable StaleTime staleTimeOrNull() {
    return staleTime;
  }

  @Nullable Duration gcTimeOrNull() {
    return gcTime;
  }

  @Nullable RetryPolicy retryOrNull() {
    return retry;
  }

  @Nullable BiFunction<Integer, Throwable, Duration> retryDelayOrNull() {
    return retryDelay;
  }

  @Nullable Boolean enabledOrNull() {
    return enabled;
  }

  @Nullable Predicate<? super QueryView> enabledWhenOrNull() {
    return enabledWhen;
  }

  @Nullable Duration refetchIntervalOrNull() {
    return refetchInterval;
  }

  @Nullable Boolean refetchIntervalInBackgroundOrNull() {
    return refetchIntervalInBackground;
  }

  @Nullable RefetchMode refetchOnMountOrNull() {
    return refetchOnMount;
  }

  @Nullable RefetchMode refetchOnReconnectOrNull() {
    return refetchOnReconnect;
  }

  @Nullable RefetchMode refetchOnWindowFocusOrNull() {
    return refetchOnWindowFocus;
  }

  @Nullable Boolean retryOnMountOrNull() {
    return retryOnMount;
  }

  @Nullable NetworkMode networkModeOrNull() {
    return networkMode;
  }

  @Nullable JavaType dataTypeOrNull() {
    return dataType;
  }

  @Nullable Boolean dehydrateOrNull() {
    return dehydrate;
  }

  @Nullable BinaryOperator<Object> structuralSharingOrNull() {
    return structuralSharing;
  }

  @Override
  public String toString() {
    return "QueryDefaults{staleTime="
        + staleTime
        + ", gcTime="
        + gcTime
        + ", retry="
        + retry
        + ", enabled="
        + (enabledWhen != null ? "<predicate>" : enabled)
        + ", networkMode="
        + networkMode
        + "}";
  }

  /** Builds {@link QueryDefaults}; not thread-safe. */
  public static final class Builder extends SettingsBuilder<Builder> {
    Builder() {}

    /**
     * Whether new data is structurally shared with the data already cached (default {@code true}):
     * every part equal to the old one keeps the old instance, and data equal to the old data as a
     * whole is the old instance, so observers can compare by reference and are not told of data
     * that did not change. {@code false} stores every new instance as it came. See {@link
     * QueryOptions#replaceEqualDeep} for what is walked.
     */
    public Builder structuralSharing(boolean enabled) {
      this.structuralSharing = enabled ? ReplaceEqualDeep.FUNCTION : ReplaceEqualDeep.NONE;
      return this;
    }

    /**
     * Replaces structural sharing with {@code sharing.apply(old, new)}, which returns the data to
     * store: {@code old} itself means "unchanged". It receives the data of every query these
     * defaults apply to, so it must return {@code old}, {@code new} or a value of the same type; it
     * runs on the thread that completed the fetch or called {@code setQueryData}, outside the
     * cache's locks, and must not return {@code null}. An exception from it fails the fetch (or is
     * thrown by {@code setQueryData}). {@link QueryOptions#replaceEqualDeep} is the default, which
     * a function may call for the cases it does not handle itself.
     */
    public Builder structuralSharing(BinaryOperator<Object> sharing) {
      this.structuralSharing = Objects.requireNonNull(sharing, "structuralSharing");
      return this;
    }

    /** The defaults. */
    public QueryDefaults build() {
      return new QueryDefaults(this);
    }
  }
}
