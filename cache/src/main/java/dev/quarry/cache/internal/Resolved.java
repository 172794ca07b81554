package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.RefetchMode;
import dev.quarry.cache.StaleTime;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.util.function.BinaryOperator;
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
    BinaryOperator<Object> sharing) {

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
        d.structuralSharing().orElse(ReplaceEqualDeep.FUNCTION));
  }

  /** The structural sharing of these settings, for data of any type (the caller's). */
  @SuppressWarnings("unchecked")
  <T> BinaryOperator<T> sharingOf() {
    return (BinaryOperator<T>) (BinaryOperator<?>) sharing;
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
