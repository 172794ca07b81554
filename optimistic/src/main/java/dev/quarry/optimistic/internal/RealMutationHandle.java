package dev.quarry.optimistic.internal;

import dev.quarry.core.Registration;
import dev.quarry.core.internal.ListenerSet;
import dev.quarry.optimistic.CallSiteCallbacks;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.optimistic.MutationState;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link MutationObserver} handle: submits with its options and follows the latest mutation. It
 * is one of that mutation's observers only while it has listeners (TanStack's MutationObserver), so
 * a handle nobody listens to never keeps a mutation from being collected. {@code lock} guards
 * {@code current} and the attach/detach decisions; no user code runs under it.
 */
final class RealMutationHandle<V, R, C> implements MutationObserver<V, R, C> {
  private final RealMutationClient client;
  private final MutationOptions<V, R, C> options;
  private final ListenerSet<MutationState<V, R, C>> listeners;
  private final Object lock = new Object();
  private @Nullable RealMutation<V, R, C> current;

  RealMutationHandle(RealMutationClient client, MutationOptions<V, R, C> options) {
    this.client = client;
    this.options = options;
    this.listeners =
        new ListenerSet<>(client.callbackExecutor(), client.errorHandler(), "mutation " + options);
  }

  @Override
  public CompletableFuture<R> mutate(V variables) {
    return mutate(variables, CallSiteCallbacks.none());
  }

  @Override
  public CompletableFuture<R> mutate(V variables, CallSiteCallbacks<V, R, C> callbacks) {
    Objects.requireNonNull(callbacks, "callbacks");
    return client.submit(options, variables, callbacks, this);
  }

  @Override
  public MutationState<V, R, C> state() {
    RealMutation<V, R, C> m;
    synchronized (lock) {
      m = current;
    }
    return m == null ? MutationState.idle() : m.state();
  }

  /**
   * Adds a listener. The first listener attaches the handle to its latest mutation (which the
   * mutation cache then keeps); closing the last one detaches it, so a settled mutation is
   * collected {@code gcTime} later.
   */
  @Override
  public Registration subscribe(Consumer<? super MutationState<V, R, C>> listener) {
    Objects.requireNonNull(listener, "listener");
    RealMutation<V, R, C> attachTo;
    Registration added;
    synchronized (lock) {
      boolean first = listeners.isEmpty();
      added = listeners.add(listener);
      attachTo = first ? current : null;
      if (attachTo != null) {
        attachTo.observers.addIfAbsent(this);
      }
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      RealMutation<V, R, C> detachFrom;
      synchronized (lock) {
        added.close();
        detachFrom = listeners.isEmpty() ? current : null;
        if (detachFrom != null) {
          detachFrom.observers.remove(this);
        }
      }
      if (detachFrom != null) {
        detach(detachFrom);
      }
    };
  }

  /** Whether a listener is registered: call-site callbacks run only then. */
  boolean hasListeners() {
    return !listeners.isEmpty();
  }

  @Override
  public void reset() {
    RealMutation<V, R, C> previous;
    synchronized (lock) {
      previous = current;
      current = null;
    }
    if (previous != null) {
      detach(previous);
      listeners.emit(MutationState.idle());
    }
  }

  @Override
  public MutationOptions<V, R, C> options() {
    return options;
  }

  /** Called when a new mutation of this handle is created, before it runs. */
  void attach(RealMutation<V, R, C> m) {
    RealMutation<V, R, C> previous;
    synchronized (lock) {
      previous = current;
      current = m;
      if (!listeners.isEmpty()) {
        m.observers.addIfAbsent(this);
      }
    }
    if (previous != null) {
      detach(previous);
    }
  }

  boolean isCurrent(RealMutation<V, R, C> m) {
    synchronized (lock) {
      return current == m;
    }
  }

  void onState(RealMutation<V, R, C> m, MutationState<V, R, C> state) {
    if (isCurrent(m)) {
      listeners.emit(state);
    }
  }

  private void detach(RealMutation<V, R, C> m) {
    m.observers.remove(this);
    client
        .loop()
        .execute(
            () -> {
              if (!m.state().isPending()) {
                m.scheduleGc();
              }
            });
  }

  @Override
  public String toString() {
    return "Mutation{" + options + ", " + state().status() + "}";
  }
}
