package dev.quarry.optimistic.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code MutationClient.resumePausedMutations()}: wakes the paused mutations and tells when each of
 * them has had its turn, so that the query client's reconnect barrier (queries refetch after it)
 * neither runs before the writes nor waits forever for a write that cannot land yet.
 *
 * <p>A woken mutation has had its turn when it settled, when it paused again to wait for a retry (a
 * persistent mutation whose attempt failed retryably), when the network no longer lets it continue,
 * or when the mutation ahead of it in its scope waits for a retry (it cannot run before that one
 * lands).
 *
 * <p>Threads: {@link #resume} and {@link #check()} run on the client's loop ({@code check} after
 * every state change of a mutation and after each one settles), {@link #closeAll()} on any thread;
 * the list of rounds is guarded by its own monitor, never held while a future completes.
 */
final class ResumeRounds {
  private final MutationRegistry registry;
  private final List<Round> rounds = new ArrayList<>(); // guarded by itself

  ResumeRounds(MutationRegistry registry) {
    this.registry = registry;
  }

  /**
   * Wakes every paused mutation that has started or was built from a saved state, and completes
   * {@code done} when each has had its turn.
   */
  void resume(CompletableFuture<Void> done) {
    List<RealMutation<?, ?, ?>> woken = new ArrayList<>();
    for (RealMutation<?, ?, ?> m : registry.all()) {
      if (m.state().isPaused() && (m.hasStarted() || m.waitsForResume())) {
        m.resumeIfPaused();
        if (m.networkAllowsContinue()) {
          woken.add(m);
        }
      }
    }
    synchronized (rounds) {
      rounds.add(new Round(woken, done));
    }
    check();
  }

  /** Completes the rounds whose mutations have all had their turn. */
  void check() {
    List<Round> open;
    synchronized (rounds) {
      if (rounds.isEmpty()) {
        return;
      }
      open = new ArrayList<>(rounds);
    }
    List<Round> over = new ArrayList<>();
    for (Round r : open) {
      if (r.mutations.stream().allMatch(this::hadItsTurn)) {
        over.add(r);
      }
    }
    synchronized (rounds) {
      rounds.removeAll(over);
    }
    over.forEach(r -> r.done.complete(null));
  }

  /** Completes every round (the client closed); any thread. */
  void closeAll() {
    List<Round> all;
    synchronized (rounds) {
      all = new ArrayList<>(rounds);
      rounds.clear();
    }
    all.forEach(r -> r.done.complete(null));
  }

  private boolean hadItsTurn(RealMutation<?, ?, ?> m) {
    if (m.result.isDone() || m.isWaitingToRetry() || !m.networkAllowsContinue()) {
      return true;
    }
    Optional<RealMutation<?, ?, ?>> head = registry.firstPendingInScope(m);
    return head.isPresent() && head.get() != m && head.get().isWaitingToRetry();
  }

  private record Round(List<RealMutation<?, ?, ?>> mutations, CompletableFuture<Void> done) {}
}
