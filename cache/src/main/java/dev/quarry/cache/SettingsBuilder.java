package dev.quarry.cache;

import com.fasterxml.jackson.databind.JavaType;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The settings shared by {@link QueryDefaults}, {@link QueryOptions} and {@link
 * InfiniteQueryOptions} builders. A setting never set falls back to the next layer: per-key
 * defaults, then client defaults, then the built-in defaults, which are TanStack Query v5's
 * (staleTime 0, gcTime 5 minutes, 3 retries for observed queries and none for {@code fetchQuery},
 * refetch on mount, reconnect and focus when stale).
 *
 * @param <B> the concrete builder
 */
abstract class SettingsBuilder<B extends SettingsBuilder<B>> {
  @Nullable StaleTime staleTime;
  @Nullable Duration gcTime;
  @Nullable RetryPolicy retry;
  @Nullable BiFunction<Integer, Throwable, Duration> retryDelay;
  @Nullable Boolean enabled;
  // Set instead of enabled when enabled is a function of the query: a layer sets one or the other.
  @Nullable Predicate<? super QueryView> enabledWhen;
  @Nullable Duration refetchInterval;
  @Nullable Boolean refetchIntervalInBackground;
  @Nullable RefetchMode refetchOnMount;
  @Nullable RefetchMode refetchOnReconnect;
  @Nullable RefetchMode refetchOnWindowFocus;
  @Nullable Boolean retryOnMount;
  @Nullable NetworkMode networkMode;
  @Nullable JavaType dataType;
  @Nullable Boolean dehydrate;
  // Set by the builders that offer it (typed in QueryOptions, untyped in QueryDefaults).
  @Nullable BinaryOperator<Object> structuralSharing;

  SettingsBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  void copyFrom(QueryDefaults d) {
    staleTime = d.staleTimeOrNull();
    gcTime = d.gcTimeOrNull();
    retry = d.retryOrNull();
    retryDelay = d.retryDelayOrNull();
    enabled = d.enabledOrNull();
    enabledWhen = d.enabledWhenOrNull();
    refetchInterval = d.refetchIntervalOrNull();
    refetchIntervalInBackground = d.refetchIntervalInBackgroundOrNull();
    refetchOnMount = d.refetchOnMountOrNull();
    refetchOnReconnect = d.refetchOnReconnectOrNull();
    refetchOnWindowFocus = d.refetchOnWindowFocusOrNull();
    retryOnMount = d.retryOnMountOrNull();
    networkMode = d.networkModeOrNull();
    dataType = d.dataTypeOrNull();
    dehydrate = d.dehydrateOrNull();
    structuralSharing = d.structuralSharingOrNull();
  }

  QueryDefaults settings() {
    return new QueryDefaults(this);
  }

  /**
   * How long data stays fresh (default 0: stale at once).
   *
   * @throws IllegalArgumentException if negative, naming {@code staleTime}
   */
  public B staleTime(Duration staleTime) {
    this.staleTime = StaleTime.of(staleTime);
    return self();
  }

  /** How long data stays fresh: a duration, {@link StaleTime#never()} or {@code static}. */
  public B staleTime(StaleTime staleTime) {
    this.staleTime = Objects.requireNonNull(staleTime, "staleTime");
    return self();
  }

  /**
   * How long data stays fresh, computed from the query each time staleness is checked (TanStack's
   * {@code staleTime} function); see {@link StaleTime#computed}.
   *
   * <pre>{@code
   * .staleTime(q -> q.state().isInvalidated() ? Duration.ZERO : Duration.ofMinutes(5))
   * }</pre>
   */
  public B staleTime(Function<? super QueryView, Duration> staleTime) {
    this.staleTime = StaleTime.computed(staleTime);
    return self();
  }

  /**
   * How long an unobserved, idle query stays cached (default 5 minutes); {@link
   * QueryDefaults#NO_GC} keeps it forever. A query keeps the longest gcTime it has seen.
   *
   * @throws IllegalArgumentException if negative, naming {@code gcTime}
   */
  public B gcTime(Duration gcTime) {
    Objects.requireNonNull(gcTime, "gcTime");
    if (gcTime.isNegative()) {
      throw new IllegalArgumentException("gcTime must not be negative but was " + gcTime);
    }
    this.gcTime = gcTime;
    return self();
  }

  /**
   * The retry policy, with its delays (default {@code RetryPolicy.times(3)} for observed queries
   * and never for {@code fetchQuery}, delays {@code min(1000 * 2^n, 30000)} ms).
   */
  public B retry(RetryPolicy retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return self();
  }

