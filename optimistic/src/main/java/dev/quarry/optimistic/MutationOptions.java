package dev.quarry.optimistic;

import dev.quarry.cache.NetworkMode;
import dev.quarry.core.Backoff;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.TypedKey;
import dev.quarry.core.http.JsonType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How to run a mutation: its function, key, callbacks, retry, network mode, scope, gc time, meta
 * and persistence, with the meaning TanStack Query v5 gives them.
 *
 * <pre>{@code
 * var create =
 *     MutationOptions.builder(NewEpisode.class, (ep, ctx) -> ctx.http().post("episodes", ep, Episode.class))
 *         .mutationKey(QueryKey.of("episodes", "create"))
 *         .optimistic(EPISODES_OF_P1, (list, ep) -> list.map(l -> plus(l, ep.asPending())))
 *         .onError((error, ep, context) -> showError(error))
 *         .scope("project-p1")
 *         .build();                       // a MutationOptions<NewEpisode, Episode, Void>
 * }</pre>
 *
 * <p><b>Types without type arguments.</b> {@link #builder(Class, MutationFunction)} takes the
 * variables' class and the function, so Java infers the variables type {@code V} from the class and
 * the result type {@code R} from what the function returns; {@link #builder(MutationFunction)}
 * infers both from a method reference or a lambda with typed parameters. The context type is {@code
 * Void} until {@link Builder#contextFrom} sets an {@code onMutate} whose result becomes the
 * context. An optimistic change through a {@link TypedKey} ({@link Builder#optimistic(TypedKey,
 * BiFunction)}) takes its data type from the key. The explicit form {@code MutationOptions.<V, R,
 * C>builder()} stays for callers who prefer it.
 *
 * <p>Every option may be left unset: a mutation takes what it does not set from the defaults
 * registered with {@link MutationClient#setMutationDefaults(QueryKey, MutationOptions)} for every
 * prefix of its key (registration order, later wins), then from the client-wide {@link
 * MutationClient.Builder#defaults(MutationOptions) defaults}, which is how a mutation restored from
 * the outbox finds its function. Unset after merging: retry never (for a persistent mutation: see
 * below), network mode {@link NetworkMode#ONLINE}, no scope, gc time 5 minutes, not persistent.
 *
 * <p><b>Persistent mutations are not lost to a retryable failure.</b> For a {@link
 * Builder#persistent(boolean) persistent} mutation, a failure that retrying may cure (the transport
 * failed or timed out: {@code HttpIoException}, another {@code IOException}, a {@code
 * TimeoutException}; or the server answered 5xx, 408 or 429) does not settle it: it <em>pauses</em>
 * it. The mutation stays {@link MutationStatus#PENDING} with {@link MutationState#isPaused()} true
 * and {@code failureCount} and {@code failureReason} set, its optimistic changes stay applied and
 * its outbox record stays; later mutations of its scope wait behind it, so order is kept. It is
 * retried after a backoff ({@link #PERSISTENT_RETRY_BACKOFF} by default: 1 s, then up to 2 s, 4 s,
 * ... at most 1 minute, without a limit on attempts, or longer if the server sent {@code
 * Retry-After}), at once when connectivity comes back online or focus returns, and at once on
 * {@link MutationClient#resumeOutbox()}; a mutation left in the outbox by a process that stopped is
 * sent again after the restart by {@code resumeOutbox()}. Only a failure that retrying cannot cure
 * (any other 4xx, a response that cannot be decoded, any other exception) settles it as an error,
 * which rolls back its optimistic changes and removes its record. A {@code retry} policy set by the
 * application is asked about retryable failures only, and its answer is final: {@code
 * retry(RetryPolicy.times(5))} gives up (and settles as an error) after 5 retries, {@code
 * retry(RetryPolicy.never())} opts out of pausing entirely; {@code retryDelay} alone keeps the
 * unbounded default with its delays. Mutations that are not persistent keep TanStack's rule: no
 * retry unless {@code retry} says so, and a failure settles them.
 *
 * <p>Immutable and thread-safe; {@link #newBuilder()} derives a variant.
 *
 * @param <V> the variables type
 * @param <R> the result type
 * @param <C> the type of the context returned by {@code onMutate}
 */
public final class MutationOptions<V, R, C> {
  /** The default gc time of a mutation: 5 minutes. */
  public static final Duration DEFAULT_GC_TIME = Duration.ofMinutes(5);

  /**
   * The wait between the attempts of a persistent mutation whose options set neither {@code retry}
   * nor {@code retryDelay}: 1 s before the first retry, doubling up to at most 1 minute, each wait
   * drawn uniformly between 1 s and that value (full jitter, so that many clients coming back at
   * once do not retry in step). Attempts are not limited.
   */
  public static final Backoff PERSISTENT_RETRY_BACKOFF =
      Backoff.builder()
          .initial(Duration.ofSeconds(1))
          .multiplier(2)
          .max(Duration.ofMinutes(1))
          .jitter(Backoff.Jitter.FULL)
          .build();

  final @Nullable MutationFunction<V, R> mutationFn;
  final @Nullable QueryKey mutationKey;
  final MutationCallbacks.@Nullable MutateAsync<V, C> onMutate;
  final MutationCallbacks.@Nullable SuccessAsync<V, R, C> onSuccess;
  final MutationCallbacks.@Nullable FailureAsync<V, C> onError;
  final MutationCallbacks.@Nullable SettledAsync<V, R, C> onSettled;
  final @Nullable RetryPolicy retry;
  final @Nullable BiFunction<Integer, Throwable, Duration> retryDelay;
  final @Nullable NetworkMode networkMode;
  final @Nullable String scope;
  final @Nullable Duration gcTime;
  final @Nullable Map<String, Object> meta;
  final @Nullable Boolean persistent;
  final @Nullable JsonType<V> variablesType;
  final @Nullable List<OptimisticUpdate<V, ?>> optimistic;
  final @Nullable Boolean invalidateOnSettled;

  private MutationOptions(Builder<V, R, C> b) {
    this.mutationFn = b.mutationFn;
    this.mutationKey = b.mutationKey;
    this.onMutate = b.onMutate;
    this.onSuccess = b.onSuccess;
    this.onError = b.onError;
    this.onSettled = b.onSettled;
    this.retry = b.retry;
    this.retryDelay = b.retryDelay;
    this.networkMode = b.networkMode;
    this.scope = b.scope;
    this.gcTime = b.gcTime;
    this.meta = b.meta == null ? null : Map.copyOf(b.meta);
    this.persistent = b.persistent;
    this.variablesType = b.variablesType;
    this.optimistic = b.optimistic == null ? null : List.copyOf(b.optimistic);
    this.invalidateOnSettled = b.invalidateOnSettled;
  }

  /** A builder with nothing set. */
  public static <V, R, C> Builder<V, R, C> builder() {
    return new Builder<>();
  }

  /**
   * A builder with the function set and no context ({@code C} is {@code Void}), whose types come
   * from the function: a method reference ({@code builder(api::createTodo)}) or a lambda with typed
   * parameters ({@code builder((NewTodo in, MutationContext ctx) -> ...)}). For a lambda with
   * untyped parameters use {@link #builder(Class, MutationFunction)}, which names {@code V}.
   */
  public static <V, R> Builder<V, R, Void> builder(MutationFunction<V, R> mutationFn) {
    Builder<V, R, Void> b = new Builder<>();
    return b.mutationFn(mutationFn);
  }

  /**
   * A builder with the function set and no context ({@code C} is {@code Void}): {@code V} is {@code
   * variablesType} and {@code R} is inferred from what the function returns, so a lambda needs no
   * typed parameters: {@code builder(NewTodo.class, (in, ctx) -> ctx.http().post("todos", in,
   * Todo.class))}. The class is also the {@link Builder#variablesType(Class) variablesType}, with
   * which a persistent mutation writes its variables to the outbox.
   */
  public static <V, R> Builder<V, R, Void> builder(
      Class<V> variablesType, MutationFunction<V, R> mutationFn) {
    return builder(JsonType.of(Objects.requireNonNull(variablesType, "variablesType")), mutationFn);
  }

  /**
   * {@link #builder(Class, MutationFunction)} for generic variables types: {@code
   * builder(NEW_TODOS, (list, ctx) -> ...)} with {@code NEW_TODOS} a {@code
   * JsonType<List<NewTodo>>}.
   */
  public static <V, R> Builder<V, R, Void> builder(
      JsonType<V> variablesType, MutationFunction<V, R> mutationFn) {
    return builder(mutationFn).variablesType(variablesType);
  }

  /** Options with only a function. */
  public static <V, R> MutationOptions<V, R, Void> of(MutationFunction<V, R> mutationFn) {
    return builder(mutationFn).build();
  }

  /** A builder holding these options. */
  public Builder<V, R, C> newBuilder() {
    Builder<V, R, C> b = new Builder<>();
    b.mutationFn = mutationFn;
    b.mutationKey = mutationKey;
    b.onMutate = onMutate;
    b.onSuccess = onSuccess;
    b.onError = onError;
    b.onSettled = onSettled;
    b.retry = retry;
    b.retryDelay = retryDelay;
    b.networkMode = networkMode;
    b.scope = scope;
    b.gcTime = gcTime;
    b.meta = meta;
    b.persistent = persistent;
    b.variablesType = variablesType;
    b.optimistic = optimistic == null ? null : new ArrayList<>(optimistic);
    b.invalidateOnSettled = invalidateOnSettled;
    return b;
  }

  /** The mutation key, if set. */
  public Optional<QueryKey> mutationKey() {
    return Optional.ofNullable(mutationKey);
  }

  /** The scope id, if set. */
  public Optional<String> scope() {
    return Optional.ofNullable(scope);
  }

  /** The network mode, {@link NetworkMode#ONLINE} if unset. */
  public NetworkMode networkMode() {
    return networkMode == null ? NetworkMode.ONLINE : networkMode;
  }

  /**
   * The retry policy including any {@code retryDelay}; never retries if unset. A persistent
   * mutation runs with this policy only if it is set, asked about retryable failures only; unset,
   * it retries those without end (see the class documentation).
   */
  public RetryPolicy retry() {
    RetryPolicy policy = retry == null ? RetryPolicy.never() : retry;
    return retryDelay == null ? policy : policy.withDelay(retryDelay);
  }

  /** The gc time, {@link #DEFAULT_GC_TIME} if unset. */
  public Duration gcTime() {
    return gcTime == null ? DEFAULT_GC_TIME : gcTime;
  }

  /** The meta map, empty if unset. */
  public Map<String, Object> meta() {
    return meta == null ? Map.of() : meta;
  }

  /** Whether the mutation is recorded in the client's outbox; false if unset. */
  public boolean persistent() {
    return persistent != null && persistent;
  }

  /** The JSON type of the variables (needed to persist and restore them), if set. */
  public Optional<JsonType<V>> variablesType() {
    return Optional.ofNullable(variablesType);
  }

  /** The optimistic updates the mutation declares (empty if none). */
  public List<OptimisticUpdate<V, ?>> optimisticUpdates() {
    return optimistic == null ? List.of() : optimistic;
  }

  /** Whether the keys of the optimistic updates are invalidated after settling; default true. */
  public boolean invalidateOnSettled() {
    return invalidateOnSettled == null || invalidateOnSettled;
  }

  /** Whether a mutation function is set. */
  public boolean hasMutationFn() {
    return mutationFn != null;
  }

  /** The mutation function, if set. */
  public Optional<MutationFunction<V, R>> mutationFn() {
    return Optional.ofNullable(mutationFn);
  }

  /** The {@code onMutate} callback (in its async form), if set. */
  public Optional<MutationCallbacks.MutateAsync<V, C>> onMutate() {
    return Optional.ofNullable(onMutate);
  }

  /** The {@code onSuccess} callback (in its async form), if set. */
  public Optional<MutationCallbacks.SuccessAsync<V, R, C>> onSuccess() {
    return Optional.ofNullable(onSuccess);
  }

  /** The {@code onError} callback (in its async form), if set. */
  public Optional<MutationCallbacks.FailureAsync<V, C>> onError() {
    return Optional.ofNullable(onError);
  }

  /** The {@code onSettled} callback (in its async form), if set. */
  public Optional<MutationCallbacks.SettledAsync<V, R, C>> onSettled() {
    return Optional.ofNullable(onSettled);
  }

  /** Whether a retry policy is set (for a persistent mutation this replaces its default rule). */
  public boolean hasRetry() {
    return retry != null;
  }

  /** The retry delay function, if one (or a constant delay) is set. */
  public Optional<BiFunction<Integer, Throwable, Duration>> retryDelay() {
    return Optional.ofNullable(retryDelay);
  }

  /**
   * These options over {@code defaults}: every option set here wins, the rest come from {@code
   * defaults} (meta maps are merged, these options' entries winning). This is how a client merges
   * its defaults under a mutation's options. The defaults are taken to fit these options' types, as
   * in TanStack Query, where defaults are untyped: a callback or function of other types fails with
   * a {@link ClassCastException} when the mutation runs. Calls no user code.
   */
  @SuppressWarnings("unchecked")
  public MutationOptions<V, R, C> withDefaults(MutationOptions<?, ?, ?> defaults) {
    Objects.requireNonNull(defaults, "defaults");
    MutationOptions<V, R, C> d = (MutationOptions<V, R, C>) defaults;
    Builder<V, R, C> b = newBuilder();
    if (b.mutationFn == null) {
      b.mutationFn = d.mutationFn;
    }
    if (b.mutationKey == null) {
      b.mutationKey = d.mutationKey;
    }
    if (b.onMutate == null) {
      b.onMutate = d.onMutate;
    }
    if (b.onSuccess == null) {
      b.onSuccess = d.onSuccess;
    }
    if (b.onError == null) {
      b.onError = d.onError;
    }
    if (b.onSettled == null) {
      b.onSettled = d.onSettled;
    }
    if (b.retry == null) {
      b.retry = d.retry;
    }
    if (b.retryDelay == null) {
      b.retryDelay = d.retryDelay;
    }
    if (b.networkMode == null) {
      b.networkMode = d.networkMode;
    }
    if (b.scope == null) {
      b.scope = d.scope;
    }
    if (b.gcTime == null) {
      b.gcTime = d.gcTime;
    }
    if (d.meta != null) {
      Map<String, Object> merged = new LinkedHashMap<>(d.meta);
      if (b.meta != null) {
        merged.putAll(b.meta);
      }
      b.meta = merged;
    }
    if (b.persistent == null) {
      b.persistent = d.persistent;
    }
    if (b.variablesType == null) {
      b.variablesType = d.variablesType;
    }
    if (b.optimistic == null && d.optimistic != null) {
      b.optimistic = new ArrayList<>(d.optimistic);
    }
    if (b.invalidateOnSettled == null) {
      b.invalidateOnSettled = d.invalidateOnSettled;
    }
    return b.build();
  }

  @Override
  public String toString() {
    return "MutationOptions{key="
        + mutationKey
        + ", scope="
        + scope
        + ", networkMode="
        + networkMode()
        + ", retry="
        + retry()
        + ", persistent="
        + persistent()
        + "}";
  }

  /**
   * Builds {@link MutationOptions}. Each setter replaces an earlier value; values are checked when
   * set, with an {@link IllegalArgumentException} naming the option. Not thread-safe.
   */
  public static final class Builder<V, R, C> {
    private @Nullable MutationFunction<V, R> mutationFn;
    private @Nullable QueryKey mutationKey;
    private MutationCallbacks.@Nullable MutateAsync<V, C> onMutate;
    private MutationCallbacks.@Nullable SuccessAsync<V, R, C> onSuccess;
    private MutationCallbacks.@Nullable FailureAsync<V, C> onError;
    private MutationCallbacks.@Nullable SettledAsync<V, R, C> onSettled;
    private @Nullable RetryPolicy retry;
    private @Nullable BiFunction<Integer, Throwable, Duration> retryDelay;
    private @Nullable NetworkMode networkMode;
    private @Nullable String scope;
    private @Nullable Duration gcTime;
    private @Nullable Map<String, Object> meta;
    private @Nullable Boolean persistent;
    private @Nullable JsonType<V> variablesType;
    private @Nullable List<OptimisticUpdate<V, ?>> optimistic;
    private @Nullable Boolean invalidateOnSettled;

    private Builder() {}

    /** The function that performs the mutation. */
    public Builder<V, R, C> mutationFn(MutationFunction<V, R> mutationFn) {
      this.mutationFn = Objects.requireNonNull(mutationFn, "mutationFn");
      return this;
    }

    /** The key: selects defaults, identifies the mutation in filters and in the outbox. */
    public Builder<V, R, C> mutationKey(QueryKey mutationKey) {
      this.mutationKey = Objects.requireNonNull(mutationKey, "mutationKey");
      return this;
    }

    /** Runs before the function (even while paused) and returns the rollback context. */
    public Builder<V, R, C> onMutate(MutationCallbacks.Mutate<V, C> onMutate) {
      Objects.requireNonNull(onMutate, "onMutate");
      this.onMutate = (v, ctx) -> CompletableFuture.completedFuture(onMutate.apply(v, ctx));
      return this;
    }

    /**
     * Sets {@code onMutate} (as {@link #onMutate(MutationCallbacks.Mutate)}) and makes the type it
     * returns the builder's context type, as TanStack infers the context from {@code onMutate}:
     *
     * <pre>{@code
     * MutationOptions.builder(Todo.class, (todo, ctx) -> api.save(todo))
     *     .contextFrom((todo, ctx) -> snapshotOf(todo))         // C becomes Snapshot
     *     .onError((error, todo, snapshot) -> snapshot.ifPresent(Snapshot::restore))
     *     .build();
     * }</pre>
     *
     * <p>Call it before the callbacks that take the context.
     *
     * @throws IllegalStateException if {@code onSuccess}, {@code onError} or {@code onSettled} is
     *     already set (they were written for the previous context type)
     */
    @SuppressWarnings("unchecked") // nothing typed by C is set yet (checked), so C may change
    public <D> Builder<V, R, D> contextFrom(MutationCallbacks.Mutate<V, D> onMutate) {
      Objects.requireNonNull(onMutate, "onMutate");
      if (onSuccess != null || onError != null || onSettled != null) {
        throw new IllegalStateException(
            "contextFrom must come before onSuccess, onError and onSettled, which take the context");
      }
      Builder<V, R, D> retyped = (Builder<V, R, D>) (Builder<?, ?, ?>) this;
      return retyped.onMutate(onMutate);
    }

    /** The async form of {@link #onMutate(MutationCallbacks.Mutate)}. */
    public Builder<V, R, C> onMutateAsync(MutationCallbacks.MutateAsync<V, C> onMutate) {
      this.onMutate = Objects.requireNonNull(onMutate, "onMutate");
      return this;
    }

    /** Runs after the function succeeded; a throw sends the mutation down the error path. */
    public Builder<V, R, C> onSuccess(MutationCallbacks.Success<V, R, C> onSuccess) {
      Objects.requireNonNull(onSuccess, "onSuccess");
      this.onSuccess =
          (r, v, c) -> {
            onSuccess.accept(r, v, c);
            return CompletableFuture.completedFuture(null);
          };
      return this;
    }

    /** The async form of {@link #onSuccess(MutationCallbacks.Success)}. */
    public Builder<V, R, C> onSuccessAsync(MutationCallbacks.SuccessAsync<V, R, C> onSuccess) {
      this.onSuccess = Objects.requireNonNull(onSuccess, "onSuccess");
      return this;
    }

    /** Runs after a failure, with the error and the context from {@code onMutate}. */
    public Builder<V, R, C> onError(MutationCallbacks.Failure<V, C> onError) {
      Objects.requireNonNull(onError, "onError");
      this.onError =
          (e, v, c) -> {
            onError.accept(e, v, c);
            return CompletableFuture.completedFuture(null);
          };
      return this;
    }

    /** The async form of {@link #onError(MutationCallbacks.Failure)}. */
    public Builder<V, R, C> onErrorAsync(MutationCallbacks.FailureAsync<V, C> onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    /** Runs after success or error. */
    public Builder<V, R, C> onSettled(MutationCallbacks.Settled<V, R, C> onSettled) {
      Objects.requireNonNull(onSettled, "onSettled");
      this.onSettled =
          (r, e, v, c) -> {
            onSettled.accept(r, e, v, c);
            return CompletableFuture.completedFuture(null);
          };
      return this;
    }

    /** The async form of {@link #onSettled(MutationCallbacks.Settled)}. */
    public Builder<V, R, C> onSettledAsync(MutationCallbacks.SettledAsync<V, R, C> onSettled) {
      this.onSettled = Objects.requireNonNull(onSettled, "onSettled");
      return this;
    }

    /**
     * When to retry a failed attempt; default {@link RetryPolicy#never()}, and for a persistent
     * mutation "retryable failures, without end" (see the class documentation). For a persistent
     * mutation the policy is asked about retryable failures only; {@link RetryPolicy#never()} opts
     * it out of pausing.
     */
    public Builder<V, R, C> retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * A constant delay between retries (TanStack's numeric {@code retryDelay}), replacing the retry
     * policy's delays.
     *
     * @throws IllegalArgumentException if negative, naming {@code retryDelay}
     */
    public Builder<V, R, C> retryDelay(Duration retryDelay) {
      Objects.requireNonNull(retryDelay, "retryDelay");
      if (retryDelay.isNegative()) {
        throw new IllegalArgumentException("retryDelay must not be negative but was " + retryDelay);
      }
      this.retryDelay = (failureCount, error) -> retryDelay;
      return this;
    }

    /**
     * Computes the delay before each retry from {@code failureCount} (the failures before the last
     * one: 0 before the first retry) and the error that failed the attempt, replacing the retry
     * policy's delays; the same shape as a query's {@code retryDelay} and {@link
     * RetryPolicy#withDelay(BiFunction)}. As in TanStack it is called after every failure, the last
     * included; a negative result counts as zero. It runs on the callback executor and must not
     * block; an exception it throws fails the mutation with that exception.
     *
     * <pre>{@code
     * .retry(RetryPolicy.times(3))
     * .retryDelay((failureCount, error) -> Duration.ofMillis(500L * (failureCount + 1)))
     * }</pre>
     */
    public Builder<V, R, C> retryDelay(BiFunction<Integer, Throwable, Duration> retryDelay) {
      this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
      return this;
    }

    /** When the mutation may run with respect to connectivity; default online. */
    public Builder<V, R, C> networkMode(NetworkMode networkMode) {
      this.networkMode = Objects.requireNonNull(networkMode, "networkMode");
      return this;
    }

    /** Mutations with the same scope id run one at a time, in submission order. */
    public Builder<V, R, C> scope(String scope) {
      Objects.requireNonNull(scope, "scope");
      if (scope.isEmpty()) {
        throw new IllegalArgumentException("scope must not be empty");
      }
      this.scope = scope;
      return this;
    }

    /** How long a settled mutation stays in the mutation cache; default 5 minutes. */
    public Builder<V, R, C> gcTime(Duration gcTime) {
      Objects.requireNonNull(gcTime, "gcTime");
      if (gcTime.isNegative()) {
        throw new IllegalArgumentException("gcTime must not be negative but was " + gcTime);
      }
      this.gcTime = gcTime;
      return this;
    }

    /** Free-form data for callbacks and filters. */
    public Builder<V, R, C> meta(Map<String, Object> meta) {
      this.meta = Map.copyOf(Objects.requireNonNull(meta, "meta"));
      return this;
    }

    /**
     * Records the mutation in the client's outbox before its network call, so that it survives a
     * restart, and makes it pause instead of failing on a retryable failure (see the class
     * documentation). Needs a mutation key and {@link #variablesType(JsonType)} (here or in the
     * defaults of the key) and a client with an outbox.
     */
    public Builder<V, R, C> persistent(boolean persistent) {
      this.persistent = persistent;
      return this;
    }

    /** The JSON type of the variables, to write them to and read them from the outbox. */
    public Builder<V, R, C> variablesType(JsonType<V> variablesType) {
      this.variablesType = Objects.requireNonNull(variablesType, "variablesType");
      return this;
    }

    /** The JSON type of the variables, to write them to and read them from the outbox. */
    public Builder<V, R, C> variablesType(Class<V> variablesType) {
      return variablesType(JsonType.of(variablesType));
    }

    /**
     * Declares an optimistic change (needs a client built with a {@code QueryClient}). On submit,
     * the client cancels running fetches of {@code key.apply(variables)} and applies {@code
     * updater} as a layer over the last server data; on failure it removes only this layer and
     * replays the others; data from anyone else that lands on the key while the mutation is pending
     * (a fetch result, a realtime binding's write, the application's {@code setQueryData}) becomes
     * the layers' new base and gets the layer re-applied, and a rollback keeps it. On success the
     * layer stays until the next such data (see {@link
     * MutationClient#setQueryDataUnderLayers(QueryKey, Function)}). Call again to declare more
     * keys.
     *
     * <pre>{@code
     * .<List<Episode>>optimistic(ep -> QueryKey.of("episodes", ep.projectId()),
     *     (list, ep) -> list.map(l -> append(l, ep.asPending())))
     * }</pre>
     */
    public <T> Builder<V, R, C> optimistic(
        Function<? super V, QueryKey> key,
        BiFunction<Optional<T>, ? super V, Optional<T>> updater) {
      if (optimistic == null) {
        optimistic = new ArrayList<>();
      }
      optimistic.add(new OptimisticUpdate<V, T>(key, updater));
      return this;
    }

    /**
     * {@link #optimistic(Function, BiFunction)} on one typed key, whose type is the updater's data
     * type, so no type argument is needed: {@code .optimistic(TODOS, (list, todo) -> list.map(l ->
     * plus(l, todo)))}. The data the updater receives is checked against the key's type first: if
     * another writer stored a different type under the key, the updater is not called and a {@link
     * ClassCastException} naming the key and both types goes to the error handler, leaving the data
     * as it was (as for any updater that throws).
     */
    public <T> Builder<V, R, C> optimistic(
        TypedKey<T> key, BiFunction<Optional<T>, ? super V, Optional<T>> updater) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(updater, "updater");
      QueryKey plain = key.key();
      return optimistic(v -> plain, checked(v -> key, updater));
    }

    /**
     * {@link #optimistic(Function, BiFunction)} on a key computed from the variables, with the data
     * type given, so no type argument is needed: {@code .optimistic(ep -> QueryKey.of("episodes",
     * ep.projectId()), EPISODE_LIST, (list, ep) -> ...)}. The data is checked against {@code type}
     * as in {@link #optimistic(TypedKey, BiFunction)}.
     */
    public <T> Builder<V, R, C> optimistic(
        Function<? super V, QueryKey> key,
        JsonType<T> type,
        BiFunction<Optional<T>, ? super V, Optional<T>> updater) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(updater, "updater");
      return optimistic(key, checked(v -> TypedKey.of(key.apply(v), type), updater));
    }

    /** {@link #optimistic(Function, JsonType, BiFunction)} with a plain class. */
    public <T> Builder<V, R, C> optimistic(
        Function<? super V, QueryKey> key,
        Class<T> type,
        BiFunction<Optional<T>, ? super V, Optional<T>> updater) {
      return optimistic(key, JsonType.of(Objects.requireNonNull(type, "type")), updater);
    }

    /** The updater, called with the data checked against the key's type. */
    private static <W, T> BiFunction<Optional<T>, W, Optional<T>> checked(
        Function<? super W, TypedKey<T>> typedKey,
        BiFunction<Optional<T>, ? super W, Optional<T>> updater) {
      return (data, variables) -> {
        Optional<T> checkedData =
            data.isEmpty() ? data : Optional.of(typedKey.apply(variables).cast(data.get()));
        return updater.apply(checkedData, variables);
      };
    }

    /** Whether the optimistically updated keys are invalidated after settling; default true. */
    public Builder<V, R, C> invalidateOnSettled(boolean invalidateOnSettled) {
      this.invalidateOnSettled = invalidateOnSettled;
      return this;
    }

    /** Builds the options. */
    public MutationOptions<V, R, C> build() {
      return new MutationOptions<>(this);
    }
  }
}
