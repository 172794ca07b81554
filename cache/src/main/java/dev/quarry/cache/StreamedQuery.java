package dev.quarry.cache;

import dev.quarry.cache.internal.StreamTarget;
import dev.quarry.core.QuarryException;
import dev.quarry.core.Registration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;

/**
 * A query function that writes a stream into the cache as it arrives: TanStack's {@code
 * streamedQuery}. A streamed query is an ordinary query (same deduplication, staleness, gc,
 * retries, observers) whose function happens to write progressively.
 *
 * <pre>{@code
 * QueryOptions<List<Token>> draft =
 *     QueryOptions.of(QueryKey.of("draft", executionId),
 *         StreamedQuery.of(SseSource.of(http, "executions/" + executionId + "/draft", Token.class)));
 * quarry.observe(draft, r -> r.data().ifPresent(this::renderTokens));
 * }</pre>
 *
 * <h2>States</h2>
 *
 * <ul>
 *   <li>A first fetch keeps the query {@code pending} until the first chunk; each chunk is folded
 *       into the cached data at once (as {@code setQueryData} would), so the query is {@code
 *       success} from the first chunk on while its fetch status stays {@code fetching} until the
 *       stream ends. The fetch's result is the accumulated data, or the initial value when the
 *       stream was empty. Each chunk folded is reported to the client's {@link
 *       QueryStatsListener#onStreamChunk}.
 *   <li>A refetch (the query settled a fetch before, with data or an error) follows the {@link
 *       StreamRefetchMode}: {@code RESET} (the default) erases first, {@code APPEND} folds onto the
 *       data, {@code REPLACE} writes once at the end.
 *   <li>A cancelled fetch (the last observer leaving after the source read its signal, {@code
 *       cancelQueries}, a refetch that restarts it) cancels the subscription; nothing more is
 *       written and chunks already written stay ({@code REPLACE} writes nothing).
 *   <li>A failing stream fails the attempt, which goes through the query's retry rules; the chunks
 *       already written stay. A retry opens the source again and, being a refetch, follows the
 *       refetch mode (so {@code RESET} erases before the retry streams). Resuming inside one
 *       attempt, as {@link SseSource} does with {@code Last-Event-ID}, keeps the chunks.
 * </ul>
 *
 * <h2>Threads</h2>
 *
 * Immutable and thread-safe. The reducer runs on the thread that delivers the chunk (the source's),
 * outside any Quarry lock; keep it a quick pure function. Observers are notified through the
 * client's callback executor as for any write.
 *
 * @param <C> the chunk type
 * @param <D> the data type: by default a list of the chunks
 */
public final class StreamedQuery<C, D> implements QueryFunction<D> {
  private final StreamSource<C> source;
  private final StreamRefetchMode refetchMode;
  private final D initialValue;
  private final BiFunction<D, C, D> reducer;

  private StreamedQuery(
      StreamSource<C> source,
      StreamRefetchMode refetchMode,
      D initialValue,
      BiFunction<D, C, D> reducer) {
    this.source = source;
    this.refetchMode = refetchMode;
    this.initialValue = initialValue;
    this.reducer = reducer;
  }

  /** A streamed query whose data is the list of chunks so far, refetching in {@code RESET} mode. */
  public static <C> StreamedQuery<C, List<C>> of(StreamSource<C> source) {
    return builder(source).build();
  }

  /**
   * A builder whose data is the list of chunks so far until {@link Builder#reducer} says otherwise.
   */
  public static <C> Builder<C, List<C>> builder(StreamSource<C> source) {
    return new Builder<>(
        Objects.requireNonNull(source, "source"),
        StreamRefetchMode.RESET,
        List.of(),
        StreamedQuery::append);
  }

  private static <C> List<C> append(List<C> chunks, C chunk) {
    List<C> next = new ArrayList<>(chunks.size() + 1);
    next.addAll(chunks);
    next.add(chunk);
    return Collections.unmodifiableList(next);
  }

  /** The refetch mode. */
  public StreamRefetchMode refetchMode() {
    return refetchMode;
  }

  /** A builder holding this query's settings. */
  public Builder<C, D> newBuilder() {
    return new Builder<>(source, refetchMode, initialValue, reducer);
  }

