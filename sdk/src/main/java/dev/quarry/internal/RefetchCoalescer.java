package dev.quarry.internal;

import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.cache.QuerySnapshot;
import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The invalidations that realtime bindings make, coalesced per query key (see {@link
 * dev.quarry.TopicBinding#minRefetchInterval(java.time.Duration)}): an invalidation marks the
 * matching queries invalidated at once, and refetches each active one unless a refetch of it is in
 * flight or its window is open; then the key is marked dirty, and one refetch follows when the
 * fetch settled and the window ({@code minInterval} from the start of the last refetch) closed. A
 * fetch is never cancelled: a running one, whoever started it, is joined, and as it may have
 * started before the event, one refetch follows it.
 *
 * <p>Thread-safe. Bookkeeping happens under a lock of its own that is never held while calling the
 * cache; a refetch triggered by an event starts on the caller's thread, a later one on the
 * scheduler. Entries exist only while a refetch is in flight or its window is open, so the map is
 * bounded by the active queries. {@link #close()} cancels the timers; fetches in flight go on.
 */
public final class RefetchCoalescer implements AutoCloseable {
  private final QueryClient queries;
  private final Clock clock;
  private final Scheduler scheduler;
  private final ErrorHandler errorHandler;
  private final Object lock = new Object();
  // Under lock.
  private final Map<QueryKey, Entry> entries = new HashMap<>();
  private boolean closed;

  /** One key's coalescing state; fields under {@link #lock}. */
  private static final class Entry {
    final QueryKey key;
    Duration minInterval = Duration.ZERO;
    boolean inFlight;
    boolean dirty;
    long startedAt;
    @Nullable Cancellable windowEnd;

    Entry(QueryKey key) {
      this.key = key;
    }
  }

  /** Coalesces refetches of {@code queries}, timing windows with {@code clock} and scheduler. */
  public RefetchCoalescer(
      QueryClient queries, Clock clock, Scheduler scheduler, ErrorHandler errorHandler) {
    this.queries = queries;
    this.clock = clock;
    this.scheduler = scheduler;
    this.errorHandler = errorHandler;
  }

  /**
   * Marks every query under {@code prefix} invalidated and refetches the active ones, coalesced per
   * key with windows of {@code minInterval}.
   */
  // The futures of invalidateQueries with refetch type NONE are complete at once.
  @SuppressWarnings("FutureReturnValueIgnored")
  public void invalidate(QueryKey prefix, Duration minInterval) {
    queries.invalidateQueries(
        QueryFilters.prefix(prefix).refetchType(QueryFilters.RefetchType.NONE));
    List<Entry> toStart = new ArrayList<>();
    List<QuerySnapshot> matches = new ArrayList<>();
    for (QuerySnapshot q : queries.snapshot()) {
      if (q.isActive() && q.key().matches(prefix)) {
        matches.add(q);
      }
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
      for (QuerySnapshot q : matches) {
        Entry e = entries.computeIfAbsent(q.key(), Entry::new);
        e.minInterval = minInterval;
        if (e.inFlight || e.windowEnd != null) {
          e.dirty = true;
        } else {
          reserveLocked(e);
          toStart.add(e);
        }
      }
    }
    for (Entry e : toStart) {
      launch(e);
    }
  }

  private void reserveLocked(Entry e) {
    e.inFlight = true;
    e.dirty = false;
    e.startedAt = clock.nanoTime();
  }

  /** Starts (or joins) the refetch of a reserved entry; without the lock. */
  private void launch(Entry e) {
    boolean running =
        queries
            .getQueryState(e.key)
            .map(s -> s.fetchStatus() == FetchStatus.FETCHING)
            .orElse(false);
    if (running) {
      synchronized (lock) {
        e.dirty = true; // the running fetch may have started before the event: one more after it
      }
    }
    CompletableFuture<Void> refetch;
    try {
      refetch =
          queries.refetchQueries(
              QueryFilters.exact(e.key).type(QueryFilters.Type.ACTIVE), /* cancelRefetch= */ false);
    } catch (RuntimeException ex) {
      errorHandler.safeHandle("refetch of " + e.key + " for a realtime binding", ex);
      refetch = CompletableFuture.completedFuture(null);
    }
    refetch.whenComplete((v, ex) -> settled(e));
  }

  /** The refetch settled: open the rest of the window, or drop the entry. */
  private void settled(Entry e) {
    synchronized (lock) {
      e.inFlight = false;
      if (closed || entries.get(e.key) != e) {
        return;
      }
      long left = e.startedAt + e.minInterval.toNanos() - clock.nanoTime();
      if (left <= 0 && !e.dirty) {
        entries.remove(e.key);
        return;
      }
      // A dirty key refetches from the scheduler, never on the thread that completed the fetch.
      e.windowEnd = scheduler.schedule(Duration.ofNanos(Math.max(left, 0)), () -> windowEnded(e));
    }
  }

  private void windowEnded(Entry e) {
    synchronized (lock) {
      if (closed || entries.get(e.key) != e) {
        return;
      }
      e.windowEnd = null;
      if (!e.dirty) {
        entries.remove(e.key);
        return;
      }
      reserveLocked(e);
    }
    launch(e);
  }

  /** How many keys have a refetch in flight or an open window (for tests and the inspector). */
  public int trackedKeys() {
    synchronized (lock) {
      return entries.size();
    }
  }

  /** Cancels the pending refetches; those in flight go on. Idempotent. */
  @Override
  public void close() {
    List<Cancellable> timers = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      for (Entry e : entries.values()) {
        if (e.windowEnd != null) {
          timers.add(e.windowEnd);
        }
      }
      entries.clear();
    }
    timers.forEach(Cancellable::cancel);
  }
}
