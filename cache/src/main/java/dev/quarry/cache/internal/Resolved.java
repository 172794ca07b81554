package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.QueryView;
import dev.quarry.cache.RefetchMode;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** Settings after merging every layer and applying the built-in defaults of spec section 1. */
record Resolved(
    StaleTime staleTime,
    Duration gcTime,
    RetryPolicy retry,
    boolean enabled,
    Duration refetchInterval,
    boolean refetchIntervalInBackground,
    RefetchMode refetchOnMount,
    RefetchMode refetchOnReconnect,
    RefetchMode refetchOnWindowFocus,
    boolean retryOnMount,
    NetworkMode networkMode,
    @Nullable JavaType dataType,
    boolean dehydrate,
    BinaryOperator<Object> sharing,
    @Nullable Predicate<? super QueryView> enabledWhen) {

  static final Duration DEFAULT_GC = Duration.ofMinutes(5);

  /**
   * @param observed whether an observer uses the settings (retry 3) or {@code fetchQuery} (never)
   */
  static Resolved of(QueryDefaults d, boolean observed) {
    NetworkMode mode = d.networkMode().orElse(NetworkMode.ONLINE);
    return new Resolved(
        d.staleTime().orElse(StaleTime.zero()),
        d.gcTime().orElse(DEFAULT_GC),
        retry(d, observed),
        d.enabled().orElse(true),
        d.refetchInterval().orElse(Duration.ZERO),
        d.refetchIntervalInBackground().orElse(false),
        d.refetchOnMount().orElse(RefetchMode.IF_STALE),
        d.refetchOnReconnect()
            .orElse(mode == NetworkMode.ALWAYS ? RefetchMode.NEVER : RefetchMode.IF_STALE),
        d.refetchOnWindowFocus().orElse(RefetchMode.IF_STALE),
        d.retryOnMount().orElse(true),
        mode,
        d.dataType().orElse(null),
        d.dehydrate().orElse(true),
        d.structuralSharing().orElse(ReplaceEqualDeep.FUNCTION),
        d.enabledWhen().orElse(null));
  }

  /** The structural sharing of these settings, for data of any type (the caller's). */
  @SuppressWarnings("unchecked")
  <T> BinaryOperator<T> sharingOf() {
    return (BinaryOperator<T>) (BinaryOperator<?>) sharing;
  }

  /**
   * These settings with {@code enabled} computed by {@code when} (null: the plain value), or
   * disabled for good ({@code disabled}, for a skipToken function).
   */
  Resolved withEnabled(@Nullable Predicate<? super QueryView> when, boolean disabled) {
    if (!disabled && when == null) {
      return this;
    }
    return new Resolved(
        staleTime,
        gcTime,
        retry,
        !disabled && enabled,
        refetchInterval,
        refetchIntervalInBackground,
        refetchOnMount,
        refetchOnReconnect,
        refetchOnWindowFocus,
        retryOnMount,
        networkMode,
        dataType,
        dehydrate,
        sharing,
        disabled ? null : when);
  }

  /**
   * Whether an observer with these settings is enabled for {@code q} now: the predicate if one was
   * given, else the plain value. A throwing predicate is reported and counts as disabled.
   */
  boolean enabledFor(QueryView q, ErrorHandler errors) {
    Predicate<? super QueryView> when = enabledWhen;
    if (when == null) {
      return enabled;
    }
    try {
      return when.test(q);
    } catch (RuntimeException e) {
      errors.safeHandle("enabled function of " + q.key(), e);
      return false;
    }
  }

  /**
   * The staleTime for {@code q} now: computed if it is a function of the query. A throwing or
   * invalid function is reported and counts as zero (stale).
   */
  StaleTime staleTimeFor(QueryView q, ErrorHandler errors) {
    return resolve(staleTime, q, errors);
  }

  static StaleTime resolve(StaleTime t, QueryView q, ErrorHandler errors) {
    if (!t.isComputed()) {
      return t;
    }
    try {
      return t.resolve(q);
    } catch (RuntimeException e) {
      errors.safeHandle("staleTime function of " + q.key(), e);
      return StaleTime.zero();
    }
  }

  private static RetryPolicy retry(QueryDefaults d, boolean observed) {
    RetryPolicy policy = d.retry().orElse(observed ? RetryPolicy.times(3) : RetryPolicy.never());
    return d.retryDelay().map(policy::withDelay).orElse(policy);
  }

  /** Whether gc is off for this gcTime (TanStack: not a finite number). */
  static boolean isInfinite(Duration gcTime) {
    return gcTime.compareTo(Duration.ofDays(365L * 1000)) >= 0;
  }
}
