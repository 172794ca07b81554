package dev.quarry.optimistic.internal;

import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.optimistic.MutationCacheEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link RealMutation} needs from the client that runs it: the loop, the shared settings,
 * the scope queue, the optimistic layers, and the hooks it calls as its state changes. The mutation
 * reaches the client only through this interface.
 *
 * <p>Threads: every method may be called on the loop; none calls user code or blocks.
 */
interface MutationHost {
  /** The loop every step runs on. */
  MutationLoop loop();

  /** Wall-clock time in milliseconds, for {@code submittedAt}. */
  long now();

  /** Whether the client was closed (a mutation then stops where it is). */
  boolean isClosed();

  /** The online and focus state the mutation pauses and continues with. */
  Connectivity connectivity();

  /** Where errors from isolated callbacks and rollbacks are reported. */
  ErrorHandler errorHandler();

  /** The client-wide callbacks. */
  MutationCacheConfig cacheConfig();

  /** The HTTP client for {@code ctx.http()}, if the client has one. */
  @Nullable JsonHttp http();

  /** The optimistic layers, if the client has a query client. */
  @Nullable OptimisticLayers layers();

  /** Invalidates exactly these query keys (nothing without a query client). */
  CompletableFuture<Void> invalidate(List<QueryKey> keys);

  /**
   * TanStack's {@code canRun}: {@code m} is the first pending mutation of its scope, or none is.
   */
  boolean isFirstPendingInScope(RealMutation<?, ?, ?> m);

  /** Hands a cache event to the listeners and lets the waiting resume rounds look again. */
  void stateChanged(MutationCacheEvent event);

  /**
   * {@code m} is settling (before its future completes): its outbox record is done and the next
   * paused mutation of its scope continues.
   */
  void settling(RealMutation<?, ?, ?> m);

  /** {@code m}'s future completed: the waiting resume rounds look again. */
  void settled(RealMutation<?, ?, ?> m);

  /** Removes {@code m} from the mutation cache (its gc time passed). */
  void remove(RealMutation<?, ?, ?> m);
}
