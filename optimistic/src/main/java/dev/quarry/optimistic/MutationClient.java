package dev.quarry.optimistic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.QueryClient;
import dev.quarry.core.Clock;
import dev.quarry.core.Connectivity;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Defaults;
import dev.quarry.optimistic.internal.MutationClientConfig;
import dev.quarry.optimistic.internal.RealMutationClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Runs mutations with TanStack Query v5's mutation semantics and keeps them in a mutation cache;
 * with an {@link OutboxStore}, persistent mutations survive a restart. Built with {@link
 * #builder()}.
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
 * <p><b>Nullness.</b> No method accepts or returns null; absence is {@link Optional#empty()}.
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops the threads the client created and fails the futures
 * of unsettled mutations; their outbox records stay for the next run. It closes an outbox it opened
 * itself ({@link Builder#outbox(Path)}), not one that was handed to it. After {@code close()}, the
 * methods that submit or restore mutations throw {@link IllegalStateException}; {@link
 * #resumePausedMutations()} completes at once; the read methods keep answering.
 *
 * <p><b>After {@code close()}</b>, as for every Quarry client: {@code close()} again does nothing;
 * a call that starts new work throws {@link IllegalStateException} saying the client is closed;
 * work in flight when it closed completes exceptionally, never stays pending; what can still be
 * read answers from what is left.
 */
public interface MutationClient extends AutoCloseable {
  /** A builder with the defaults described on its methods. */
  static Builder builder() {
    return new Builder();
  }

  // ---- submitting ----

  /**
   * A handle that submits mutations with {@code options} and follows the latest one. Creating it
   * submits nothing.
   *
   * @throws NullPointerException if {@code options} is null
   */
  <V, R, C> MutationObserver<V, R, C> mutation(MutationOptions<V, R, C> options);

  /**
   * Submits one mutation, with {@code options} over the defaults registered for its key.
   *
   * @return a future of the result, completed on the callback executor after every callback ran; it
   *     fails with the mutation's error, or with an {@link OutboxException} if a persistent
   *     mutation could not be recorded
   * @throws IllegalArgumentException if the mutation is persistent but misses a key, a variables
   *     type or an outbox, or declares optimistic updates on a client without a query client
   * @throws IllegalStateException if the client is closed
   */
  <V, R, C> CompletableFuture<R> mutate(MutationOptions<V, R, C> options, V variables);

  /**
   * As {@link #mutate(MutationOptions, Object)} with call-site callbacks, which run after every
   * other callback (always, unlike those of a {@link MutationObserver} handle).
   */
  <V, R, C> CompletableFuture<R> mutate(
      MutationOptions<V, R, C> options, V variables, CallSiteCallbacks<V, R, C> callbacks);

  // ---- defaults ----

  /**
   * Registers defaults for every mutation whose key starts with {@code key} (TanStack Query's
   * {@code setMutationDefaults}): an option a mutation does not set comes from the defaults of
   * every registered key that is a prefix of its key (the key itself included, a longer key never),
   * later registrations winning, and then from the client-wide {@link Builder#defaults defaults}.
   * Registering an equal key again replaces its defaults where they stand in the order. This is
   * where a mutation restored from the outbox or hydrated from a dehydrated state finds its
   * function.
   *
   * <pre>{@code
   * mutations.setMutationDefaults(QueryKey.of("episodes"), MutationOptions.builder()
   *     .retry(RetryPolicy.times(2)).scope("episodes").build());
   * }</pre>
   *
   * <p>Any thread; applies to mutations submitted (or restored) afterwards.
   */
  void setMutationDefaults(QueryKey key, MutationOptions<?, ?, ?> options);

  /**
   * The defaults a mutation with {@code key} gets from {@link #setMutationDefaults}: those of every
   * registered key that is a prefix of {@code key}, merged in registration order (later ones win),
   * as TanStack Query's {@code getMutationDefaults}; empty if no registered key matches. The
   * client-wide defaults are not included. Any thread.
   */
  Optional<MutationOptions<?, ?, ?>> getMutationDefaults(QueryKey key);

  /**
   * What a mutation submitted with {@code options} runs with: {@code options}, then the defaults
   * registered for prefixes of its key (see {@link #getMutationDefaults}), then the client-wide
   * {@link Builder#defaults defaults}, each option taken from the first layer that sets it (meta
   * maps are merged). Any thread; calls no user code.
   */
  <V, R, C> MutationOptions<V, R, C> defaultMutationOptions(MutationOptions<V, R, C> options);

  // ---- paused mutations and the outbox ----

  /**
   * Continues every paused mutation that may continue now (online and focused, or network mode
   * {@code ALWAYS}); scoped ones continue one at a time in submission order; a persistent mutation
   * waiting to retry after a retryable failure retries now. The future completes when each of those
   * mutations settled, whatever the outcome, or paused again: a persistent one whose attempt failed
   * retryably again, and the ones of its scope behind it. Mutations still blocked by the network
   * are not waited for. Never fails; completes at once after {@link #close()}.
   */
  CompletableFuture<Void> resumePausedMutations();

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
   * @throws IllegalStateException if the client is closed
   */
  CompletableFuture<Void> resumeOutbox();

  // ---- restoring and hydrating ----

  /**
   * Builds a mutation from a saved state and adds it to the mutation cache (TanStack Query's {@code
   * mutationCache.build(client, options, state)}); {@code options} are merged over the defaults as
   * for {@link #mutate}. A <em>pending</em> state enters paused and runs nothing until paused
   * mutations resume ({@link #resumePausedMutations()}, or connectivity coming online or focus
   * returning); it then continues on the restored path: no {@code onMutate} runs again (neither the
   * cache's nor the options'), the state's context is handed to the later callbacks, its declared
   * optimistic changes are shown again, and its function runs through the retry loop and scope as
   * for any mutation. A <em>settled</em> state (success or error) stays in the cache until its gc
   * time and never runs. The mutation is not recorded in the outbox.
   *
   * <pre>{@code
   * MutationState<NewEpisode, Episode, Void> saved = ...;  // pending, from an earlier run
   * mutations.restoreMutation(createEpisode, saved).thenAccept(this::show);
   * mutations.resumePausedMutations();
   * }</pre>
   *
   * <p>Any thread.
   *
   * @return a future of the result: for a pending state, completed when the mutation settles; for a
   *     settled one, already completed with its data or failed with its error
   * @throws IllegalArgumentException if the state is idle or has no variables, or the options
   *     declare optimistic updates on a client without a query client
   * @throws IllegalStateException if the client is closed
   */
  <V, R, C> CompletableFuture<R> restoreMutation(
      MutationOptions<V, R, C> options, MutationState<V, R, C> state);

  /**
   * Writes out the paused mutations (TanStack Query's default {@code shouldDehydrateMutation}),
   * leaving out persistent ones, which the outbox already keeps and {@link #resumeOutbox()} sends
   * (carrying them both ways could send them twice). A mutation whose variables cannot be written
   * as JSON is reported to the error handler and left out. Any thread; calls no user code.
   */
  DehydratedMutations dehydrate();

  /**
   * Writes out the mutations that {@code filter} accepts, whatever their state; see {@link
   * #dehydrate()}. The filter runs on the calling thread.
   */
  DehydratedMutations dehydrate(Predicate<? super MutationInfo> filter);

  /**
   * Builds every mutation of {@code state} again on this client, as {@link #restoreMutation} does:
   * each entry's key, scope and meta are merged over the defaults registered for its key (and the
   * client-wide ones), where it finds its function and its {@code variablesType}, with which its
   * variables are read. A hydrated paused mutation waits for {@link #resumePausedMutations()} (or
   * connectivity coming online) and then continues with that function, without {@code onMutate}. An
   * entry that cannot be built (no {@code variablesType} in the defaults of its key, unreadable
   * variables) is reported to the error handler, naming it, and skipped; the others are built.
   * Hydrating the same state twice builds its mutations twice, as in TanStack Query. Any thread.
   *
   * @throws IllegalStateException if the client is closed
   */
  void hydrate(DehydratedMutations state);

  /** The outbox records not yet settled, in order (empty without an outbox). */
  List<OutboxRecord> outboxRecords();

  /** The outbox records set aside because they could not be restored. */
  List<OutboxRecord.SetAside> setAsideRecords();

  /**
   * The bytes the outbox occupies on disk now ({@link OutboxStore#sizeOnDisk()}), for monitoring;
   * empty without an outbox or when its store cannot tell. Any thread; never throws.
   */
  java.util.OptionalLong outboxSizeOnDisk();

  // ---- query data under the optimistic layers ----

  /**
   * Writes server data to a query under its optimistic layers: where {@link
   * QueryClient#setQueryData(QueryKey, Function)} would take the shown data (pending optimistic
   * changes included) as the new server data, this hands {@code updater} the server data beneath
   * the pending changes (the last server data with the changes of succeeded mutations), stores what
   * it returns as the key's new base with the pending changes re-applied on top (never shown
   * without them), and a later rollback removes only those changes, so this data stays. On a key
   * without optimistic layers it is {@code QueryClient.setQueryData}. This is how the facade's
   * {@code setQueryData}, {@code updateQueryData} and realtime bindings write.
   *
   * <pre>{@code
   * mutations.<List<Episode>>setQueryDataUnderLayers(key, list -> list.map(l -> plus(l, pushedEpisode)));
   * }</pre>
   *
   * <p>Any thread. The updater, and the optimistic updaters of the pending changes, run on the
   * calling thread, outside any lock, and may run again if the data changed concurrently; an empty
   * result writes nothing.
   *
   * @return the stored value (with the pending changes), or empty if nothing was written
   * @throws IllegalStateException if the client was built without a {@code queryClient(...)}
   */
  <T> Optional<T> setQueryDataUnderLayers(QueryKey key, Function<Optional<T>, Optional<T>> updater);

  /**
   * Stores {@code value} as the server data of {@code key} under its optimistic layers: with
   * pending optimistic changes on the key it becomes their new base (see {@link
   * #setQueryDataUnderLayers(QueryKey, Function)}).
   *
   * @return the stored value (with the pending changes)
   * @throws IllegalStateException if the client was built without a {@code queryClient(...)}
   */
  <T> Optional<T> setQueryDataUnderLayers(QueryKey key, T value);

  // ---- the mutation cache ----

  /** The number of pending mutations (paused ones included). */
  int isMutating();

  /** The number of pending mutations that match {@code filters}. */
  int isMutating(MutationFilters filters);

  /** Snapshots of the mutations in the cache that match, in submission order. */
  List<MutationInfo> findAll(MutationFilters filters);

  /** The first matching mutation, in submission order. */
  Optional<MutationInfo> find(MutationFilters filters);

  /**
   * Listens to mutation cache events, delivered in order on the callback executor; a throwing
   * listener is reported to the error handler. Close the subscription to stop.
   */
  Registration subscribe(Consumer<? super MutationCacheEvent> listener);

  /** Removes every mutation from the cache (running ones keep running and still settle). */
  void clear();

  /** The connectivity this client pauses and resumes with. */
  Connectivity connectivity();

  /**
   * Stops the client: unsettled mutations fail with a {@link dev.quarry.core.QuarryException}
   * (their outbox records stay), listeners stop, and the threads, scheduler and outbox the client
   * created are closed. Idempotent.
   */
  @Override
  void close();

  /**
   * Builds a {@link MutationClient}. Defaults: system clock, its own scheduler thread, its own
   * callback thread ({@code quarry-mutations-callbacks-N}), a logging error handler, a fresh {@link
   * Connectivity}, no HTTP client, no cache callbacks, no outbox, resume on reconnect. Not
   * thread-safe.
   */
  final class Builder {
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
    private @Nullable MutationOptions<?, ?, ?> defaults;

    private Builder() {}

    /**
     * Client-wide defaults for every mutation (TanStack Query's {@code defaultOptions.mutations}):
     * an option that neither a mutation nor the {@link MutationClient#setMutationDefaults defaults
     * of its key} set comes from here.
     *
     * <pre>{@code
     * MutationClient.builder()
     *     .defaults(MutationOptions.builder().retry(RetryPolicy.times(2))
     *         .retryDelay((failureCount, error) -> Duration.ofSeconds(failureCount + 1)).build())
     *     .build();
     * }</pre>
     */
    public Builder defaults(MutationOptions<?, ?, ?> defaults) {
      this.defaults = Objects.requireNonNull(defaults, "defaults");
      return this;
    }

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
      return new RealMutationClient(
          new MutationClientConfig(
              clock,
              scheduler,
              callbackExecutor,
              errorHandler,
              connectivity,
              http,
              cacheConfig,
              outbox,
              outboxFile,
              mapper,
              resumeOnReconnect,
              queries,
              defaults));
    }
  }
}
