package dev.quarry.optimistic.internal;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.http.JsonType;
import dev.quarry.core.internal.ListenerSet;
import dev.quarry.core.internal.Owned;
import dev.quarry.core.internal.SubsystemErrors;
import dev.quarry.optimistic.CallSiteCallbacks;
import dev.quarry.optimistic.DehydratedMutations;
import dev.quarry.optimistic.MutationCacheConfig;
import dev.quarry.optimistic.MutationCacheEvent;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.optimistic.MutationObserver;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.optimistic.MutationState;
import dev.quarry.optimistic.MutationStatus;
import dev.quarry.optimistic.OutboxException;
import dev.quarry.optimistic.OutboxRecord;
import dev.quarry.optimistic.OutboxStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The {@link MutationClient}: the mutation cache (a {@link MutationRegistry}), the loop every step
 * runs on, the outbox and the optimistic layers. Each {@link RealMutation} reaches it through the
 * narrow {@link MutationHost} it is given, never through fields. {@code lock} orders the outbox
 * writes and the registry additions of submissions and restores; no user code runs under it.
 */
public final class RealMutationClient implements MutationClient {
  private final Clock clock;
  private final Executor callbackExecutor;
  private final ErrorHandler errorHandler;
  private final Connectivity connectivity;
  private final @Nullable JsonHttp http;
  private final MutationCacheConfig cacheConfig;
  private final MutationLoop loop;
  private final @Nullable QueryClient queries;
  private final @Nullable OptimisticLayers layers;
  private final @Nullable Outbox outbox;

  /** What this client created (scheduler, callback thread) and stops when it closes. */
  private final Owned owned;

  private final Object lock = new Object();
  private final MutationRegistry registry = new MutationRegistry();
  private final ResumeRounds resumeRounds = new ResumeRounds(registry);
  private final MutationDefaults defaults;
  private final AtomicLong ids = new AtomicLong();
  private final ListenerSet<MutationCacheEvent> listeners;
  private final List<Registration> subscriptions = new ArrayList<>();
  private final MutationHost host = new Host();
  private final MutationHydration hydration;
  private volatile boolean closed;

  /**
   * Builds the client from what {@code MutationClient.Builder} collected.
   *
   * @throws dev.quarry.optimistic.OutboxException if the outbox file cannot be opened
   * @throws IllegalArgumentException if a connectivity other than the query client's is set
   */
  public RealMutationClient(MutationClientConfig b) {
    this.clock = b.clock();
    this.defaults = new MutationDefaults(b.defaults());
    ErrorHandler handler = SubsystemErrors.of(b.errorHandler(), "dev.quarry.optimistic");
    this.errorHandler = handler;
    QueryClient qc = b.queries();
    this.queries = qc;
    Connectivity conn = b.connectivity();
    if (conn == null) {
      conn = qc != null ? qc.connectivity() : Connectivity.create();
    } else if (qc != null && conn != qc.connectivity()) {
      throw new IllegalArgumentException(
          "connectivity must be the queryClient's own (or left unset) but was " + conn);
    }
    this.connectivity = conn;
    // Opened before any thread is started, so that a failure leaves nothing behind.
    OutboxStore store = b.outbox();
    boolean owns = false;
    if (store == null && b.outboxFile() != null) {
      store = OutboxStore.open(b.outboxFile());
      owns = true;
    }
    this.outbox = store == null ? null : new Outbox(store, owns, b.mapper(), handler);
    this.owned = new Owned("mutation client", handler);
    Executor given = b.callbackExecutor();
    this.callbackExecutor =
        given != null ? given : owned.singleThreadExecutor("mutations-callbacks");
    Scheduler givenScheduler = b.scheduler();
    Scheduler scheduler =
        givenScheduler != null
            ? givenScheduler
            : owned.add("scheduler", RealScheduler.create(handler));
    this.http = b.http();
    this.cacheConfig = b.cacheConfig();
    this.loop = new MutationLoop(callbackExecutor, scheduler, handler);
    this.listeners = new ListenerSet<>(callbackExecutor, handler, "mutation cache");
    this.hydration = new MutationHydration(b.mapper(), handler);
    if (qc != null) {
      OptimisticLayers l = new OptimisticLayers(qc, loop, handler);
      this.layers = l;
      subscriptions.add(l::close);
      // Paused mutations resume, and settle, before queries refetch on reconnect.
      subscriptions.add(qc.addReconnectBarrier(this::resumePausedMutations));
    } else {
      this.layers = null;
    }
    if (b.resumeOnReconnect() && qc == null) {
      subscriptions.add(
          connectivity.onOnlineChange(
              online -> {
                if (online) {
                  RealMutation.ignore(resumePausedMutations());
                }
              }));
      subscriptions.add(
          connectivity.onFocusChange(
              focused -> {
                if (focused) {
                  RealMutation.ignore(resumePausedMutations());
                }
              }));
    }
  }

