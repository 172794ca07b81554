package dev.quarry.optimistic.internal;

import dev.quarry.cache.NetworkMode;
import dev.quarry.core.Cancellable;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.internal.Retryer;
import dev.quarry.optimistic.CallSiteCallbacks;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.optimistic.MutationCacheEvent;
import dev.quarry.optimistic.MutationCallbacks;
import dev.quarry.optimistic.MutationContext;
import dev.quarry.optimistic.MutationFunction;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.optimistic.MutationState;
import dev.quarry.optimistic.OptimisticUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One submitted mutation (TanStack's {@code MutationObserver}): runs {@code execute} once, in
 * TanStack's order (cache and option {@code onMutate}, the function through the retry loop, then
 * the success or error path). Every step runs on the client's loop (a serial executor), so state
 * changes need no lock; {@link #state} is volatile for readers on other threads. It reaches its
 * client only through the {@link MutationHost} it is given.
 */
final class RealMutation<V, R, C> {
  private final MutationHost host;
  final long id;
  final MutationOptions<V, R, C> options;
  final @Nullable QueryKey key;
  final @Nullable String scope;
  final @Nullable String idempotencyKey;
  final long sequence;
  final boolean restored;

  /** Built from a saved pending state: runs on the restored path when paused mutations resume. */
  private final boolean waitsForResume;

  final V variables;
  final CompletableFuture<R> result = new CompletableFuture<>();
  final CopyOnWriteArrayList<RealMutationHandle<V, R, C>> observers = new CopyOnWriteArrayList<>();

  private final AtomicBoolean started = new AtomicBoolean();
  private final CallSiteCallbacks<V, R, C> callSite;
  private final @Nullable RealMutationHandle<V, R, C> owner;
  private volatile MutationState<V, R, C> state = MutationState.idle();
  private @Nullable Retryer<R> retryer;
  private final @Nullable PersistentRetry persistentRetry;
  private Optional<C> context = Optional.empty();
  private @Nullable Cancellable gcTimer;
  private List<QueryKey> optimisticKeys = List.of();

  RealMutation(
      MutationHost host,
      long id,
      MutationOptions<V, R, C> options,
      V variables,
      @Nullable String idempotencyKey,
      long sequence,
      boolean restored,
      CallSiteCallbacks<V, R, C> callSite,
      @Nullable RealMutationHandle<V, R, C> owner,
      @Nullable MutationState<V, R, C> saved) {
    this.host = host;
    this.id = id;
    this.options = options;
    this.key = options.mutationKey().orElse(null);
    this.scope = options.scope().orElse(null);
    this.variables = variables;
    this.idempotencyKey = idempotencyKey;
    this.sequence = sequence;
    this.restored = restored || saved != null;
    this.waitsForResume = saved != null && saved.isPending();
    this.callSite = callSite;
    this.owner = owner;
    this.persistentRetry =
        options.persistent()
            ? new PersistentRetry(
                host.loop().scheduler(), host::isClosed, this::pauseToRetry, this::continueToRetry)
            : null;
    if (saved != null) {
      // Built from a saved state: a pending one is paused until paused mutations resume; a
      // settled one never runs.
      context = saved.context();
      if (saved.isPending()) {
        state = saved.withPaused(true);
      } else {
        state = saved;
        started.set(true);
        if (saved.isSuccess()) {
          result.complete(saved.data().orElse(null));
        } else {
          result.completeExceptionally(
              saved
                  .error()
                  .orElseGet(() -> new QuarryException(describe() + " was restored as failed")));
        }
      }
    } else if (restored) {
      // A restored mutation is pending and paused until its turn (hydration).
      state = MutationStates.pending(variables, Optional.empty(), true, host.now());
    }
  }

  MutationState<V, R, C> state() {
    return state;
  }

  MutationInfo info() {
    return new MutationInfo(
        id,
        Optional.ofNullable(key),
        Optional.ofNullable(scope),
        options.meta(),
        Optional.ofNullable(idempotencyKey),
        restored,
        state);
  }

  boolean hasStarted() {
    return started.get();
  }

  /** Whether this mutation was built from a saved pending state and waits for a resume. */
  boolean waitsForResume() {
    return waitsForResume && !started.get();
  }

  String describe() {
    return "mutation #" + id + (key == null ? "" : " " + key);
  }

  // ---- the scope check and network checks ----

  boolean canRun() {
    return scope == null || host.isFirstPendingInScope(this);
  }

  boolean networkAllowsStart() {
    return options.networkMode() != NetworkMode.ONLINE || host.connectivity().isOnline();
  }

  boolean networkAllowsContinue() {
    return host.connectivity().isFocused()
        && (options.networkMode() == NetworkMode.ALWAYS || host.connectivity().isOnline());
  }

  private boolean canStart() {
    return networkAllowsStart() && canRun();
  }

  private boolean canContinue() {
    return networkAllowsContinue() && canRun();
  }

  // ---- execution (on the loop) ----

  /** Runs the mutation once; later calls do nothing. */
  void execute() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    CompletableFuture<Optional<C>> contextStage;
    if (restored) {
      // Restored path: no onMutate (the context is the saved one, if any), but the declared
      // optimistic changes are shown again while the mutation is pending.
      Optional<C> saved = context;
      dispatch(MutationCacheEvent.Action.CONTINUE, state.withPaused(false));
      contextStage = applyOptimistic().thenApply(x -> saved);
    } else {
      dispatch(MutationCacheEvent.Action.PENDING, pending(Optional.empty(), !canStart()));
      contextStage =
          cacheOnMutate()
              .thenCompose(ignored -> optionsOnMutate())
              .thenCompose(ctx -> applyOptimistic().thenApply(x -> ctx))
              .thenApply(
                  ctx -> {
                    if (ctx.isPresent()) {
                      dispatch(MutationCacheEvent.Action.PENDING, pending(ctx, state.isPaused()));
                    }
                    return ctx;
                  });
    }
    CompletableFuture<R> outcome =
        handleCompose(
            contextStage.thenCompose(
                ctx -> {
                  context = ctx;
                  return runFunction();
                }),
            (data, error) -> error == null ? successPath(data) : errorPath(Retryer.unwrap(error)));
    // settle() completes the mutation's result future, which is what callers observe.
    ignore(
        handleCompose(
            outcome,
            (data, error) ->
                invalidateOptimistic()
                    .handle(
                        (x, y) -> {
                          settle(data, error);
                          return Boolean.TRUE;
                        })));
  }

  /** {@code f.handle(fn)} flattened. */
  @SuppressWarnings("FutureReturnValueIgnored") // the nested future is flattened right away
  static <T, U> CompletableFuture<U> handleCompose(
      CompletableFuture<T> f,
      java.util.function.BiFunction<? super T, Throwable, CompletableFuture<U>> fn) {
    return f.handle(fn).thenCompose(stage -> stage);
  }

  /** Marks a future whose outcome is observed elsewhere. */
  @SuppressWarnings("FutureReturnValueIgnored")
  static void ignore(CompletableFuture<?> f) {
    // Nothing to do: the future's effects are its callbacks.
  }

  private CompletableFuture<?> applyOptimistic() {
    OptimisticLayers layers = host.layers();
    if (layers == null || options.optimisticUpdates().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Map<QueryKey, List<OptimisticUpdate<Object, Object>>> targets;
    try {
      targets = OptimisticLayers.targets(this);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    optimisticKeys = new ArrayList<>(targets.keySet());
    return layers.apply(this, targets);
  }

  private CompletableFuture<?> invalidateOptimistic() {
    if (host.layers() == null || optimisticKeys.isEmpty() || !options.invalidateOnSettled()) {
      return CompletableFuture.completedFuture(null);
    }
    return host.loop().onLoop(host.invalidate(optimisticKeys));
  }

  /**
   * Wakes a paused mutation (TanStack's {@code continue()}); only effective if it may continue. A
   * persistent mutation waiting to retry after a failure retries now.
   */
  void resumeIfPaused() {
    Retryer<R> r = retryer;
    if (r == null) {
      // Built from a saved state (TanStack's continue() on a hydrated mutation): runs now if the
      // network lets it; its retry loop then waits for its turn in its scope.
      if (waitsForResume() && networkAllowsContinue()) {
        execute();
      }
      return;
    }
    if (r.resume()) {
      return;
    }
    PersistentRetry p = persistentRetry;
    if (p != null && canContinue()) {
      p.wake();
    }
  }

  /** Whether this persistent mutation is paused, waiting to retry after a retryable failure. */
  boolean isWaitingToRetry() {
    PersistentRetry p = persistentRetry;
    return p != null && p.isWaiting();
  }

  /** A persistent mutation's attempt failed retryably and its retry wait started: it pauses. */
  private void pauseToRetry() {
    if (!state.isPaused()) {
      dispatch(MutationCacheEvent.Action.PAUSE, state.withPaused(true));
    }
  }

  /** A persistent mutation's retry wait ended: it continues if it may, else stays paused. */
  private void continueToRetry() {
    if (state.isPaused() && canContinue()) {
      dispatch(MutationCacheEvent.Action.CONTINUE, state.withPaused(false));
    }
  }

  private MutationState<V, R, C> pending(Optional<C> ctx, boolean paused) {
    return MutationStates.pending(variables, ctx, paused, host.now());
  }

  private CompletableFuture<?> cacheOnMutate() {
    MutationCacheConfig.OnMutate hook = host.cacheConfig().onMutate().orElse(null);
    if (hook == null) {
      return CompletableFuture.completedFuture(Boolean.TRUE);
    }
    return host.loop().callUser(() -> hook.apply(variables, info()));
  }

  private CompletableFuture<Optional<C>> optionsOnMutate() {
    MutationCallbacks.MutateAsync<V, C> hook = options.onMutate().orElse(null);
    if (hook == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return host.loop()
        .callUser(() -> hook.apply(variables, functionContext()))
        .thenApply(Optional::ofNullable);
  }

  private CompletableFuture<R> runFunction() {
    MutationFunction<V, R> fn = options.mutationFn().orElse(null);
    if (fn == null) {
      return CompletableFuture.failedFuture(
          new QuarryException(
              "no mutation function for "
                  + describe()
                  + ": set mutationFn in its options or in setMutationDefaults for its key"));
    }
    MutationContext ctx = functionContext();
    PersistentRetry persistent = persistentRetry;
    Retryer<R> r =
        Retryer.create(
            () -> host.loop().callUser(() -> fn.apply(variables, ctx)),
            persistent == null ? options.retry() : PersistentRetry.policy(options),
            persistent == null ? host.loop().scheduler() : persistent,
            this::canStart,
            this::canContinue,
            new Retryer.Hooks() {
              @Override
              public String logger() {
                return "dev.quarry.optimistic";
              }

              @Override
              public String describe() {
                return RealMutation.this.describe();
              }

              @Override
              public void onFail(int failureCount, Throwable error) {
                dispatch(
                    MutationCacheEvent.Action.FAILED,
                    MutationStates.failed(state, failureCount, error));
              }

              @Override
              public void onPause() {
                if (persistent == null || !state.isPaused()) {
                  dispatch(MutationCacheEvent.Action.PAUSE, state.withPaused(true));
                }
              }

              @Override
              public void onContinue() {
                dispatch(MutationCacheEvent.Action.CONTINUE, state.withPaused(false));
              }
            });
    retryer = r;
    r.start();
    return host.loop().onLoop(r.future());
  }

  private CompletableFuture<R> successPath(R data) {
    OptimisticLayers layers = host.layers();
    if (layers != null && !optimisticKeys.isEmpty()) {
      layers.commit(this, optimisticKeys);
    }
    MutationCacheConfig cfg = host.cacheConfig();
    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
    if (cfg.onSuccess().isPresent()) {
      MutationCacheConfig.OnSuccess hook = cfg.onSuccess().get();
      chain =
          chain.thenCompose(
              x -> host.loop().callUser(() -> hook.apply(data, variables, erased(), info())));
    }
    if (options.onSuccess().isPresent()) {
      MutationCallbacks.SuccessAsync<V, R, C> hook = options.onSuccess().get();
      chain =
          chain.thenCompose(x -> host.loop().callUser(() -> hook.apply(data, variables, context)));
    }
    if (cfg.onSettled().isPresent()) {
      MutationCacheConfig.OnSettled hook = cfg.onSettled().get();
      chain =
          chain.thenCompose(
              x ->
                  host.loop()
                      .callUser(
                          () ->
                              hook.apply(
                                  Optional.ofNullable(data),
                                  Optional.empty(),
                                  variables,
                                  erased(),
                                  info())));
    }
    if (options.onSettled().isPresent()) {
      MutationCallbacks.SettledAsync<V, R, C> hook = options.onSettled().get();
      chain =
          chain.thenCompose(
              x ->
                  host.loop()
                      .callUser(
                          () ->
                              hook.apply(
                                  Optional.ofNullable(data),
                                  Optional.empty(),
                                  variables,
                                  context)));
    }
    return handleCompose(
        chain,
        (ok, error) -> {
          if (error != null) {
            return errorPath(Retryer.unwrap(error));
          }
          dispatch(MutationCacheEvent.Action.SUCCESS, MutationStates.succeeded(state, data));
          CompletableFuture<?> site = CompletableFuture.completedFuture(null);
          if (callSiteApplies()) {
            site =
                thenHook(
                    site,
                    callSite.onSuccess(),
                    "onSuccess",
                    h -> h.apply(data, variables, context));
            site =
                thenHook(
                    site,
                    callSite.onSettled(),
                    "onSettled",
                    h -> h.apply(Optional.ofNullable(data), Optional.empty(), variables, context));
          }
          return site.thenApply(x -> data);
        });
  }

  private CompletableFuture<R> errorPath(Throwable error) {
    OptimisticLayers layers = host.layers();
    if (layers != null && !optimisticKeys.isEmpty()) {
      layers.rollback(this, optimisticKeys);
      host.stateChanged(new MutationCacheEvent.RolledBack(info(), optimisticKeys));
      String what = "optimistic update of " + describe() + " on " + optimisticKeys + " rolled back";
      if (errorIsHandled()) {
        // The error reaches a callback of the application: not an uncaught error.
        DebugLog.LOG.debug("{}: {}", what, error.toString());
      } else {
        host.errorHandler().safeHandle(what, error);
      }
    }
    MutationCacheConfig cfg = host.cacheConfig();
    CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
    chain =
        thenHook(
            chain,
            cfg.onError(),
            "cache onError",
            h -> h.apply(error, variables, erased(), info()));
    chain = thenHook(chain, options.onError(), "onError", h -> h.apply(error, variables, context));
    chain =
        thenHook(
            chain,
            cfg.onSettled(),
            "cache onSettled",
            h -> h.apply(Optional.empty(), Optional.of(error), variables, erased(), info()));
    chain =
        thenHook(
            chain,
            options.onSettled(),
            "onSettled",
            h -> h.apply(Optional.empty(), Optional.of(error), variables, context));
    return chain
        .thenCompose(
            x -> {
              dispatch(MutationCacheEvent.Action.ERROR, MutationStates.errored(state, error));
              CompletableFuture<?> site = CompletableFuture.completedFuture(null);
              if (callSiteApplies()) {
                site =
                    thenHook(
                        site,
                        callSite.onError(),
                        "onError",
                        h -> h.apply(error, variables, context));
                site =
                    thenHook(
                        site,
                        callSite.onSettled(),
                        "onSettled",
                        h -> h.apply(Optional.empty(), Optional.of(error), variables, context));
              }
              return site;
            })
        .thenCompose(x -> CompletableFuture.<R>failedFuture(error));
  }

  /** Whether an {@code onError} of the options, the mutation cache or the call site gets errors. */
  private boolean errorIsHandled() {
    return options.onError().isPresent()
        || host.cacheConfig().onError().isPresent()
        || (callSite.onError().isPresent() && callSiteApplies());
  }

  /** Loaded only when a debug line is written, so SLF4J starts only if Quarry logs. */
  private static final class DebugLog {
    static final Logger LOG = LoggerFactory.getLogger("dev.quarry.optimistic");
  }

  /**
   * Call-site callbacks of a handle's {@code mutate} run only for its latest mutation and only
   * while the handle has listeners (TanStack's MutationObserver); those of the client's own {@code
   * mutate} always run.
   */
  private boolean callSiteApplies() {
    RealMutationHandle<V, R, C> o = owner;
    return o == null || (o.isCurrent(this) && o.hasListeners());
  }

  /** Runs a callback whose failure is reported and does not change the outcome. */
  /**
   * {@code chain}, then {@code hook} (if there is one) called through {@link #isolated}, so that
   * what it throws or fails with is reported under {@code what} and the chain goes on.
   */
  private <H> CompletableFuture<?> thenHook(
      CompletableFuture<?> chain, Optional<H> hook, String what, HookCall<H> call) {
    if (hook.isEmpty()) {
      return chain;
    }
    H h = hook.get();
    return chain.thenCompose(x -> isolated(what, () -> call.call(h)));
  }

  /** One call of a user callback {@code H}, which may throw. */
  private interface HookCall<H> {
    java.util.concurrent.CompletionStage<?> call(H hook) throws Exception;
  }

  private CompletableFuture<Boolean> isolated(String what, MutationLoop.UserCall<?> call) {
    return host.loop()
        .callUser(call)
        .handle(
            (ok, e) -> {
              if (e != null) {
                host.errorHandler().safeHandle(what + " of " + describe(), Retryer.unwrap(e));
              }
              return Boolean.TRUE;
            });
  }

  private void settle(@Nullable R data, @Nullable Throwable error) {
    retryer = null;
    host.settling(this);
    scheduleGc();
    if (error != null) {
      result.completeExceptionally(Retryer.unwrap(error));
    } else {
      result.complete(data);
    }
    host.settled(this);
  }

  @SuppressWarnings("unchecked")
  private Optional<Object> erased() {
    return (Optional<Object>) context;
  }

  private MutationContext functionContext() {
    return new MutationContexts(
        id,
        Optional.ofNullable(key),
        options.meta(),
        Optional.ofNullable(idempotencyKey),
        host.http(),
        describe());
  }

  // ---- state, events, gc ----

  void dispatch(MutationCacheEvent.Action action, MutationState<V, R, C> next) {
    state = next;
    for (RealMutationHandle<V, R, C> o : observers) {
      o.onState(this, next);
    }
    host.stateChanged(new MutationCacheEvent.Updated(info(), action));
  }

  void scheduleGc() {
    Cancellable previous = gcTimer;
    if (previous != null) {
      previous.cancel();
    }
    gcTimer = host.loop().scheduler().schedule(options.gcTime(), this::gcFire);
  }

  void cancelGc() {
    Cancellable previous = gcTimer;
    gcTimer = null;
    if (previous != null) {
      previous.cancel();
    }
  }

  private void gcFire() {
    gcTimer = null;
    if (state.isPending() || !observers.isEmpty()) {
      return; // re-armed when it settles or its last observer leaves
    }
    host.remove(this);
  }

  @Override
  public String toString() {
    return "RealMutation{" + describe() + ", " + state.status() + "}";
  }
}
