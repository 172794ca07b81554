package dev.quarry.cache.internal;

import dev.quarry.cache.CancelledException;
import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.QueryAction;
import dev.quarry.cache.QueryCacheEvent;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatus;
import dev.quarry.cache.QueryView;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One cached query: its state and the serialized state machine that changes it (spec 2.2).
 *
 * <p>Every transition happens under {@link #lock} and enqueues its notifications on the client's
 * {@link Pipeline} before the lock is released, so observers and cache listeners see transitions in
 * order. Nothing that may run user code (the query function, change detection, updaters,
 * cancellation callbacks, completing futures) runs under the lock.
 *
 * <p>The data is also published in the store's data index (the same {@code Optional} instance as in
 * the state), so that {@code getQueryData} is one map lookup; {@link #dispatchLocked} writes it
 * there right after the state, and only while this query is the live one for its key (not removed).
 */
final class Query<T> implements QueryView {
  final QueryKey key;
  final long sequence;
  final boolean infinite;
  private final RealQueryClient client;
  private final Object lock = new Object();
  private volatile QueryState<T> state;
  private volatile boolean pinned;
  private volatile DefaultsLayers.@Nullable Memo fetchSettings;

  /** The initial data of the latest options that had some (what a reset returns to), or none. */
  private volatile @Nullable Supplier<QueryState<T>> initialData;

  /** The longest gcTime offered (it only grows); written under lock, read without it. */
  private volatile Duration gcTime;

  // Guarded by lock. The state a reverting cancel restores: set while a fetch runs, else null,
  // so that an idle query keeps no second state (nor the data that state may hold).
  private @Nullable QueryState<T> revertState;
  private @Nullable FetchBehavior<T> behavior;
  private RetryPolicy retry = RetryPolicy.never();
  private NetworkMode networkMode = NetworkMode.ONLINE;
  private @Nullable BinaryOperator<T> sharing;
  private @Nullable Fetch<T> current;
  // Created by the first observer, dropped by the last: most cached queries have none.
  private @Nullable ArrayList<QueryObserverImpl<T, ?>> observers;
  private boolean removed;

  // The gc timer's links and due time: guarded by the client's GcQueue lock, used only by it.
  @Nullable Query<?> gcPrev;
  @Nullable Query<?> gcNext;
  GcQueue.@Nullable Lane gcLane;
  long gcDueAt = -1;

  Query(
      RealQueryClient client,
      QueryKey key,
      QueryState<T> initial,
      Duration gcTime,
      boolean infinite,
      long sequence) {
    this.client = client;
    this.key = key;
    this.state = initial;
    this.gcTime = gcTime;
    this.infinite = infinite;
    this.sequence = sequence;
  }

  @Override
  public QueryState<T> state() {
    return state;
  }

  @Override
  public QueryKey key() {
    return key;
  }

  /** The data of {@link #state()}. */
  Optional<T> data() {
    return state.data();
  }

  /**
   * The settings the last {@code fetchQuery}-like call resolved here; see {@link DefaultsLayers}.
   */
  DefaultsLayers.@Nullable Memo fetchSettings() {
    return fetchSettings;
  }

  void keepFetchSettings(DefaultsLayers.Memo memo) {
    fetchSettings = memo;
  }

  /** Remembers the initial data of options that have some: the latest wins, as in TanStack. */
  void rememberInitialData(Supplier<QueryState<T>> initial) {
    initialData = initial;
  }

  /** The state a reset returns to: the remembered initial data, or the empty initial state. */
  Supplier<QueryState<T>> resetState() {
    Supplier<QueryState<T>> initial = initialData;
    return initial != null ? initial : QueryState::initial;
  }

  boolean isPinned() {
    return pinned;
  }

  boolean isRemoved() {
    synchronized (lock) {
      return removed;
    }
  }

  // ---------------------------------------------------------------- lifecycle in the cache

  /**
   * Inserts this new query with {@code insert} (a put-if-absent returning the query already there)
   * and, if it won, announces it and starts its gc timer (spec 2.8: at creation). Done under this
   * query's lock so that no transition of it can be announced before {@code Added}; the store's
   * callbacks never take a query lock, so holding it around the insert cannot deadlock.
   */
  @Nullable Query<?> publish(Function<Query<T>, @Nullable Query<?>> insert) {
    synchronized (lock) {
      Query<?> raced = insert.apply(this);
      if (raced == null) {
        if (state.data().isPresent()) {
          client.indexData(this, state.data());
        }
        client.pipeline().enqueue(() -> client.emit(new QueryCacheEvent.Added(key)));
        scheduleGcLocked();
      }
      return raced;
    }
  }

  /**
   * Removes this query with {@code delete} (a remove-if-still-mapped-to-this), cancelling its fetch
   * silently and announcing the removal before any later query of the same key can be announced.
   */
  void remove(java.util.function.Consumer<Query<T>> delete) {
    Fetch<T> f;
    CancelledException why = new CancelledException("query " + key + " was removed", false, true);
    synchronized (lock) {
      if (removed) {
        return;
      }
      client.pipeline().enqueue(() -> client.emit(new QueryCacheEvent.Removed(key)));
      // Leaves the store here unless it was evicted already; either way it is finished below.
      delete.accept(this);
      removed = true;
      client.unindexData(this);
      client.gcQueue().cancel(this);
      f = current;
      current = null;
      revertState = null;
      if (f != null) {
        f.cancelReason = why;
      }
    }
    if (f != null) {
      f.cancelNow(why);
    }
    client.pipeline().flush();
  }

  /** Offers a gcTime (max wins); takes the lock only if it would grow the current one. */
  void observeGcTime(Duration candidate) {
    if (candidate.compareTo(gcTime) <= 0) {
      return; // the gcTime only grows: once not longer, never longer
    }
    synchronized (lock) {
      offerGcTimeLocked(candidate);
    }
  }

  /** Keeps the longest gcTime seen; a running timer keeps the duration it started with. */
  private void offerGcTimeLocked(Duration candidate) {
    if (candidate.compareTo(gcTime) > 0) {
      gcTime = candidate;
    }
  }

  private boolean hasObserversLocked() {
    List<QueryObserverImpl<T, ?>> list = observers;
    return list != null && !list.isEmpty();
  }

  private void applyConfigLocked(QueryConfig<T> config) {
    behavior = config.behavior();
    retry = config.retry();
    networkMode = config.networkMode();
    sharing = config.sharing();
    offerGcTimeLocked(config.gcTime());
  }

  // ---------------------------------------------------------------- gc

  private void scheduleGcLocked() {
    if (removed || hasObserversLocked()) {
      client.gcQueue().cancel(this);
      return;
    }
    client.gcQueue().restart(this, gcTime);
  }

  /**
   * The gc timer's lane fired with everything due by {@code threshold}: if this query's timer is
   * still due it is spent, and the query is collected if it is unobserved and idle.
   */
  void gcFired(long threshold) {
    synchronized (lock) {
      if (!client.gcQueue().expire(this, threshold)
          || removed
          || hasObserversLocked()
          || current != null
          || state.fetchStatus() != FetchStatus.IDLE) {
        return;
      }
    }
    client.collect(this);
  }

  // ---------------------------------------------------------------- dispatch

  // The index holds the state's own Optional instance, so a new instance is written even if equal.
  @SuppressWarnings("OptionalEquality")
  private void dispatchLocked(QueryAction action, QueryState<T> next) {
    Optional<T> previousData = state.data();
    state = next;
    // After the state: a removal that reconciles the index from this state then sees this data.
    if (next.data() != previousData && !removed) {
      client.indexData(this, next.data());
    }
    List<QueryObserverImpl<T, ?>> list = observers;
    List<QueryObserverImpl<T, ?>> snapshot = list == null ? List.of() : List.copyOf(list);
    client
        .pipeline()
        .enqueue(
            () -> {
              for (QueryObserverImpl<T, ?> o : snapshot) {
                o.onQueryUpdate(this, next);
              }
              client.emit(new QueryCacheEvent.Updated(key, action, next));
            });
  }

  /**
   * Recomputes whether a size bound must keep this query (observed or fetching). The flag is
   * written under the lock; the store re-weighs from the latest value, so concurrent calls
   * converge.
   */
  void updatePin() {
    boolean changed;
    synchronized (lock) {
      boolean now = !removed && (hasObserversLocked() || current != null);
      changed = now != pinned;
      pinned = now;
    }
    if (changed) {
      client.repin(this);
    }
  }

  // ---------------------------------------------------------------- fetching

  /**
   * Starts a fetch or joins the one in flight (spec 2.5).
   *
   * @param config the caller's options (last writer wins), or null to use the query's own
   * @param cancelRefetch whether a running fetch of a query with data is restarted
   */
  CompletableFuture<T> fetch(
      @Nullable QueryConfig<T> config, boolean cancelRefetch, @Nullable FetchDirection direction) {
    Fetch<T> replaced = null;
    Fetch<T> f;
    synchronized (lock) {
      Fetch<T> running = current;
      if (running == null && config == null && behavior == null) {
        return CompletableFuture.failedFuture(
            new QuarryException("missing query function for " + key));
      }
      if (running != null) {
        if (state.data().isPresent() && cancelRefetch) {
          replaced = running;
          running.cancelReason =
              new CancelledException("fetch of " + key + " was restarted", false, true);
          current = null;
        } else {
          running.retryer.continueRetry();
          return running.promise;
        }
      }
      if (config != null) {
        applyConfigLocked(config);
      }
      FetchBehavior<T> b = Objects.requireNonNull(behavior);
      f = new Fetch<>(this, b.begin(state.data(), direction), retry, networkMode, direction);
      revertState = state;
      if (state.fetchStatus() == FetchStatus.IDLE
          || !state.fetchDirection().equals(Optional.ofNullable(direction))) {
        dispatchLocked(
            QueryAction.FETCH,
            Reducer.fetch(state, Fetch.canFetch(client.connectivity(), networkMode), direction));
      }
      current = f;
    }
    updatePin();
    if (replaced != null) {
      replaced.cancelNow(Objects.requireNonNull(replaced.cancelReason));
    }
    client.pipeline().flush();
    f.start();
    return f.promise;
  }

  /** Continues a paused fetch if connectivity allows (TanStack's {@code retryer.continue()}). */
  void resumePaused() {
    Fetch<T> f;
    synchronized (lock) {
      f = current;
    }
    if (f != null) {
      f.retryer.resume();
    }
  }

  /**
   * Cancels the running fetch (spec 2.7); with {@code revert} the state before it is restored.
   *
   * @return completes when the fetch settled; never fails
   */
  CompletableFuture<Void> cancel(boolean revert) {
    Fetch<T> f;
    synchronized (lock) {
      f = cancelLocked(revert);
    }
    return finishCancel(f);
  }

  private @Nullable Fetch<T> cancelLocked(boolean revert) {
    Fetch<T> f = current;
    if (f == null) {
      return null;
    }
    CancelledException why =
        new CancelledException("fetch of " + key + " was cancelled", revert, false);
    f.cancelReason = why;
    current = null;
    QueryState<T> before = revertState != null ? revertState : state;
    revertState = null;
    if (revert) {
      dispatchLocked(QueryAction.REVERT, Reducer.fetchStatus(before, FetchStatus.IDLE));
    } else {
      client.cacheCallbacks().failedLocked(this, why, state.data());
      dispatchLocked(QueryAction.ERROR, Reducer.error(state, why, now()));
    }
    return f;
  }

  private CompletableFuture<Void> finishCancel(@Nullable Fetch<T> f) {
    endCancel(f);
    return f == null ? CompletableFuture.completedFuture(null) : f.promise.handle((v, e) -> null);
  }

  /** The part of a cancel that runs outside the lock: cancelling the retryer and the call. */
  private void endCancel(@Nullable Fetch<T> f) {
    updatePin();
    client.pipeline().flush();
    if (f != null) {
      f.cancelNow(Objects.requireNonNull(f.cancelReason));
    }
  }

  long now() {
    return client.clock().currentTimeMillis();
  }

  /**
   * Ends the current fetch with {@code next} (success or error) and restarts the gc timer (spec 2.5
   * step 10). Under the lock, by the fetch that is current: its cancel reason is not set.
   */
  void finishLocked(QueryAction action, QueryState<T> next) {
    current = null;
    revertState = null;
    dispatchLocked(action, next);
    scheduleGcLocked();
  }

  /**
   * For a cancelled fetch that settles: the fetch that replaced it, if any; if none, the gc timer
   * restarts (spec 2.5 step 10). Under the lock.
   */
  @Nullable Fetch<T> replacementLocked() {
    Fetch<T> replacement = current;
    if (replacement == null) {
      revertState = null;
      scheduleGcLocked();
    }
    return replacement;
  }

  /**
   * Structural sharing: the configured function (by default {@link ReplaceEqualDeep}) of the old
   * and the new data. Runs outside the lock: it may walk a large value or call user code.
   */
  T share(Optional<T> old, T fresh) {
    if (old.isEmpty()) {
      return fresh;
    }
    BinaryOperator<T> custom;
    synchronized (lock) {
      custom = sharing;
    }
    if (custom == null) {
      return ReplaceEqualDeep.share(old.get(), fresh);
    }
    return Objects.requireNonNull(custom.apply(old.get(), fresh), "structuralSharing result");
  }

  /**
   * The structural sharing of the defaults that apply to this key, for {@code setQueryData} on a
   * query that no fetch or observer has configured yet; a configured query keeps its own.
   */
  void shareAsDefaults(BinaryOperator<T> defaults) {
    synchronized (lock) {
      if (behavior == null) {
        sharing = defaults;
      }
    }
  }

  // ---------------------------------------------------------------- manual changes

  /**
   * {@code setQueryData} (spec 2.11) as a compare-and-set: {@code next} was computed from {@code
   * expected}; if the data changed meanwhile the updater runs again on the new data.
   */
  Optional<T> setData(
      Optional<T> expected, T next, Function<Optional<T>, Optional<T>> updater, long updatedAt) {
    Optional<T> seen = expected;
    T candidate = next;
    while (true) {
      T stored = share(seen, candidate);
      synchronized (lock) {
        if (seen.orElse(null) == state.data().orElse(null)) {
          QueryState<T> s = Reducer.setData(state, stored, updatedAt);
          if (current != null) {
            revertState = s;
          }
          dispatchLocked(QueryAction.SET_DATA, s);
          break;
        }
        seen = state.data();
      }
      Optional<T> again = updater.apply(seen);
      if (again.isEmpty()) {
        return Optional.empty();
      }
      candidate = again.get();
    }
    client.pipeline().flush();
    return state.data();
  }

  /**
   * Initial data brought by options to an existing query without data (spec 2.1): stored without
   * counting an update; ignored if the query has data by then.
   */
  void initialize(QueryState<T> withInitialData) {
    synchronized (lock) {
      QueryState<T> s = state;
      if (s.data().isPresent() || withInitialData.data().isEmpty()) {
        return;
      }
      dispatchLocked(
          QueryAction.INITIAL_DATA,
          Reducer.initialData(s, withInitialData.data().get(), withInitialData.dataUpdatedAt()));
    }
    client.pipeline().flush();
  }

  void invalidate() {
    synchronized (lock) {
      if (!state.isInvalidated()) {
        dispatchLocked(QueryAction.INVALIDATE, Reducer.invalidate(state));
      }
    }
    client.pipeline().flush();
  }

  /** Resets to {@code initial} (computed by the caller, outside the lock), cancelling silently. */
  void reset(Supplier<QueryState<T>> initial) {
    QueryState<T> fresh = initial.get();
    Fetch<T> f;
    CancelledException why = new CancelledException("query " + key + " was reset", false, true);
    synchronized (lock) {
      f = current;
      current = null;
      if (f != null) {
        f.cancelReason = why;
      }
      revertState = null;
      dispatchLocked(QueryAction.RESET, fresh);
      scheduleGcLocked();
    }
    updatePin();
    if (f != null) {
      f.cancelNow(why);
    }
    client.pipeline().flush();
  }

  /** Hydrates newer data over this query (spec 6); returns whether it was newer. */
  boolean hydrate(T data, long dataUpdatedAt, int dataUpdateCount, boolean invalidated) {
    synchronized (lock) {
      if (dataUpdatedAt <= state.dataUpdatedAt()) {
        return false;
      }
      QueryState<T> s = Reducer.hydrated(state, data, dataUpdatedAt, dataUpdateCount, invalidated);
      if (current != null) {
        revertState = s;
      }
      dispatchLocked(QueryAction.HYDRATE, s);
    }
    client.pipeline().flush();
    return true;
  }

  // ---------------------------------------------------------------- observers

  /**
   * Attaches an observer (idempotent), pushes its options and clears the gc timer; returns the
   * state then. Does not flush the pipeline, so a caller holding its own lock runs no user code
   * here: it flushes once that lock is released.
   */
  QueryState<T> attach(QueryObserverImpl<T, ?> observer, QueryConfig<T> config) {
    QueryState<T> s;
    synchronized (lock) {
      applyConfigLocked(config);
      ArrayList<QueryObserverImpl<T, ?>> list = observers;
      if (list == null) {
        list = new ArrayList<>(2);
        observers = list;
      }
      if (!list.contains(observer)) {
        list.add(observer);
        client.pipeline().enqueue(() -> client.emit(new QueryCacheEvent.ObserverAdded(key)));
      }
      client.gcQueue().cancel(this);
      s = state;
    }
    updatePin();
    return s;
  }

  /**
   * Detaches an observer. The last one leaving a fetch cancels it (reverting) only if the function
   * read its signal or the fetch is an initial paused one; otherwise retries stop (spec 2.7).
   *
   * @return what must run once the caller holds no lock: the cancellation and the flush
   */
  Runnable detach(QueryObserverImpl<T, ?> observer) {
    Fetch<T> cancelled = null;
    synchronized (lock) {
      ArrayList<QueryObserverImpl<T, ?>> list = observers;
      if (list == null || !list.remove(observer)) {
        return () -> {};
      }
      client.pipeline().enqueue(() -> client.emit(new QueryCacheEvent.ObserverRemoved(key)));
      if (list.isEmpty()) {
        observers = null;
        Fetch<T> f = current;
        if (f != null) {
          boolean initialPaused =
              state.status() == QueryStatus.PENDING && state.fetchStatus() == FetchStatus.PAUSED;
          if (f.consumed || initialPaused) {
            cancelled = cancelLocked(true);
          } else {
            f.retryer.cancelRetry();
          }
        }
        scheduleGcLocked();
      }
    }
    Fetch<T> toCancel = cancelled;
    return () -> endCancel(toCancel);
  }

  /** Queues a recomputation of {@code observer}'s result from the current state. */
  void refresh(QueryObserverImpl<T, ?> observer) {
    synchronized (lock) {
      QueryState<T> s = state;
      client.pipeline().enqueue(() -> observer.onQueryUpdate(this, s));
    }
    client.pipeline().flush();
  }

  /** Runs {@code task} on the pipeline after every notification already queued for this query. */
  void afterNotifications(Runnable task) {
    synchronized (lock) {
      client.pipeline().enqueue(task);
    }
    client.pipeline().flush();
  }

  List<QueryObserverImpl<T, ?>> observers() {
    synchronized (lock) {
      List<QueryObserverImpl<T, ?>> list = observers;
      return list == null ? List.of() : List.copyOf(list);
    }
  }

  int observerCount() {
    synchronized (lock) {
      List<QueryObserverImpl<T, ?>> list = observers;
      return list == null ? 0 : list.size();
    }
  }

  /** When the gc timer is due, epoch ms, or -1 if none runs. */
  long gcDueAt() {
    return client.gcQueue().dueAt(this);
  }

  /** Whether the query has a function that can fetch (not none, not the skipToken). */
  boolean hasFunction() {
    synchronized (lock) {
      return behavior != null && !(behavior instanceof FetchBehavior.Skip);
    }
  }

  @Override
  public String toString() {
    return "Query{" + key + ", " + state.status() + ", " + state.fetchStatus() + "}";
  }

  // ---------------------------------------------------------------- streamed fetches

  /**
   * A streamed refetch in reset mode: back to the reset state (no data unless initial data, no
   * error) while {@code f} keeps fetching. The revert state is left alone, as in TanStack, so a
   * reverting cancel before the first chunk restores what was there before the refetch.
   */
  void resetForStream(Fetch<T> f) {
    synchronized (lock) {
      if (current != f || f.cancelReason != null) {
        return;
      }
      dispatchLocked(
          QueryAction.RESET, Reducer.fetchStatus(resetState().get(), state.fetchStatus()));
    }
    client.pipeline().flush();
  }

  /**
   * A chunk of the streamed fetch {@code f}, written as {@code setQueryData} would (a manual
   * success: status success, fetch status unchanged) but only while {@code f} is the query's
   * current fetch: a cancelled or replaced stream writes nothing more.
   *
   * @return whether it was written
   */
  boolean writeFromFetch(Fetch<T> f, Function<Optional<T>, T> updater) {
    Optional<T> seen = state.data();
    while (true) {
      T next = Objects.requireNonNull(updater.apply(seen), "the stream reducer returned null");
      T stored = share(seen, next);
      synchronized (lock) {
        if (current != f || f.cancelReason != null) {
          return false;
        }
        if (seen.orElse(null) == state.data().orElse(null)) {
          QueryState<T> s = Reducer.setData(state, stored, now());
          revertState = s;
          dispatchLocked(QueryAction.SET_DATA, s);
          break;
        }
        seen = state.data();
      }
    }
    client.pipeline().flush();
    return true;
  }

  // ---------------------------------------------------------------- callbacks of a Fetch

  Object lock() {
    return lock;
  }

  RealQueryClient client() {
    return client;
  }

  /** A step of the running fetch {@code f} (failed attempt, pause, continue); ignored if stale. */
  void onFetchStep(Fetch<T> f, QueryAction action, UnaryOperator<QueryState<T>> step) {
    synchronized (lock) {
      if (current != f) {
        return;
      }
      dispatchLocked(action, step.apply(state));
    }
    client.pipeline().flush();
  }
}