  /**
   * Retries up to {@code retries} times with the default delays.
   *
   * @throws IllegalArgumentException if negative, naming {@code retry}
   */
  public B retry(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retry must not be negative but was " + retries);
    }
    this.retry = RetryPolicy.times(retries);
    return self();
  }

  /**
   * A constant delay between retries, replacing the retry policy's delays (TanStack's numeric
   * {@code retryDelay}).
   *
   * @throws IllegalArgumentException if negative, naming {@code retryDelay}
   */
  public B retryDelay(Duration delay) {
    Objects.requireNonNull(delay, "retryDelay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("retryDelay must not be negative but was " + delay);
    }
    this.retryDelay = (failures, error) -> delay;
    return self();
  }

  /**
   * Computes the delay before a retry from the number of failures before the last one (0 on the
   * first retry) and the error, replacing the retry policy's delays.
   */
  public B retryDelay(BiFunction<Integer, Throwable, Duration> delay) {
    this.retryDelay = Objects.requireNonNull(delay, "retryDelay");
    return self();
  }

  /**
   * Whether observers fetch automatically (default true); a disabled observer is never stale.
   * Replaces a predicate set before on this builder ({@link #enabled(Predicate)}).
   */
  public B enabled(boolean enabled) {
    this.enabled = enabled;
    this.enabledWhen = null;
    return self();
  }

  /**
   * Whether observers are enabled, computed from the query each time it matters (TanStack's {@code
   * enabled} as a function of the query): on subscribe, on each new result, on refetch triggers and
   * for the active/disabled view of filters. It replaces a plain {@link #enabled(boolean)} set
   * before on this builder, and like any setting it overrides the {@code enabled} (plain or
   * predicate) of the layers below: options over per-key defaults over client defaults. The
   * predicate runs on the thread that evaluates the trigger, outside the cache's locks, and must be
   * cheap; one that throws is reported to the error handler and counts as disabled. A {@link
   * QueryFunction#skipToken()} disables the observer whatever the predicate says.
   *
   * <pre>{@code
   * .enabled(q -> q.state().errorUpdateCount() < 3)
   * }</pre>
   */
  public B enabled(Predicate<? super QueryView> enabled) {
    this.enabledWhen = Objects.requireNonNull(enabled, "enabled");
    this.enabled = null;
    return self();
  }

  /**
   * Refetch observed queries this long after their last state change; zero turns it off (the
   * default).
   *
   * @throws IllegalArgumentException if negative, naming {@code refetchInterval}
   */
  public B refetchInterval(Duration interval) {
    Objects.requireNonNull(interval, "refetchInterval");
    if (interval.isNegative()) {
      throw new IllegalArgumentException(
          "refetchInterval must not be negative but was " + interval);
    }
    this.refetchInterval = interval;
    return self();
  }

  /** Whether the refetch interval also runs while unfocused (default false). */
  public B refetchIntervalInBackground(boolean inBackground) {
    this.refetchIntervalInBackground = inBackground;
    return self();
  }

  /** Whether an observer refetches when it attaches (default {@code IF_STALE}). */
  public B refetchOnMount(RefetchMode mode) {
    this.refetchOnMount = Objects.requireNonNull(mode, "refetchOnMount");
    return self();
  }

  /**
   * Whether observed queries refetch on reconnect (default {@code IF_STALE}, {@code NEVER} with
   * network mode {@code ALWAYS}).
   */
  public B refetchOnReconnect(RefetchMode mode) {
    this.refetchOnReconnect = Objects.requireNonNull(mode, "refetchOnReconnect");
    return self();
  }

  /** Whether observed queries refetch when focus returns (default {@code IF_STALE}). */
  public B refetchOnWindowFocus(RefetchMode mode) {
    this.refetchOnWindowFocus = Objects.requireNonNull(mode, "refetchOnWindowFocus");
    return self();
  }

  /** Whether an observer fetches on mount a query whose fetch failed (default true). */
  public B retryOnMount(boolean retryOnMount) {
    this.retryOnMount = retryOnMount;
    return self();
  }

  /** When fetches may run with respect to connectivity (default {@code ONLINE}). */
  public B networkMode(NetworkMode mode) {
    this.networkMode = Objects.requireNonNull(mode, "networkMode");
    return self();
  }

  /** The Jackson type of the data, used to decode it when a dehydrated state is hydrated. */
  public B dataType(JavaType type) {
    this.dataType = Objects.requireNonNull(type, "dataType");
    return self();
  }

  /** Whether {@code dehydrate()} includes the query (default true for successful queries). */
  public B dehydrate(boolean dehydrate) {
    this.dehydrate = dehydrate;
    return self();
  }
}
