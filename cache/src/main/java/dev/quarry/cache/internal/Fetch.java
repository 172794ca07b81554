package dev.quarry.cache.internal;

import dev.quarry.cache.CancellationSignal;
import dev.quarry.cache.CancelledException;
import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.QueryAction;
import dev.quarry.cache.QueryContext;
import dev.quarry.cache.QueryState;
import dev.quarry.cache.QueryStatsListener.FetchOutcome;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Retryer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One fetch of a {@link Query}: its retryer, its cancellation signal, the future every joined
 * caller shares, and how it settles (spec 2.5 steps 8 to 10). State changes go back to the query,
 * which serializes them under its lock; nothing here that may run user code (change detection,
 * completing the future) runs under it.
 */
final class Fetch<T> implements FetchBehavior.Env, Retryer.Hooks {
  final Query<T> query;
  final CompletableFuture<T> promise = new CompletableFuture<>();
  final Signal signal;
  final Retryer<T> retryer;
  final @Nullable FetchDirection direction;
  final FetchBehavior.Run<T> run;
  volatile boolean consumed;
  volatile @Nullable CompletableFuture<?> attempt;
  private final long startedNanos;

  /** Set under the query lock when the fetch is cancelled; its settlement follows it. */
  @Nullable CancelledException cancelReason;

  @SuppressWarnings("FutureReturnValueIgnored") // the callback settles the fetch's own future
  Fetch(
      Query<T> query,
      FetchBehavior.Run<T> run,
      RetryPolicy policy,
      NetworkMode mode,
      @Nullable FetchDirection direction) {
    this.query = query;
    this.run = run;
    this.direction = direction;
    this.signal = new Signal(query.client().errorHandler(), "fetch of " + query.key);
    this.startedNanos = query.client().stats().start();
    this.retryer =
        Retryer.create(
            this::attemptOnce,
            policy,
            query.client().scheduler(),
            () -> canFetch(query.client().connectivity(), mode),
            () -> canContinue(query.client().connectivity(), mode),
            this);
    retryer.future().whenComplete(this::settle);
  }

  /** Whether a fetch may start now, or starts paused (spec 2.6, networkMode). */
  static boolean canFetch(Connectivity connectivity, NetworkMode mode) {
    return mode != NetworkMode.ONLINE || connectivity.isOnline();
  }

  /** Whether a paused fetch may continue now. */
  static boolean canContinue(Connectivity connectivity, NetworkMode mode) {
    return connectivity.isFocused() && (mode == NetworkMode.ALWAYS || connectivity.isOnline());
  }

  void start() {
    retryer.start();
  }

