package dev.quarry.cache;

import dev.quarry.cache.internal.IteratorPublisher;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * Where a {@link StreamedQuery} gets its chunks: TanStack's {@code streamFn}. Called once per fetch
 * attempt (a retry calls it again) with the attempt's context; the publisher it returns is
 * subscribed to once.
 *
 * <pre>{@code
 * StreamSource<Token> tokens = ctx -> draftPublisher(ctx.key());
 * StreamSource<String> lines = StreamSource.fromIterator(ctx -> Files.lines(path).iterator(), pool);
 * }</pre>
 *
 * <p>Chunks must not be {@code null} (a {@code null} chunk fails the attempt). The publisher may
 * call {@code onNext} on any thread, one call at a time; the streamed query folds each chunk into
 * the cache inside {@code onNext}, so it holds no buffer of its own. When the fetch is cancelled
 * the subscription is cancelled. Reading {@link QueryContext#signal()} here is what makes the last
 * observer leaving cancel the stream, as for any query function; {@link SseSource} reads it.
 *
 * @param <C> the chunk type
 */
@FunctionalInterface
public interface StreamSource<C> {
  /**
   * Opens the stream of one attempt; an exception thrown here counts as a failed attempt.
   *
   * @param context the attempt's context: its key, cancellation signal and HTTP client
   */
  Flow.Publisher<C> open(QueryContext context) throws Exception;

  /**
   * A source that walks an iterator on {@code executor}, one element per demanded chunk. The
   * iterator is made on the executor; if it is {@link AutoCloseable} it is closed when it ends,
   * fails or is cancelled. A {@code hasNext()} that blocks is not interrupted by a cancel: such an
   * iterator should watch {@code context.signal()}.
   *
   * @param iterators makes the iterator of one attempt
   * @param executor runs the walk; not owned (never shut down here)
   */
  static <C> StreamSource<C> fromIterator(IteratorFactory<C> iterators, Executor executor) {
    Objects.requireNonNull(iterators, "iterators");
    Objects.requireNonNull(executor, "executor");
    return context -> new IteratorPublisher<>(() -> iterators.open(context), executor);
  }

  /** Makes the iterator of one attempt; see {@link #fromIterator}. */
  @FunctionalInterface
  interface IteratorFactory<C> {
    /** The iterator of one attempt; an exception fails the attempt. */
    Iterator<C> open(QueryContext context) throws Exception;
  }
}
