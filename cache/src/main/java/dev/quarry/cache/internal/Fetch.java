package dev.quarry.cache.internal;

import dev.quarry.cache.CancellationSignal;
import dev.quarry.cache.CancelledException;
import dev.quarry.cache.FetchDirection;
import dev.quarry.cache.FetchStatus;
import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.QueryAction;
import dev.quarry.cache.QueryContext;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Retryer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One fetch of a {@link Query}: its retryer, its cancellation signal and the future every joined
 * caller shares. State changes go back to the query, which serializes them.
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
    this.retryer =
        Retryer.create(
            this::attemptOnce,
            policy,
            query.client().scheduler(),
            () -> query.canFetch(mode),
            () -> query.canContinue(mode),
            this);
    retryer.future().whenComplete((v, e) -> query.settle(this, v, e));
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
    query.onFetchFailed(this, failureCount, error);
  }

  @Override
  public void onPause() {
    query.onFetchStatus(this, QueryAction.PAUSE, FetchStatus.PAUSED);
  }

  @Override
  public void onContinue() {
    query.onFetchStatus(this, QueryAction.CONTINUE, FetchStatus.FETCHING);
  }

  /** The context of one function call; reading its signal is recorded on the fetch. */
  private static final class Context implements QueryContext {
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
  }
}
