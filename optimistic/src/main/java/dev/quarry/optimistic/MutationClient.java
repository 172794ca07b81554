package dev.quarry.optimistic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryFilters;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RealScheduler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.Subscription;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.http.JsonType;
import dev.quarry.core.internal.Defaults;
import dev.quarry.core.internal.ListenerSet;
import dev.quarry.core.internal.Owned;
import dev.quarry.core.internal.Retryer;
import dev.quarry.core.internal.SerialExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs mutations with TanStack Query v5's mutation semantics and keeps them in a mutation cache;
 * with an {@link OutboxStore}, persistent mutations survive a restart.
 *
 * <pre>{@code
 * MutationClient mutations = MutationClient.builder()
 *     .http(jsonHttp)
 *     .outbox(OutboxStore.open(dir.resolve("outbox.mv")))
 *     .build();
 * mutations.setMutationDefaults(CREATE_EPISODE, MutationOptions.<NewEpisode, Episode, Void>builder()
 *     .mutationFn((ep, ctx) -> ctx.http().post("episodes", ep, Episode.class))
 *     .variablesType(NewEpisode.class).persistent(true).scope("episodes").build());
 * mutations.resumeOutbox();  // after a restart: sends what the last run left, once, in order
 * mutations.mutate(MutationOptions.<NewEpisode, Episode, Void>builder().mutationKey(CREATE_EPISODE).build(), draft);
 * }</pre>
 *
 * <p><b>Order.</b> For each mutation: cache-level {@code onMutate}, option {@code onMutate}, the
 * function (through the retry loop), then on success cache {@code onSuccess}, option {@code
 * onSuccess}, cache {@code onSettled}, option {@code onSettled}, the state turns success, then the
 * call-site callbacks; a throw in any of these takes the error path (cache {@code onError}, option
 * {@code onError}, cache and option {@code onSettled}, each isolated). Every callback's returned
 * stage is awaited. Mutations with the same scope run one at a time in submission order; others in
 * parallel. In {@link dev.quarry.cache.NetworkMode#ONLINE} mode an offline mutation runs {@code
 * onMutate} and then pauses before its function until {@link #resumePausedMutations()} (called
 * automatically when connectivity comes back or focus returns, unless {@link
 * Builder#resumeOnReconnect(boolean)} is off). A persistent mutation also pauses, instead of
 * failing, on a failure that retrying may cure, and retries with backoff until it lands or is
 * refused for good (see {@link MutationOptions}).
 *
 * <p><b>Threads.</b> Thread-safe. Every step of every mutation, and every user callback, runs on
 * the callback executor through one serial queue (so callbacks never run concurrently with each
 * other, as on JavaScript's event loop), never while a Quarry lock is held. A callback should not
 * block; an exception from user code goes to the error handler or down the error path as above.
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops the threads the client created and fails the futures
 * of unsettled mutations; their outbox records stay for the next run. It closes an outbox it opened
 * itself ({@link Builder#outbox(Path)}), not one that was handed to it.
 */
public final class MutationClient implements AutoCloseable {
  final Clock clock;
  final Scheduler scheduler;
  final Scheduler loopScheduler;
  final Executor callbackExecutor;
  final ErrorHandler errorHandler;
  final Connectivity connectivity;
  final @Nullable JsonHttp http;
  final MutationCacheConfig cacheConfig;
  final SerialExecutor loop;
  final @Nullable QueryClient queries;
  final @Nullable OptimisticLayers layers;
  private final @Nullable Outbox outbox;

  /** What this client created (scheduler, callback thread) and stops when it closes. */
  private final Owned owned;

  private final Object lock = new Object();
  private final MutationRegistry registry = new MutationRegistry();
  final ResumeRounds resumeRounds = new ResumeRounds(registry);
  private final CopyOnWriteArrayList<Map.Entry<QueryKey, MutationOptions<?, ?, ?>>> defaults =
      new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private final ListenerSet<MutationCacheEvent> listeners;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private volatile boolean closed;

  private MutationClient(Builder b) {
    this.clock = b.clock;
    ErrorHandler handler = b.errorHandler;
    this.errorHandler = handler;
    QueryClient qc = b.queries;
    this.queries = qc;
    Connectivity conn = b.connectivity;
    if (conn == null) {
      conn = qc != null ? qc.connectivity() : Connectivity.create();
    } else if (qc != null && conn != qc.connectivity()) {
      throw new IllegalArgumentException(
          "connectivity must be the queryClient's own (or left unset) but was " + conn);
    }
    this.connectivity = conn;
    // Opened before any thread is started, so that a failure leaves nothing behind.
    OutboxStore store = b.outbox;
    boolean owns = false;
    if (store == null && b.outboxFile != null) {
      store = OutboxStore.open(b.outboxFile);
      owns = true;
    }
    this.outbox = store == null ? null : new Outbox(store, owns, b.mapper, handler);
    this.owned = new Owned("mutation client", handler);
    this.callbackExecutor =
        b.callbackExecutor != null
            ? b.callbackExecutor
            : owned.singleThreadExecutor("mutations-callbacks");
    this.scheduler =
        b.scheduler != null ? b.scheduler : owned.add("scheduler", RealScheduler.create(handler));
    this.http = b.http;
    this.cacheConfig = b.cacheConfig;
    this.loop = new SerialExecutor(callbackExecutor, handler, "mutations");
    this.loopScheduler = (delay, task) -> scheduler.schedule(delay, () -> loop.execute(task));
    this.listeners = new ListenerSet<>(callbackExecutor, handler, "mutation cache");
    if (qc != null) {
      OptimisticLayers l = new OptimisticLayers(qc, this);
      this.layers = l;
      subscriptions.add(l::close);
      // Paused mutations resume, and settle, before queries refetch on reconnect.
      subscriptions.add(qc.addReconnectBarrier(this::resumePausedMutations));
    } else {
      this.layers = null;
    }
    if (b.resumeOnReconnect && qc == null) {
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

  /** A builder with the defaults described on its methods. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- submitting ----

  /** A handle that submits mutations with {@code options} and follows the latest one. */
  public <V, R, C> Mutation<V, R, C> mutation(MutationOptions<V, R, C> options) {
    return new RealMutationHandle<>(this, Objects.requireNonNull(options, "options"));
  }

  /**
   * Submits one mutation.
   *
   * @return a future of the result; fails with the mutation's error
   * @throws IllegalArgumentException if the mutation is persistent but misses a key, a variables
   *     type or an outbox
   */
  public <V, R, C> CompletableFuture<R> mutate(MutationOptions<V, R, C> options, V variables) {
    return submit(options, variables, MutateCallbacks.none(), null);
  }

  /** As {@link #mutate(MutationOptions, Object)} with call-site callbacks. */
  public <V, R, C> CompletableFuture<R> mutate(
      MutationOptions<V, R, C> options, V variables, MutateCallbacks<V, R, C> callbacks) {
    return submit(options, variables, Objects.requireNonNull(callbacks, "callbacks"), null);
  }

  <V, R, C> CompletableFuture<R> submit(
      MutationOptions<V, R, C> given,
      V variables,
      MutateCallbacks<V, R, C> callSite,
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
        QueryKey key = options.mutationKey;
        JsonType<V> type = options.variablesType;
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
              this,
              ids.incrementAndGet(),
              options,
              variables,
              idempotencyKey,
              sequence,
              false,
              callSite,
              owner);
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

  /**
   * Registers defaults for mutations whose key starts with {@code key} (replacing earlier defaults
   * for an equal key). Options a mutation does not set come from the matching defaults, later
   * registrations winning; this is where a restored mutation finds its function.
   */
  public void setMutationDefaults(QueryKey key, MutationOptions<?, ?, ?> options) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(options, "options");
    synchronized (lock) {
      defaults.removeIf(e -> e.getKey().equals(key));
      defaults.add(Map.entry(key, options));
    }
  }

  /** The defaults registered for exactly {@code key}, if any. */
  public Optional<MutationOptions<?, ?, ?>> getMutationDefaults(QueryKey key) {
    for (Map.Entry<QueryKey, MutationOptions<?, ?, ?>> e : defaults) {
      if (e.getKey().equals(key)) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /** {@code options} over the defaults registered for matching keys. */
  public <V, R, C> MutationOptions<V, R, C> defaultMutationOptions(
      MutationOptions<V, R, C> options) {
    QueryKey key = options.mutationKey;
    if (key == null) {
      return options;
    }
    MutationOptions<?, ?, ?> base = null;
    for (Map.Entry<QueryKey, MutationOptions<?, ?, ?>> e : defaults) {
      if (key.matches(e.getKey())) {
        base = base == null ? e.getValue() : e.getValue().over(base);
      }
    }
    return base == null ? options : options.over(base);
  }

  // ---- paused mutations and the outbox ----

  /**
   * Continues every paused mutation that may continue now (online and focused, or network mode
   * {@code ALWAYS}); scoped ones continue one at a time in submission order; a persistent mutation
   * waiting to retry after a retryable failure retries now. The future completes when each of those
   * mutations settled, whatever the outcome, or paused again: a persistent one whose attempt failed
   * retryably again, and the ones of its scope behind it. Mutations still blocked by the network
   * are not waited for.
   */
  public CompletableFuture<Void> resumePausedMutations() {
    CompletableFuture<Void> out = new CompletableFuture<>();
    if (closed) {
      out.complete(null);
      return out;
    }
    loop.execute(() -> resumeRounds.resume(out));
    return out;
  }

  /**
   * Sends what the outbox holds from an earlier run: every pending record is rebuilt through the
   * defaults registered for its key and sent once, one at a time in submission order, with its
   * original idempotency key. A record that cannot be rebuilt (unreadable key or variables, no
   * defaults with a function and a variables type) is reported to the error handler with an {@link
   * OutboxException} and set aside; the rest still run. Records of mutations this client already
   * runs are skipped, so calling this twice sends nothing twice; those of them that wait to retry
   * after a retryable failure retry now. A restored mutation follows the rule of persistent
   * mutations: a retryable failure pauses it (and the restored ones after it) until it can be sent.
   *
   * @return a future that completes when every restored mutation settled (never fails)
   */
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
    JsonType<Object> type = options.variablesType;
    if (type == null) {
      throw new OutboxException(
          "outbox record "
              + record.sequence()
              + ": the defaults for key "
              + key
              + " have no variablesType");
    }
    return new RealMutation<>(
        this,
        ids.incrementAndGet(),
        options,
        box.variables(record, key, type),
        record.idempotencyKey(),
        record.sequence(),
        true,
        MutateCallbacks.none(),
        null);
  }

  /** The outbox records not yet settled, in order (empty without an outbox). */
  public List<OutboxRecord> outboxRecords() {
    Outbox box = outbox;
    return box == null ? List.of() : box.pending();
  }

  /** The outbox records set aside because they could not be restored. */
  public List<OutboxRecord.SetAside> setAsideRecords() {
    Outbox box = outbox;
    return box == null ? List.of() : box.setAsideRecords();
  }

  void outboxDone(RealMutation<?, ?, ?> m) {
    Outbox box = outbox;
    if (box != null && !closed) {
      box.done(m.sequence, m.describe());
    }
  }

  // ---- query data under the optimistic layers ----

  /**
   * Writes server-side data to a query that may have pending optimistic changes: {@link
   * QueryClient#setQueryData(QueryKey, Function)}, except that while the key has optimistic layers
   * {@code updater} gets the last server data with the changes of succeeded mutations (not the
   * shown data, which holds the pending changes too). What it returns becomes the key's new base:
   * it is stored with the pending changes already applied on top (never shown without them), and a
   * rollback later removes only them, so this data stays. This is how the facade's {@code
   * setQueryData}, {@code updateQueryData} and realtime bindings write.
   *
   * <pre>{@code
   * mutations.<List<Episode>>setQueryData(key, list -> list.map(l -> plus(l, pushedEpisode)));
   * }</pre>
   *
   * <p>Any thread. The updater, and the optimistic updaters of the pending changes, run on the
   * calling thread, outside any lock, and may run again if the data changed concurrently; an empty
   * result writes nothing.
   *
   * @return the stored value (with the pending changes), or empty if nothing was written
   * @throws IllegalStateException if the client was built without a {@code queryClient(...)}
   */
  public <T> Optional<T> setQueryData(QueryKey key, Function<Optional<T>, Optional<T>> updater) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(updater, "updater");
    OptimisticLayers l = layers;
    if (l == null) {
      throw new IllegalStateException(
          "setQueryData needs a MutationClient built with queryClient(...)");
    }
    return l.setQueryData(key, updater);
  }

  /**
   * Stores {@code value} as the server data of {@code key}: with optimistic layers on the key it
   * becomes their new base (see {@link #setQueryData(QueryKey, Function)}).
   *
   * @throws IllegalStateException if the client was built without a {@code queryClient(...)}
   */
  public <T> Optional<T> setQueryData(QueryKey key, T value) {
    Objects.requireNonNull(value, "value");
    return setQueryData(key, (Optional<T> old) -> Optional.of(value));
  }

  // ---- the mutation cache ----

  /** The number of pending mutations. */
  public int isMutating() {
    return isMutating(MutationFilters.all());
  }

  /** The number of pending mutations that match {@code filters}. */
  public int isMutating(MutationFilters filters) {
    return findAll(filters.status(MutationStatus.PENDING)).size();
  }

  /** Snapshots of the mutations in the cache that match, in submission order. */
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

  /** The first matching mutation, in submission order. */
  public Optional<MutationInfo> find(MutationFilters filters) {
    List<MutationInfo> all = findAll(filters);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** Listens to mutation cache events, delivered in order on the callback executor. */
  public Subscription subscribe(Consumer<? super MutationCacheEvent> listener) {
    return listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes every mutation from the cache (running ones keep running and still settle). */
  public void clear() {
    registry.all().forEach(this::remove);
  }

  /** The connectivity this client pauses and resumes with. */
  public Connectivity connectivity() {
    return connectivity;
  }

  void remove(RealMutation<?, ?, ?> m) {
    if (registry.remove(m)) {
      loop.execute(m::cancelGc);
      emit(new MutationCacheEvent.Removed(m.info()));
    }
  }

  boolean isFirstPendingInScope(RealMutation<?, ?, ?> m) {
    return registry.isFirstPendingInScope(m);
  }

  /** After {@code m} settled: continues the next paused mutation of its scope (on the loop). */
  void runNext(RealMutation<?, ?, ?> m) {
    registry.nextPausedInScope(m).ifPresent(RealMutation::resumeIfPaused);
  }

  CompletableFuture<Void> invalidate(List<QueryKey> keys) {
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

  void emit(MutationCacheEvent event) {
    listeners.emit(event);
  }

  // ---- running user code ----

  /** One call into user code that returns a stage. */
  @FunctionalInterface
  interface UserCall<T> {
    CompletionStage<? extends T> call() throws Exception;
  }

  /**
   * Calls user code (a throw becomes a failed future) and returns a future that completes on the
   * loop, so that whatever is chained on it runs there too.
   */
  <T> CompletableFuture<T> callUser(UserCall<T> call) {
    CompletionStage<? extends T> stage;
    try {
      stage = call.call();
      if (stage == null) {
        throw new QuarryException("a mutation callback returned a null stage");
      }
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    return onLoop(stage);
  }

  /** A future that completes like {@code stage}, on the loop. */
  <T> CompletableFuture<T> onLoop(CompletionStage<? extends T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenComplete(
        (value, error) ->
            loop.execute(
                () -> {
                  if (error != null) {
                    out.completeExceptionally(Retryer.unwrap(error));
                  } else {
                    out.complete(value);
                  }
                }));
    return out;
  }

  boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the MutationClient is closed");
    }
  }

  /**
   * Stops the client: unsettled mutations fail with a {@link QuarryException} (their outbox records
   * stay), listeners stop, and the threads, scheduler and outbox the client created are closed.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    subscriptions.forEach(Subscription::close);
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

  /**
   * Builds a {@link MutationClient}. Defaults: system clock, its own scheduler thread, its own
   * callback thread ({@code quarry-mutations-callbacks-N}), a logging error handler, a fresh {@link
   * Connectivity}, no HTTP client, no cache callbacks, no outbox, resume on reconnect. Not
   * thread-safe.
   */
  public static final class Builder {
    private Clock clock = Clock.system();
    private @Nullable Scheduler scheduler;
    private @Nullable Executor callbackExecutor;
    private ErrorHandler errorHandler = ErrorHandler.logging();
    private @Nullable Connectivity connectivity;
    private @Nullable JsonHttp http;
    private MutationCacheConfig cacheConfig = MutationCacheConfig.none();
    private @Nullable OutboxStore outbox;
    private @Nullable Path outboxFile;
    private ObjectMapper mapper = Defaults.objectMapper();
    private boolean resumeOnReconnect = true;
    private @Nullable QueryClient queries;

    private Builder() {}

    /**
     * The query client that optimistic updates apply to. The mutation client then registers "resume
     * paused mutations" as the query client's reconnect barrier (so paused mutations settle before
     * queries refetch) instead of listening to connectivity itself, and uses the query client's
     * connectivity unless one is set here. Not closed by the mutation client.
     */
    public Builder queryClient(QueryClient queries) {
      this.queries = Objects.requireNonNull(queries, "queries");
      return this;
    }

    /** The clock for {@code submittedAt}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The scheduler for retry delays and gc; not closed by the client. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Where mutation steps and callbacks run; not shut down by the client. */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
      return this;
    }

    /** Receives exceptions from user code and unreadable outbox records. */
    public Builder errorHandler(ErrorHandler errorHandler) {
      this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
      return this;
    }

    /** The online/focus state mutations pause and resume with. */
    public Builder connectivity(Connectivity connectivity) {
      this.connectivity = Objects.requireNonNull(connectivity, "connectivity");
      return this;
    }

    /** The HTTP client handed to mutation functions as {@code ctx.http()}; not closed. */
    public Builder http(JsonHttp http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** Callbacks that run for every mutation. */
    public Builder cacheConfig(MutationCacheConfig cacheConfig) {
      this.cacheConfig = Objects.requireNonNull(cacheConfig, "cacheConfig");
      return this;
    }

    /** The outbox for persistent mutations; not closed by the client. */
    public Builder outbox(OutboxStore outbox) {
      this.outbox = Objects.requireNonNull(outbox, "outbox");
      this.outboxFile = null;
      return this;
    }

    /**
     * An H2 MVStore outbox in {@code file}, opened by {@link #build()} and closed with the client.
     */
    public Builder outbox(Path file) {
      this.outboxFile = Objects.requireNonNull(file, "file");
      this.outbox = null;
      return this;
    }

    /** The mapper that writes and reads outbox variables. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /**
     * Whether the client resumes paused mutations itself when connectivity comes online or focus
     * returns (default true). Turn it off when a query client drives the resumption (as a reconnect
     * barrier that runs before queries refetch).
     */
    public Builder resumeOnReconnect(boolean resumeOnReconnect) {
      this.resumeOnReconnect = resumeOnReconnect;
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws OutboxException if the outbox file cannot be opened
     * @throws IllegalArgumentException if a connectivity other than the query client's is set
     */
    public MutationClient build() {
      return new MutationClient(this);
    }
  }
}