  @Override
  public CompletionStage<D> fetch(QueryContext context) throws Exception {
    StreamTarget target = StreamTarget.of(context);
    boolean refetch = target.isFetched();
    if (refetch && refetchMode == StreamRefetchMode.RESET) {
      target.resetForStream();
    }
    Flow.Publisher<C> publisher =
        Objects.requireNonNull(
            source.open(context), "the stream source of " + context.key() + " returned null");
    Consumer consumer =
        new Consumer(context, target, refetch && refetchMode == StreamRefetchMode.REPLACE);
    publisher.subscribe(consumer);
    return consumer.result;
  }

  /** One attempt's subscriber: folds each chunk in {@code onNext}, so it holds no buffer. */
  private final class Consumer implements Flow.Subscriber<C> {
    final CompletableFuture<D> result = new CompletableFuture<>();
    private final QueryContext context;
    private final StreamTarget target;
    private final boolean replace;
    private final Registration onCancel;
    // Written by the publisher's calls, which the Flow rules serialize.
    private D accumulated = initialValue;
    private volatile Flow.@org.jspecify.annotations.Nullable Subscription subscription;
    private volatile boolean stopped;

    Consumer(QueryContext context, StreamTarget target, boolean replace) {
      this.context = context;
      this.target = target;
      this.replace = replace;
      this.onCancel = target.onCancel(this::stop);
      result.whenComplete((v, e) -> onCancel.close());
      result.whenComplete(
          (v, e) -> {
            if (result.isCancelled()) {
              stop();
            }
          });
    }

    private void stop() {
      stopped = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      if (subscription != null) {
        s.cancel();
        return;
      }
      subscription = s;
      if (stopped || target.isCancelled()) {
        s.cancel();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(C chunk) {
      if (stopped || result.isDone()) {
        return;
      }
      try {
        Objects.requireNonNull(chunk, "the stream of " + context.key() + " sent a null chunk");
        if (replace) {
          accumulated = reduce(accumulated, chunk);
        } else if (!target.<D>write(prev -> reduce(prev.orElse(initialValue), chunk))) {
          stop(); // the fetch was cancelled or replaced: nothing more is written
          return;
        }
        target.chunkReceived();
      } catch (RuntimeException e) {
        stop();
        result.completeExceptionally(e);
      }
    }

    private D reduce(D acc, C chunk) {
      return Objects.requireNonNull(
          reducer.apply(acc, chunk), "the stream reducer of " + context.key() + " returned null");
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(
          error != null
              ? error
              : new QuarryException("the stream of " + context.key() + " failed with no error"));
    }

    @Override
    public void onComplete() {
      if (replace) {
        result.complete(accumulated);
      } else {
        Optional<D> data = target.data();
        result.complete(data.orElse(initialValue));
      }
    }
  }

  /**
   * Builds a {@link StreamedQuery}; not thread-safe.
   *
   * @param <C> the chunk type
   * @param <D> the data type
   */
  public static final class Builder<C, D> {
    private final StreamSource<C> source;
    private StreamRefetchMode refetchMode;
    private final D initialValue;
    private final BiFunction<D, C, D> reducer;

    private Builder(
        StreamSource<C> source,
        StreamRefetchMode refetchMode,
        D initialValue,
        BiFunction<D, C, D> reducer) {
      this.source = source;
      this.refetchMode = refetchMode;
      this.initialValue = initialValue;
      this.reducer = reducer;
    }

    /**
     * What a refetch does with the data already there; {@link StreamRefetchMode#RESET} by default.
     */
    public Builder<C, D> refetchMode(StreamRefetchMode mode) {
      this.refetchMode = Objects.requireNonNull(mode, "refetchMode");
      return this;
    }

    /**
     * Folds chunks with {@code reducer} starting from {@code initialValue} (TanStack's {@code
     * reducer} and {@code initialValue}): the data while the first chunk is awaited is still
     * absent, and {@code initialValue} is the result of an empty stream.
     *
     * @param reducer the accumulation and a chunk to the next accumulation; never returns null
     */
    public <R> Builder<C, R> reducer(R initialValue, BiFunction<R, C, R> reducer) {
      return new Builder<>(
          source,
          refetchMode,
          Objects.requireNonNull(initialValue, "initialValue"),
          Objects.requireNonNull(reducer, "reducer"));
    }

    /** The streamed query function. */
    public StreamedQuery<C, D> build() {
      return new StreamedQuery<>(source, refetchMode, initialValue, reducer);
    }
  }
}
