package dev.quarry.optimistic;

import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of one mutation's state (TanStack's {@code MutationState}).
 *
 * <p>"Absent" is {@link Optional#empty()}, never null. {@code failureCount} counts every failed
 * attempt and ends at attempts + 1 on a final failure, as in TanStack. {@code submittedAt} is the
 * wall-clock time in milliseconds of the last {@code pending} transition, or 0 while idle.
 *
 * <p>A pending mutation {@code isPaused} while it waits for the network ({@link
 * dev.quarry.cache.NetworkMode#ONLINE} while offline), for its turn in its scope, or, if it is
 * persistent, for a retry after a failure that retrying may cure; {@code failureCount} and {@code
 * failureReason} then describe the failures so far (see {@link MutationOptions}).
 *
 * @param <V> the variables type
 * @param <R> the result type
 * @param <C> the context type returned by {@code onMutate}
 */
public record MutationState<V, R, C>(
    MutationStatus status,
    boolean isPaused,
    Optional<V> variables,
    Optional<C> context,
    Optional<R> data,
    Optional<Throwable> error,
    int failureCount,
    Optional<Throwable> failureReason,
    long submittedAt) {

  /** Checks that no component is null. */
  public MutationState {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(variables, "variables");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(failureReason, "failureReason");
  }

  /** The initial state: idle, nothing submitted. */
  public static <V, R, C> MutationState<V, R, C> idle() {
    return new MutationState<>(
        MutationStatus.IDLE,
        false,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        0,
        Optional.empty(),
        0);
  }

  /** This state with {@code isPaused} replaced. */
  public MutationState<V, R, C> withPaused(boolean paused) {
    return new MutationState<>(
        status, paused, variables, context, data, error, failureCount, failureReason, submittedAt);
  }

  /** Whether the status is {@link MutationStatus#IDLE}. */
  public boolean isIdle() {
    return status == MutationStatus.IDLE;
  }

  /** Whether the status is {@link MutationStatus#PENDING}. */
  public boolean isPending() {
    return status == MutationStatus.PENDING;
  }

  /** Whether the status is {@link MutationStatus#SUCCESS}. */
  public boolean isSuccess() {
    return status == MutationStatus.SUCCESS;
  }

  /** Whether the status is {@link MutationStatus#ERROR}. */
  public boolean isError() {
    return status == MutationStatus.ERROR;
  }
}
