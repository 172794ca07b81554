package dev.quarry.optimistic;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Call-site callbacks of one {@code mutate(variables, callbacks)} call. They run after every
 * cache-level and option-level callback and after the state is settled; on a {@link
 * MutationObserver} handle only for its latest {@code mutate} call (TanStack's "consecutive
 * mutations" rule). Returned stages are awaited before the future of {@code mutate} completes; a
 * throw goes to the error handler and does not change the outcome.
 *
 * <pre>{@code
 * handle.mutate(draft, CallSiteCallbacks.<Draft, Episode, Void>builder()
 *     .onSuccess((episode, d, ctx) -> navigateTo(episode))
 *     .build());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class CallSiteCallbacks<V, R, C> {
  private final MutationCallbacks.@Nullable SuccessAsync<V, R, C> onSuccess;
  private final MutationCallbacks.@Nullable FailureAsync<V, C> onError;
  private final MutationCallbacks.@Nullable SettledAsync<V, R, C> onSettled;

  private CallSiteCallbacks(Builder<V, R, C> b) {
    this.onSuccess = b.onSuccess;
    this.onError = b.onError;
    this.onSettled = b.onSettled;
  }

  /** A builder with no callback set. */
  public static <V, R, C> Builder<V, R, C> builder() {
    return new Builder<>();
  }

  /** The call-site {@code onSuccess} (in its async form), if set. */
  public Optional<MutationCallbacks.SuccessAsync<V, R, C>> onSuccess() {
    return Optional.ofNullable(onSuccess);
  }

  /** The call-site {@code onError} (in its async form), if set. */
  public Optional<MutationCallbacks.FailureAsync<V, C>> onError() {
    return Optional.ofNullable(onError);
  }

  /** The call-site {@code onSettled} (in its async form), if set. */
  public Optional<MutationCallbacks.SettledAsync<V, R, C>> onSettled() {
    return Optional.ofNullable(onSettled);
  }

  /** No callbacks. */
  public static <V, R, C> CallSiteCallbacks<V, R, C> none() {
    return new Builder<V, R, C>().build();
  }

  /** Builds {@link CallSiteCallbacks}. Not thread-safe. */
  public static final class Builder<V, R, C> {
    private MutationCallbacks.@Nullable SuccessAsync<V, R, C> onSuccess;
    private MutationCallbacks.@Nullable FailureAsync<V, C> onError;
    private MutationCallbacks.@Nullable SettledAsync<V, R, C> onSettled;

    private Builder() {}

    /** Called on success. */
    public Builder<V, R, C> onSuccess(MutationCallbacks.Success<V, R, C> onSuccess) {
      Objects.requireNonNull(onSuccess, "onSuccess");
      this.onSuccess =
          (r, v, c) -> {
            onSuccess.accept(r, v, c);
            return CompletableFuture.completedFuture(null);
          };
      return this;
    }

    /** Called on error. */
    public Builder<V, R, C> onError(MutationCallbacks.Failure<V, C> onError) {
      Objects.requireNonNull(onError, "onError");
      this.onError =
          (e, v, c) -> {
            onError.accept(e, v, c);
            return CompletableFuture.completedFuture(null);
          };
      return this;
    }

    /** Called after success or error. */
    public Builder<V, R, C> onSettled(MutationCallbacks.Settled<V, R, C> onSettled) {
      Objects.requireNonNull(onSettled, "onSettled");
      this.onSettled =
          (r, e, v, c) -> {
            onSettled.accept(r, e, v, c);
            return CompletableFuture.completedFuture(null);
          };
      return this;
    }

    /** Builds the callbacks. */
    public CallSiteCallbacks<V, R, C> build() {
      return new CallSiteCallbacks<>(this);
    }
  }
}
