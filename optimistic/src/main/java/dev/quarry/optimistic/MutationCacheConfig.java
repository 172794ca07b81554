package dev.quarry.optimistic;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Callbacks that run for every mutation of a client (TanStack's {@code MutationCache} config), each
 * before the matching option-level callback and awaited. A throwing cache {@code onSuccess} sends
 * the mutation down the error path (and the option {@code onSuccess} is skipped), as in TanStack.
 *
 * <pre>{@code
 * MutationCacheConfig config = MutationCacheConfig.builder()
 *     .onError((error, vars, ctx, m) -> { toast(error); return CompletableFuture.completedFuture(null); })
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Callbacks run on the client's callback executor.
 */
public final class MutationCacheConfig {
  private static final MutationCacheConfig NONE = builder().build();

  /** Cache-level {@code onMutate}. */
  @FunctionalInterface
  public interface OnMutate {
    /** Called before the option-level {@code onMutate}. */
    CompletionStage<?> apply(Object variables, MutationInfo mutation) throws Exception;
  }

  /** Cache-level {@code onSuccess}. */
  @FunctionalInterface
  public interface OnSuccess {
    /** Called before the option-level {@code onSuccess}. */
    CompletionStage<?> apply(
        Object data, Object variables, Optional<Object> context, MutationInfo mutation)
        throws Exception;
  }

  /** Cache-level {@code onError}. */
  @FunctionalInterface
  public interface OnError {
    /** Called before the option-level {@code onError}. */
    CompletionStage<?> apply(
        Throwable error, Object variables, Optional<Object> context, MutationInfo mutation)
        throws Exception;
  }

  /** Cache-level {@code onSettled}. */
  @FunctionalInterface
  public interface OnSettled {
    /** Called before the option-level {@code onSettled}. */
    CompletionStage<?> apply(
        Optional<Object> data,
        Optional<Throwable> error,
        Object variables,
        Optional<Object> context,
        MutationInfo mutation)
        throws Exception;
  }

  private final @Nullable OnMutate onMutate;
  private final @Nullable OnSuccess onSuccess;
  private final @Nullable OnError onError;
  private final @Nullable OnSettled onSettled;

  private MutationCacheConfig(Builder b) {
    this.onMutate = b.onMutate;
    this.onSuccess = b.onSuccess;
    this.onError = b.onError;
    this.onSettled = b.onSettled;
  }

  /** The cache-level {@code onMutate}, if set. */
  public Optional<OnMutate> onMutate() {
    return Optional.ofNullable(onMutate);
  }

  /** The cache-level {@code onSuccess}, if set. */
  public Optional<OnSuccess> onSuccess() {
    return Optional.ofNullable(onSuccess);
  }

  /** The cache-level {@code onError}, if set. */
  public Optional<OnError> onError() {
    return Optional.ofNullable(onError);
  }

  /** The cache-level {@code onSettled}, if set. */
  public Optional<OnSettled> onSettled() {
    return Optional.ofNullable(onSettled);
  }

  /** No cache-level callbacks. */
  public static MutationCacheConfig none() {
    return NONE;
  }

  /** A builder with no callback set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link MutationCacheConfig}. Not thread-safe. */
  public static final class Builder {
    private @Nullable OnMutate onMutate;
    private @Nullable OnSuccess onSuccess;
    private @Nullable OnError onError;
    private @Nullable OnSettled onSettled;

    private Builder() {}

    /** Sets the cache-level {@code onMutate}. */
    public Builder onMutate(OnMutate onMutate) {
      this.onMutate = Objects.requireNonNull(onMutate, "onMutate");
      return this;
    }

    /** Sets the cache-level {@code onSuccess}. */
    public Builder onSuccess(OnSuccess onSuccess) {
      this.onSuccess = Objects.requireNonNull(onSuccess, "onSuccess");
      return this;
    }

    /** Sets the cache-level {@code onError}. */
    public Builder onError(OnError onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /** Sets the cache-level {@code onSettled}. */
    public Builder onSettled(OnSettled onSettled) {
      this.onSettled = Objects.requireNonNull(onSettled, "onSettled");
      return this;
    }

    /** Builds the config. */
    public MutationCacheConfig build() {
      return new MutationCacheConfig(this);
    }
  }
}
