package dev.quarry.optimistic.internal;

import dev.quarry.optimistic.MutationState;
import dev.quarry.optimistic.MutationStatus;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The state transitions of a mutation (TanStack's mutation reducer), as pure functions. */
final class MutationStates {
  private MutationStates() {}

  /** {@code pending}: a fresh attempt with {@code context}, submitted {@code now}. */
  static <V, R, C> MutationState<V, R, C> pending(
      V variables, Optional<C> context, boolean paused, long now) {
    return new MutationState<>(
        MutationStatus.PENDING,
        paused,
        Optional.of(variables),
        context,
        Optional.empty(),
        Optional.empty(),
        0,
        Optional.empty(),
        now);
  }

  /** {@code failed}: an attempt failed and will be retried. */
  static <V, R, C> MutationState<V, R, C> failed(
      MutationState<V, R, C> s, int failureCount, Throwable error) {
    return new MutationState<>(
        s.status(),
        s.isPaused(),
        s.variables(),
        s.context(),
        s.data(),
        s.error(),
        failureCount,
        Optional.of(error),
        s.submittedAt());
  }

  /** {@code success}, with {@code data} (absent for a null result). */
  static <V, R, C> MutationState<V, R, C> succeeded(MutationState<V, R, C> s, @Nullable R data) {
    return new MutationState<>(
        MutationStatus.SUCCESS,
        false,
        s.variables(),
        s.context(),
        Optional.ofNullable(data),
        Optional.empty(),
        0,
        Optional.empty(),
        s.submittedAt());
  }

  /** {@code error}: the failure count counts this last failure too. */
  static <V, R, C> MutationState<V, R, C> errored(MutationState<V, R, C> s, Throwable error) {
    return new MutationState<>(
        MutationStatus.ERROR,
        false,
        s.variables(),
        s.context(),
        Optional.empty(),
        Optional.of(error),
        s.failureCount() + 1,
        Optional.of(error),
        s.submittedAt());
  }
}
