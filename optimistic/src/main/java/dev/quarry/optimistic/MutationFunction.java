package dev.quarry.optimistic;

import java.util.concurrent.CompletionStage;

/**
 * Performs a mutation: usually one request to the server.
 *
 * <p>A throw is the same as a failed stage. Called on the client's callback executor, never while a
 * Quarry lock is held; it should not block.
 *
 * @param <V> the variables type
 * @param <R> the result type
 */
@FunctionalInterface
public interface MutationFunction<V, R> {
  /** Starts the mutation for {@code variables}. */
  CompletionStage<R> apply(V variables, MutationContext context) throws Exception;
}
