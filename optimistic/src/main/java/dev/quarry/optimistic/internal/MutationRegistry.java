package dev.quarry.optimistic.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mutations of one client in submission order, and the queue of each scope. Every method holds
 * this object's monitor briefly and never calls out.
 */
final class MutationRegistry {
  private final LinkedHashMap<Long, RealMutation<?, ?, ?>> mutations = new LinkedHashMap<>();
  private final Map<String, List<RealMutation<?, ?, ?>>> scopes = new HashMap<>();

  synchronized void add(RealMutation<?, ?, ?> m) {
    mutations.put(m.id, m);
    String scope = m.scope;
    if (scope != null) {
      scopes.computeIfAbsent(scope, s -> new ArrayList<>()).add(m);
    }
  }

  /** Removes {@code m}; whether it was present. */
  synchronized boolean remove(RealMutation<?, ?, ?> m) {
    boolean removed = mutations.remove(m.id) != null;
    String scope = m.scope;
    if (scope != null) {
      List<RealMutation<?, ?, ?>> queue = scopes.get(scope);
      if (queue != null) {
        queue.remove(m);
        if (queue.isEmpty()) {
          scopes.remove(scope);
        }
      }
    }
    return removed;
  }

  synchronized List<RealMutation<?, ?, ?>> all() {
    return new ArrayList<>(mutations.values());
  }

  synchronized int size() {
    return mutations.size();
  }

  /**
   * TanStack's {@code canRun}: {@code m} is the first pending mutation of its scope, or none is.
   */
  synchronized boolean isFirstPendingInScope(RealMutation<?, ?, ?> m) {
    List<RealMutation<?, ?, ?>> queue = scopes.get(m.scope);
    if (queue == null) {
      return true;
    }
    for (RealMutation<?, ?, ?> x : queue) {
      if (x.state().isPending()) {
        return x == m;
      }
    }
    return true;
  }

  /** The first pending mutation of {@code m}'s scope; empty if {@code m} has no scope. */
  synchronized Optional<RealMutation<?, ?, ?>> firstPendingInScope(RealMutation<?, ?, ?> m) {
    List<RealMutation<?, ?, ?>> queue = m.scope == null ? null : scopes.get(m.scope);
    if (queue != null) {
      for (RealMutation<?, ?, ?> x : queue) {
        if (x.state().isPending()) {
          return Optional.of(x);
        }
      }
    }
    return Optional.empty();
  }

  /** The first other paused mutation of {@code m}'s scope that has started (TanStack's runNext). */
  synchronized Optional<RealMutation<?, ?, ?>> nextPausedInScope(RealMutation<?, ?, ?> m) {
    List<RealMutation<?, ?, ?>> queue = m.scope == null ? null : scopes.get(m.scope);
    if (queue != null) {
      for (RealMutation<?, ?, ?> x : queue) {
        if (x != m && x.state().isPaused() && x.hasStarted()) {
          return Optional.of(x);
        }
      }
    }
    return Optional.empty();
  }
}
