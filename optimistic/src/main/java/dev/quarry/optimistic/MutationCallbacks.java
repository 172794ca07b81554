package dev.quarry.optimistic;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The shapes of the per-mutation callbacks: {@code onMutate}, {@code onSuccess}, {@code onError}
 * and {@code onSettled}, each in a plain and an {@code Async} form (the async form returns a stage
 * that Quarry awaits before the next step, as TanStack awaits a returned promise).
 *
 * <p>The {@code context} argument is what {@code onMutate} returned (empty if there is no {@code
 * onMutate}, it failed, or the mutation was restored from the outbox). A throw is reported like a
 * failed stage. All run on the client's callback executor.
 */
public final class MutationCallbacks {
  private MutationCallbacks() {}

  /** {@code onMutate}: runs before the mutation function and returns the rollback context. */
  @FunctionalInterface
  public interface Mutate<V, C> {
    /** Returns the context passed to every later callback. */
    C apply(V variables, MutationContext context) throws Exception;
  }

  /** The async form of {@link Mutate}. */
  @FunctionalInterface
  public interface MutateAsync<V, C> {
    /** Returns a stage of the context passed to every later callback. */
    CompletionStage<C> apply(V variables, MutationContext context) throws Exception;
  }

  /** {@code onSuccess}. */
  @FunctionalInterface
  public interface Success<V, R, C> {
    /** Called with the result. */
    void accept(R data, V variables, Optional<C> context) throws Exception;
  }

  /** The async form of {@link Success}. */
  @FunctionalInterface
  public interface SuccessAsync<V, R, C> {
    /** Called with the result; the mutation waits for the returned stage. */
    CompletionStage<?> apply(R data, V variables, Optional<C> context) throws Exception;
  }

  /** {@code onError}. */
  @FunctionalInterface
  public interface Failure<V, C> {
    /** Called with the error. */
    void accept(Throwable error, V variables, Optional<C> context) throws Exception;
  }

  /** The async form of {@link Failure}. */
  @FunctionalInterface
  public interface FailureAsync<V, C> {
    /** Called with the error; the mutation waits for the returned stage. */
    CompletionStage<?> apply(Throwable error, V variables, Optional<C> context) throws Exception;
  }

  /** {@code onSettled}: exactly one of {@code data} and {@code error} is present. */
  @FunctionalInterface
  public interface Settled<V, R, C> {
    /** Called after success or error. */
    void accept(Optional<R> data, Optional<Throwable> error, V variables, Optional<C> context)
        throws Exception;
  }

  /** The async form of {@link Settled}. */
  @FunctionalInterface
  public interface SettledAsync<V, R, C> {
    /** Called after success or error; the mutation waits for the returned stage. */
    CompletionStage<?> apply(
        Optional<R> data, Optional<Throwable> error, V variables, Optional<C> context)
        throws Exception;
  }
}