  // ---- submitting ----

  @Override
  public <V, R, C> MutationObserver<V, R, C> mutation(MutationOptions<V, R, C> options) {
    checkOpen();
    return new RealMutationHandle<>(this, Objects.requireNonNull(options, "options"));
  }

  @Override
  public <V, R, C> CompletableFuture<R> mutate(MutationOptions<V, R, C> options, V variables) {
    return submit(options, variables, CallSiteCallbacks.none(), null);
  }

  @Override
  public <V, R, C> CompletableFuture<R> mutate(
      MutationOptions<V, R, C> options, V variables, CallSiteCallbacks<V, R, C> callbacks) {
    return submit(options, variables, Objects.requireNonNull(callbacks, "callbacks"), null);
  }

  <V, R, C> CompletableFuture<R> submit(
      MutationOptions<V, R, C> given,
      V variables,
      CallSiteCallbacks<V, R, C> callSite,
      @Nullable RealMutationHandle<V, R, C> owner) {
    Objects.requireNonNull(given, "options");
    Objects.requireNonNull(variables, "variables");
    checkOpen();
    MutationOptions<V, R, C> options = defaultMutationOptions(given);
    if (!options.optimisticUpdates().isEmpty() && queries == null) {
      throw new IllegalArgumentException(
          "the mutation "
              + options
              + " declares optimistic updates but the MutationClient has no queryClient(...)");
    }
    RealMutation<V, R, C> m;
    synchronized (lock) {
      String idempotencyKey = null;
      long sequence = -1;
      if (options.persistent()) {
        QueryKey key = options.mutationKey().orElse(null);
        JsonType<V> type = options.variablesType().orElse(null);
        Outbox box = outbox;
        if (key == null) {
          throw new IllegalArgumentException("a persistent mutation needs a mutationKey");
        }
        if (type == null) {
          throw new IllegalArgumentException(
              "the persistent mutation " + key + " needs a variablesType");
        }
        if (box == null) {
          throw new IllegalArgumentException(
              "the mutation "
                  + key
                  + " is persistent but the MutationClient has no outbox: set outbox(...)");
        }
        try {
          OutboxRecord record =
              box.record(key, type, variables, options.scope(), clock.currentTimeMillis());
          idempotencyKey = record.idempotencyKey();
          sequence = record.sequence();
        } catch (OutboxException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
      m =
          new RealMutation<>(
              host,
              ids.incrementAndGet(),
              options,
              variables,
              idempotencyKey,
              sequence,
              false,
              callSite,
              owner,
              null);
      registry.add(m);
    }
    emit(new MutationCacheEvent.Added(m.info()));
    if (owner != null) {
      owner.attach(m);
    }
    loop.execute(m::execute);
    return m.result;
  }

  // ---- defaults ----

  @Override
  public void setMutationDefaults(QueryKey key, MutationOptions<?, ?, ?> options) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(options, "options");
    defaults.set(key, options);
  }

  @Override
  public Optional<MutationOptions<?, ?, ?>> getMutationDefaults(QueryKey key) {
    Objects.requireNonNull(key, "key");
    return defaults.matching(key);
  }

  @Override
  public <V, R, C> MutationOptions<V, R, C> defaultMutationOptions(
      MutationOptions<V, R, C> options) {
    Objects.requireNonNull(options, "options");
    return defaults.apply(options);
  }

  // ---- paused mutations and the outbox ----

  @Override
  public CompletableFuture<Void> resumePausedMutations() {
    CompletableFuture<Void> out = new CompletableFuture<>();
    if (closed) {
      out.complete(null);
      return out;
    }
    loop.execute(() -> resumeRounds.resume(out));
    return out;
  }

  @Override
  public CompletableFuture<Void> resumeOutbox() {
    checkOpen();
    Outbox box = outbox;
    if (box == null) {
      return CompletableFuture.completedFuture(null);
    }
    loop.execute(
        () ->
            registry.all().stream()
                .filter(m -> m.sequence >= 0)
                .forEach(RealMutation::resumeIfPaused));
    List<RealMutation<?, ?, ?>> restored = new ArrayList<>();
    synchronized (lock) {
      for (OutboxRecord record : box.notLive()) {
        try {
          RealMutation<?, ?, ?> m = restore(box, record);
          box.markLive(record.sequence());
          registry.add(m);
          restored.add(m);
        } catch (OutboxException e) {
          box.setAside(record, e);
        }
      }
    }
    restored.forEach(m -> emit(new MutationCacheEvent.Added(m.info())));
    OutboxLog.resumed(restored.size());
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (RealMutation<?, ?, ?> m : restored) {
      chain =
          chain.thenCompose(
              x -> {
                loop.execute(m::execute);
                return m.result.handle((r, e) -> (Void) null);
              });
    }
    return chain;
  }

  private RealMutation<Object, Object, Object> restore(Outbox box, OutboxRecord record) {
    QueryKey key = Outbox.key(record);
    MutationOptions<Object, Object, Object> options =
        defaultMutationOptions(MutationOptions.builder().mutationKey(key).build());
    if (!options.hasMutationFn()) {
      throw new OutboxException(
          "outbox record "
              + record.sequence()
              + ": no mutation defaults with a mutationFn for key "
              + key);
    }
    JsonType<Object> type = options.variablesType().orElse(null);
    if (type == null) {
      throw new OutboxException(
          "outbox record "
              + record.sequence()
              + ": the defaults for key "
              + key
              + " have no variablesType");
    }
    return new RealMutation<>(
        host,
        ids.incrementAndGet(),
        options,
        box.variables(record, key, type),
        record.idempotencyKey(),
        record.sequence(),
        true,
        CallSiteCallbacks.none(),
        null,
        null);
  }

  // ---- restoring and hydrating ----

  @Override
  public <V, R, C> CompletableFuture<R> restoreMutation(
      MutationOptions<V, R, C> given, MutationState<V, R, C> state) {
    Objects.requireNonNull(given, "options");
    Objects.requireNonNull(state, "state");
    checkOpen();
    if (state.isIdle()) {
      throw new IllegalArgumentException(
          "an idle state has nothing to restore: give a pending or settled one");
    }
    V variables =
        state
            .variables()
            .orElseThrow(
                () -> new IllegalArgumentException("the state to restore has no variables"));
    MutationOptions<V, R, C> options = defaultMutationOptions(given);
    if (!options.optimisticUpdates().isEmpty() && queries == null) {
      throw new IllegalArgumentException(
          "the mutation "
              + options
              + " declares optimistic updates but the MutationClient has no queryClient(...)");
    }
    RealMutation<V, R, C> m =
        new RealMutation<>(
            host,
            ids.incrementAndGet(),
            options,
            variables,
            null,
            -1,
            true,
            CallSiteCallbacks.none(),
            null,
            state);
    synchronized (lock) {
      registry.add(m);
    }
    emit(new MutationCacheEvent.Added(m.info()));
    if (!state.isPending()) {
      loop.execute(m::scheduleGc);
    }
    return m.result;
  }

  @Override
  public DehydratedMutations dehydrate() {
    return dehydrate(MutationHydration::pausedAndNotInTheOutbox);
  }

  @Override
  public DehydratedMutations dehydrate(Predicate<? super MutationInfo> filter) {
    Objects.requireNonNull(filter, "filter");
    return hydration.dehydrate(registry.all(), filter);
  }

  @Override
  public void hydrate(DehydratedMutations state) {
    Objects.requireNonNull(state, "state");
    checkOpen();
    hydration.hydrate(
        state,
        this::defaultMutationOptions,
        (options, saved) -> RealMutation.ignore(restoreMutation(options, saved)));
  }

  @Override
  public List<OutboxRecord> outboxRecords() {
    Outbox box = outbox;
    return box == null ? List.of() : box.pending();
  }

  @Override
  public List<OutboxRecord.SetAside> setAsideRecords() {
    Outbox box = outbox;
    return box == null ? List.of() : box.setAsideRecords();
  }

  @Override
  public java.util.OptionalLong outboxSizeOnDisk() {
    Outbox box = outbox;
    long bytes = box == null ? -1 : box.sizeOnDisk();
    return bytes < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(bytes);
  }

  // ---- query data under the optimistic layers ----

  @Override
  public <T> Optional<T> setQueryDataUnderLayers(
      QueryKey key, Function<Optional<T>, Optional<T>> updater) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(updater, "updater");
    OptimisticLayers l = layers;
    if (l == null) {
      throw new IllegalStateException(
          "setQueryDataUnderLayers needs a MutationClient built with queryClient(...)");
    }
    return l.setQueryData(key, updater);
  }