  private CompletableFuture<T> attemptOnce() {
    consumed = false;
    try {
      return Objects.requireNonNull(
              run.attempt(this), "the query function of " + query.key + " returned no stage")
          .toCompletableFuture();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The retryer's outcome: stores it in the query, then completes the shared future. */
  private void settle(@Nullable T value, @Nullable Throwable failure) {
    CancelledException cancelled;
    synchronized (query.lock()) {
      cancelled = cancelReason;
    }
    if (cancelled != null) {
      settleCancelled(cancelled);
      return;
    }
    Throwable error = failure == null ? null : Retryer.unwrap(failure);
    if (error == null && value == null) {
      error =
          new QuarryException(
              "the query function of "
                  + query.key
                  + " completed with null; query data is never null");
    }
    if (error != null) {
      fail(error);
      return;
    }
    T fresh = Objects.requireNonNull(value);
    while (true) {
      Optional<T> old = query.state().data();
      T stored;
      try {
        stored = query.share(old, fresh);
      } catch (RuntimeException e) {
        fail(e);
        return;
      }
      synchronized (query.lock()) {
        cancelled = cancelReason;
        if (cancelled == null) {
          QueryState<T> s = query.state();
          if (old.orElse(null) != s.data().orElse(null)) {
            continue; // the data changed while change detection ran: compare again
          }
          query.client().cacheCallbacks().succeededLocked(query, stored);
          query.finishLocked(QueryAction.SUCCESS, Reducer.success(s, stored, query.now()));
        }
      }
      if (cancelled != null) {
        settleCancelled(cancelled);
        return;
      }
      query.updatePin();
      query.client().pipeline().flush();
      query.client().stats().ended(query.key, FetchOutcome.SUCCESS, startedNanos);
      promise.complete(stored);
      return;
    }
  }

  private void fail(Throwable error) {
    CancelledException cancelled;
    synchronized (query.lock()) {
      cancelled = cancelReason;
      if (cancelled == null) {
        query.client().cacheCallbacks().failedLocked(query, error, query.state().data());
        query.finishLocked(QueryAction.ERROR, Reducer.error(query.state(), error, query.now()));
      }
    }
    if (cancelled != null) {
      settleCancelled(cancelled);
      return;
    }
    query.updatePin();
    query.client().pipeline().flush();
    query.client().stats().ended(query.key, FetchOutcome.ERROR, startedNanos);
    promise.completeExceptionally(error);
  }

  /**
   * A cancelled fetch: a silent cancel follows the fetch that replaced it, a reverting one
   * completes with the data restored if there is any, anything else fails with the cancellation.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the callback completes this fetch's future
  private void settleCancelled(CancelledException why) {
    Fetch<T> replacement;
    synchronized (query.lock()) {
      replacement = query.replacementLocked();
    }
    query.updatePin();
    query.client().pipeline().flush();
    query.client().stats().ended(query.key, FetchOutcome.CANCELLED, startedNanos);
    Optional<T> data = query.state().data();
    if (why.silent()) {
      if (replacement != null && replacement != this) {
        replacement.promise.whenComplete(
            (v, e) -> {
              if (e != null) {
                promise.completeExceptionally(e);
              } else {
                promise.complete(v);
              }
            });
      } else {
        promise.completeExceptionally(why);
      }
    } else if (why.revert() && data.isPresent()) {
      promise.complete(data.get());
    } else {
      promise.completeExceptionally(why);
    }
  }

  void cancelNow(CancelledException why) {
    retryer.cancel(why);
    signal.abort(why);
    CompletableFuture<?> a = attempt;
    if (a != null) {
      a.cancel(true);
    }
  }

  @Override
  public dev.quarry.cache.QueryContext context(
      Optional<Object> pageParam, @Nullable FetchDirection dir) {
    return new Context(this, pageParam, dir);
  }

  @Override
  public <S> java.util.concurrent.CompletionStage<S> track(
      java.util.concurrent.CompletionStage<S> stage) {
    Objects.requireNonNull(stage, "the query function of " + query.key + " returned no stage");
    CompletableFuture<S> cf;
    try {
      cf = stage.toCompletableFuture();
    } catch (UnsupportedOperationException e) {
      return stage;
    }
    attempt = cf;
    if (signal.isCancelled()) {
      cf.cancel(true);
    }
    return cf;
  }

  @Override
  public boolean isCancelled() {
    return signal.isCancelled();
  }

  @Override
  public void onFail(int failureCount, Throwable error) {
    query.onFetchStep(this, QueryAction.FAILED, s -> Reducer.failed(s, failureCount, error));
  }

  @Override
  public String logger() {
    return "dev.quarry.cache";
  }

  @Override
  public String describe() {
    return "fetch of " + query.key;
  }

  @Override
  public void onPause() {
    query.onFetchStep(this, QueryAction.PAUSE, s -> Reducer.fetchStatus(s, FetchStatus.PAUSED));
  }

  @Override
  public void onContinue() {
    query.onFetchStep(
        this, QueryAction.CONTINUE, s -> Reducer.fetchStatus(s, FetchStatus.FETCHING));
  }

  /** The context of one function call; reading its signal is recorded on the fetch. */
  private static final class Context implements QueryContext, StreamTarget {
    private final Fetch<?> fetch;
    private final Optional<Object> pageParam;
    private final @Nullable FetchDirection direction;

    Context(Fetch<?> fetch, Optional<Object> pageParam, @Nullable FetchDirection direction) {
      this.fetch = fetch;
      this.pageParam = pageParam;
      this.direction = direction;
    }

    @Override
    public QueryKey key() {
      return fetch.query.key;
    }

    @Override
    public CancellationSignal signal() {
      fetch.consumed = true;
      return fetch.signal;
    }

    @Override
    public Optional<Object> pageParam() {
      return pageParam;
    }

    @Override
    public Optional<FetchDirection> direction() {
      return Optional.ofNullable(direction);
    }

    @Override
    public JsonHttp http() {
      return fetch.query.client().http();
    }

    @Override
    public boolean isFetched() {
      QueryState<?> s = fetch.query.state();
      return s.dataUpdateCount() + s.errorUpdateCount() > 0;
    }

    @Override
    public void resetForStream() {
      reset(fetch);
    }

    private static <T> void reset(Fetch<T> f) {
      f.query.resetForStream(f);
    }

    @Override
    @SuppressWarnings("unchecked") // the fetch's query holds data of the stream's type
    public <D> boolean write(java.util.function.Function<Optional<D>, D> updater) {
      Fetch<D> typed = (Fetch<D>) fetch;
      return typed.query.writeFromFetch(typed, updater);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <D> Optional<D> data() {
      return (Optional<D>) fetch.query.data();
    }

    @Override
    public boolean isCancelled() {
      return fetch.signal.isCancelled();
    }

    @Override
    public dev.quarry.core.Scheduler scheduler() {
      return fetch.query.client().scheduler();
    }

    @Override
    public dev.quarry.core.Registration onCancel(Runnable callback) {
      return fetch.signal.onCancel(callback);
    }

    @Override
    public void chunkReceived() {
      fetch.query.client().stats().streamChunk(fetch.query.key);
    }

    @Override
    public void resumed() {
      fetch.query.client().stats().streamResumed(fetch.query.key);
    }
  }
}
