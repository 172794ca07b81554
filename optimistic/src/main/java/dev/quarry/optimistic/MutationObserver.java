package dev.quarry.optimistic;

import dev.quarry.core.Registration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A handle that runs mutations with one set of options and follows the latest one (TanStack's
 * {@code MutationObserver}). Every {@link #mutate} submits a new mutation to the client's mutation
 * cache; the handle's {@link #state()} and listeners follow the latest.
 *
 * <pre>{@code
 * MutationObserver<NewEpisode, Episode, Void> create = client.mutation(createOptions);
 * create.subscribe(state -> render(state.isPending()));
 * create.mutate(new NewEpisode("Pilot")).thenAccept(ep -> open(ep));
 * }</pre>
 *
 * <p>Thread-safe. Listeners run on the client's callback executor, in order, once per state change
 * of the latest mutation; a throwing listener is reported to the error handler.
 *
 * <p>Lifecycle: the handle observes its latest mutation only while it has listeners. Closing the
 * last listener detaches it, so the mutation cache collects the mutation {@code gcTime} after it
 * settled (a pending one is kept until it settles); subscribing again re-attaches the handle to its
 * latest mutation. {@link #state()} keeps answering with the latest mutation's state either way. A
 * handle needs no closing of its own: one that nobody listens to holds no mutation in the cache.
 *
 * <p>A mutation function may complete with {@code null} (for example a {@code Void} result): the
 * mutation succeeds and its {@link MutationState#data()} is empty.
 *
 * @param <V> the variables type
 * @param <R> the result type
 * @param <C> the context type returned by {@code onMutate}
 */
public interface MutationObserver<V, R, C> {
  /**
   * Submits a mutation; the future completes with its result after every callback ran, or fails
   * with the error (the function's, or a callback's that took the error path).
   *
   * @throws IllegalArgumentException if the mutation is persistent but misses a key, a variables
   *     type or an outbox
   */
  CompletableFuture<R> mutate(V variables);

  /**
   * As {@link #mutate(Object)}, with call-site callbacks that run after all others. As in TanStack
   * Query's {@code MutationObserver}, they run only for the latest {@code mutate} of this handle
   * and only if the handle still has a listener when the mutation settles (a view that went away
   * does not get them); the returned future completes either way. {@link
   * MutationClient#mutate(MutationOptions, Object, CallSiteCallbacks)} always runs them.
   */
  CompletableFuture<R> mutate(V variables, CallSiteCallbacks<V, R, C> callbacks);

  /** The latest mutation's state, or idle before the first {@code mutate} and after reset. */
  MutationState<V, R, C> state();

  /** Listens to state changes of the latest mutation. */
  Registration subscribe(Consumer<? super MutationState<V, R, C>> listener);

  /** Detaches from the latest mutation (which keeps running) and returns to idle. */
  void reset();

  /** The options this handle submits with (before defaults are merged). */
  MutationOptions<V, R, C> options();
}
