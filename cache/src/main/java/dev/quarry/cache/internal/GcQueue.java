package dev.quarry.cache.internal;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Clock;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The garbage-collection timers of one client's queries (TanStack's {@code Removable}, spec 2.8),
 * kept as one timer per distinct gcTime instead of one scheduled task per query.
 *
 * <p>The queries whose timer runs are linked, through their own fields, into a <em>lane</em> per
 * gcTime, sorted by due time. Queries of one gcTime restart in time order, so a restart is an
 * unlink and an append at the tail. Each lane has at most one task on the scheduler, armed for its
 * head; a restart never re-arms it unless the new due time is earlier, so a fetch that ends (and
 * restarts the timer of its query) schedules nothing and wakes no thread. A task that fires early
 * (its head restarted meanwhile) finds nothing due and re-arms for the new head.
 *
 * <p>When a lane's task fires, each query due by then is asked to expire ({@link Query#gcFired});
 * it checks, under its own lock, that it is still due and idle. Lock order: a query's lock, then
 * this queue's; the queue never calls a query while holding its own lock, and never runs a task on
 * the scheduler under it.
 *
 * <p>Memory per query: two links, a lane reference and a due time in the query itself; nothing is
 * allocated per restart on the common path.
 */
final class GcQueue {
  private final Clock clock;
  private final Scheduler scheduler;
  private final Object lock = new Object();

  // Guarded by lock. Lanes by gcTime in milliseconds; a lane leaves when it is empty and unarmed.
  private final Map<Long, Lane> lanes = new HashMap<>();

  /** The queries with a running timer of one gcTime, sorted by due time; guarded by the lock. */
  static final class Lane {
    final long gcMillis;
    @Nullable Query<?> head;
    @Nullable Query<?> tail;

    /** The due time the task is armed for, or -1 when none is. */
    long armedFor = -1;

    /** Tells a task that fires after being replaced that it is not the current one. */
    long armSequence;

    @Nullable Cancellable task;

    Lane(long gcMillis) {
      this.gcMillis = gcMillis;
    }
  }

  GcQueue(Clock clock, Scheduler scheduler) {
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /**
   * (Re)starts {@code q}'s timer for {@code gcTime} from now; an infinite gcTime only stops it.
   * Called under {@code q}'s lock.
   */
  void restart(Query<?> q, Duration gcTime) {
    if (Resolved.isInfinite(gcTime)) {
      cancel(q);
      return;
    }
    long millis = gcTime.toMillis();
    long due = clock.currentTimeMillis() + millis;
    synchronized (lock) {
      Lane lane = q.gcLane;
      if (lane == null || lane.gcMillis != millis) {
        if (lane != null) {
          unlinkLocked(q, lane);
          retireIfIdleLocked(lane);
        }
        lane = lanes.computeIfAbsent(millis, Lane::new);
      } else {
        unlinkLocked(q, lane);
      }
      q.gcDueAt = due;
      insertLocked(q, lane);
      if (lane.armedFor < 0 || due < lane.armedFor) {
        armLocked(lane, due);
      }
    }
  }

  /** Stops {@code q}'s timer, if one runs. Called under {@code q}'s lock. */
  void cancel(Query<?> q) {
    synchronized (lock) {
      Lane lane = q.gcLane;
      if (lane == null) {
        return;
      }
      unlinkLocked(q, lane);
      retireIfIdleLocked(lane);
    }
  }

  /** When {@code q}'s timer is due, epoch ms, or -1 if none runs. */
  long dueAt(Query<?> q) {
    synchronized (lock) {
      return q.gcLane == null ? -1 : q.gcDueAt;
    }
  }

  /**
   * Called by a query (under its lock) whose lane fired: if its timer is still due by {@code
   * threshold}, stops it and returns true (the timer is spent, whether or not the query is then
   * collected); false if it was stopped or restarted meanwhile.
   */
  boolean expire(Query<?> q, long threshold) {
    synchronized (lock) {
      Lane lane = q.gcLane;
      if (lane == null || q.gcDueAt > threshold) {
        return false;
      }
      unlinkLocked(q, lane);
      return true;
    }
  }

  private void insertLocked(Query<?> q, Lane lane) {
    // Usually the tail: queries of one gcTime restart in time order. A clock that went back
    // walks a little.
    Query<?> after = lane.tail;
    while (after != null && after.gcDueAt > q.gcDueAt) {
      after = after.gcPrev;
    }
    q.gcLane = lane;
    q.gcPrev = after;
    Query<?> before = after == null ? lane.head : after.gcNext;
    q.gcNext = before;
    if (after == null) {
      lane.head = q;
    } else {
      after.gcNext = q;
    }
    if (before == null) {
      lane.tail = q;
    } else {
      before.gcPrev = q;
    }
  }

  private static void unlinkLocked(Query<?> q, Lane lane) {
    Query<?> prev = q.gcPrev;
    Query<?> next = q.gcNext;
    if (prev == null) {
      lane.head = next;
    } else {
      prev.gcNext = next;
    }
    if (next == null) {
      lane.tail = prev;
    } else {
      next.gcPrev = prev;
    }
    q.gcPrev = null;
    q.gcNext = null;
    q.gcLane = null;
    q.gcDueAt = -1;
  }

  /** An empty lane stops its task and leaves, so that a closed client leaves no timer behind. */
  private void retireIfIdleLocked(Lane lane) {
    if (lane.head != null) {
      return;
    }
    Cancellable task = lane.task;
    lane.task = null;
    lane.armedFor = -1;
    lane.armSequence++;
    if (task != null) {
      task.cancel();
    }
    lanes.remove(lane.gcMillis, lane);
  }

  private void armLocked(Lane lane, long due) {
    Cancellable previous = lane.task;
    long sequence = ++lane.armSequence;
    lane.armedFor = due;
    long delay = Math.max(0, due - clock.currentTimeMillis());
    lane.task = scheduler.schedule(Duration.ofMillis(delay), () -> fired(lane, sequence));
    if (previous != null) {
      previous.cancel();
    }
  }

  /** A lane's task fired: expires what is due, outside this queue's lock, then re-arms. */
  private void fired(Lane lane, long sequence) {
    List<Query<?>> due = new ArrayList<>();
    long threshold;
    synchronized (lock) {
      if (lane.armSequence != sequence) {
        return;
      }
      // Due by the time the task was armed for, even if the wall clock lags the scheduler.
      threshold = Math.max(lane.armedFor, clock.currentTimeMillis());
      lane.task = null;
      lane.armedFor = -1;
      for (Query<?> q = lane.head; q != null && q.gcDueAt <= threshold; q = q.gcNext) {
        due.add(q);
      }
    }
    for (Query<?> q : due) {
      q.gcFired(threshold);
    }
    synchronized (lock) {
      if (lane.armedFor >= 0 || lanes.get(lane.gcMillis) != lane) {
        return; // armed again by a restart meanwhile, or retired
      }
      Query<?> head = lane.head;
      if (head == null) {
        retireIfIdleLocked(lane);
      } else {
        armLocked(lane, head.gcDueAt);
      }
    }
  }
}