  @Override
  public <T> Optional<T> setQueryDataUnderLayers(QueryKey key, T value) {
    Objects.requireNonNull(value, "value");
    return setQueryDataUnderLayers(key, (Optional<T> old) -> Optional.of(value));
  }

  /** Whether {@code key} has optimistic layers now (for tests and the inspector). */
  public boolean isLayered(QueryKey key) {
    OptimisticLayers l = layers;
    return l != null && l.isLayered(key);
  }

  // ---- the mutation cache ----

  @Override
  public int isMutating() {
    return isMutating(MutationFilters.all());
  }

  @Override
  public int isMutating(MutationFilters filters) {
    return findAll(filters.status(MutationStatus.PENDING)).size();
  }

  @Override
  public List<MutationInfo> findAll(MutationFilters filters) {
    Objects.requireNonNull(filters, "filters");
    List<MutationInfo> out = new ArrayList<>();
    for (RealMutation<?, ?, ?> m : registry.all()) {
      MutationInfo info = m.info();
      if (filters.matches(info)) {
        out.add(info);
      }
    }
    return out;
  }

  @Override
  public Optional<MutationInfo> find(MutationFilters filters) {
    List<MutationInfo> all = findAll(filters);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  @Override
  public Registration subscribe(Consumer<? super MutationCacheEvent> listener) {
    checkOpen();
    return listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void clear() {
    registry.all().forEach(this::remove);
  }

  @Override
  public Connectivity connectivity() {
    return connectivity;
  }

  private void remove(RealMutation<?, ?, ?> m) {
    if (registry.remove(m)) {
      loop.execute(m::cancelGc);
      emit(new MutationCacheEvent.Removed(m.info()));
    }
  }

  private void emit(MutationCacheEvent event) {
    listeners.emit(event);
  }

  // ---- for the handles ----

  Executor callbackExecutor() {
    return callbackExecutor;
  }

  ErrorHandler errorHandler() {
    return errorHandler;
  }

  MutationLoop loop() {
    return loop;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the MutationClient is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    subscriptions.forEach(Registration::close);
    resumeRounds.closeAll();
    for (RealMutation<?, ?, ?> m : registry.all()) {
      m.result.completeExceptionally(new QuarryException(m.describe() + ": the client was closed"));
    }
    if (outbox != null) {
      outbox.close();
    }
    owned.close();
  }

  @Override
  public String toString() {
    return "MutationClient{mutations=" + registry.size() + ", outbox=" + outbox + "}";
  }

  /** The client as its mutations see it. */
  private final class Host implements MutationHost {
    @Override
    public MutationLoop loop() {
      return loop;
    }

    @Override
    public long now() {
      return clock.currentTimeMillis();
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    @Override
    public Connectivity connectivity() {
      return connectivity;
    }

    @Override
    public ErrorHandler errorHandler() {
      return errorHandler;
    }

    @Override
    public MutationCacheConfig cacheConfig() {
      return cacheConfig;
    }

    @Override
    public @Nullable JsonHttp http() {
      return http;
    }

    @Override
    public @Nullable OptimisticLayers layers() {
      return layers;
    }

    @Override
    public CompletableFuture<Void> invalidate(List<QueryKey> keys) {
      QueryClient qc = queries;
      if (qc == null) {
        return CompletableFuture.completedFuture(null);
      }
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (QueryKey key : keys) {
        all.add(qc.invalidateQueries(QueryFilters.exact(key)));
      }
      return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    @Override
    public boolean isFirstPendingInScope(RealMutation<?, ?, ?> m) {
      return registry.isFirstPendingInScope(m);
    }

    @Override
    public void stateChanged(MutationCacheEvent event) {
      emit(event);
      resumeRounds.check();
    }

    @Override
    public void settling(RealMutation<?, ?, ?> m) {
      Outbox box = outbox;
      if (m.sequence >= 0 && box != null && !closed) {
        box.done(m.sequence, m.describe());
      }
      // After m settled: continues the next paused mutation of its scope (on the loop).
      registry.nextPausedInScope(m).ifPresent(RealMutation::resumeIfPaused);
    }

    @Override
    public void settled(RealMutation<?, ?, ?> m) {
      resumeRounds.check();
    }

    @Override
    public void remove(RealMutation<?, ?, ?> m) {
      RealMutationClient.this.remove(m);
    }
  }
}
