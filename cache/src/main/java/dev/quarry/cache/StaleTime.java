package dev.quarry.cache;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How long data stays fresh after it was fetched: a duration, {@link #never()} (never stale by
 * time, TanStack's {@code Infinity}: invalidation still makes it stale) or {@link #staticTime()}
 * (TanStack's {@code 'static'}: never stale, not even when invalidated, and never refetched on
 * mount, focus or reconnect).
 *
 * <p>Staleness is inclusive: data is stale when {@code now >= dataUpdatedAt + staleTime}; {@code
 * StaleTime.of(Duration.ZERO)} (the default) is stale at once. Immutable value; thread-safe.
 */
public final class StaleTime {
  private static final StaleTime ZERO = new StaleTime(Duration.ZERO, Kind.DURATION);
  private static final StaleTime NEVER = new StaleTime(null, Kind.NEVER);
  private static final StaleTime STATIC = new StaleTime(null, Kind.STATIC);

  private enum Kind {
    DURATION,
    NEVER,
    STATIC,
    COMPUTED
  }

  private final @Nullable Duration duration;
  private final Kind kind;
  private final @Nullable Function<? super QueryView, Duration> function;

  private StaleTime(@Nullable Duration duration, Kind kind) {
    this(duration, kind, null);
  }

  private StaleTime(
      @Nullable Duration duration,
      Kind kind,
      @Nullable Function<? super QueryView, Duration> function) {
    this.duration = duration;
    this.kind = kind;
    this.function = function;
  }

  /**
   * Fresh for the duration {@code function} computes from the query each time staleness is checked
   * (TanStack's {@code staleTime} as a function of the query). Until {@link #resolve resolved}
   * against a query, {@link #isStaleAt} and {@link #millisUntilStale} treat it as zero.
   *
   * @param function called without any Quarry lock held, on the thread that checks staleness; a
   *     negative or null duration, or an exception, counts as zero (stale) and is reported to the
   *     client's error handler
   */
  public static StaleTime computed(Function<? super QueryView, Duration> function) {
    return new StaleTime(null, Kind.COMPUTED, Objects.requireNonNull(function, "staleTime"));
  }

  /** Whether this is {@link #computed} (it must be {@linkplain #resolve resolved} to be used). */
  public boolean isComputed() {
    return kind == Kind.COMPUTED;
  }

  /**
   * This staleTime for {@code query}: itself unless {@link #computed}, else the computed duration.
   *
   * @throws IllegalArgumentException if the computed duration is negative or null, naming it
   * @throws RuntimeException whatever the function throws
   */
  public StaleTime resolve(QueryView query) {
    Function<? super QueryView, Duration> f = function;
    if (f == null) {
      return this;
    }
    Duration d = f.apply(query);
    if (d == null) {
      throw new IllegalArgumentException("staleTime function returned null for " + query.key());
    }
    return of(d);
  }

  /**
   * Fresh for {@code duration}.
   *
   * @throws IllegalArgumentException if {@code duration} is negative (naming {@code staleTime})
   */
  public static StaleTime of(Duration duration) {
    Objects.requireNonNull(duration, "staleTime");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("staleTime must not be negative but was " + duration);
    }
    return duration.isZero() ? ZERO : new StaleTime(duration, Kind.DURATION);
  }

  /** Stale at once: the default. */
  public static StaleTime zero() {
    return ZERO;
  }

  /** Never stale by time; invalidation still makes the data stale. */
  public static StaleTime never() {
    return NEVER;
  }

  /** Never stale, even when invalidated; refetch triggers are ignored. */
  public static StaleTime staticTime() {
    return STATIC;
  }

  /** Whether this is {@link #staticTime()}. */
  public boolean isStatic() {
    return kind == Kind.STATIC;
  }

  /** Whether data is never stale by time ({@link #never()} or {@link #staticTime()}). */
  public boolean isInfinite() {
    return kind != Kind.DURATION;
  }

  /**
   * Whether data updated at {@code dataUpdatedAt} is stale at {@code now} by time alone (both epoch
   * milliseconds); inclusive.
   */
  public boolean isStaleAt(long dataUpdatedAt, long now) {
    Duration d = duration;
    if (d == null) {
      return kind == Kind.COMPUTED;
    }
    return now >= saturatedAdd(dataUpdatedAt, d.toMillis());
  }

  /**
   * Milliseconds until data updated at {@code dataUpdatedAt} turns stale; 0 if it already is,
   * {@link Long#MAX_VALUE} if it never turns stale by time.
   */
  public long millisUntilStale(long dataUpdatedAt, long now) {
    Duration d = duration;
    if (d == null) {
      return kind == Kind.COMPUTED ? 0 : Long.MAX_VALUE;
    }
    return Math.max(0, saturatedAdd(dataUpdatedAt, d.toMillis()) - now);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof StaleTime s
        && kind == s.kind
        && Objects.equals(duration, s.duration)
        && function == s.function;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, duration);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case DURATION -> String.valueOf(duration);
      case NEVER -> "never";
      case STATIC -> "static";
      case COMPUTED -> "computed";
    };
  }
}
