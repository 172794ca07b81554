package dev.quarry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.TimedStream.Script;
import dev.quarry.core.QueryKey;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A streamed query follows TanStack's {@code streamedQuery}: pending until the first chunk, success
 * and still fetching while chunks arrive, idle when the stream ends; refetch modes reset, append
 * and replace; cancellation and errors keep what was written. Chunks arrive every 50 ms of virtual
 * time.
 */
class StreamedQueryTest {
  private static final Duration TICK = TimedStream.EVERY;
  private final Fixture f = new Fixture();
  private final QueryKey key = QueryKey.of("draft", "e1");

  @AfterEach
  void close() {
    f.close();
    assertThat(f.errors).isEmpty();
  }

  private void assertState(QueryStatus status, FetchStatus fetchStatus, Optional<?> data) {
    QueryState<Object> s = f.client.getQueryState(key).orElseThrow();
    assertThat(s.status()).as("status").isEqualTo(status);
    assertThat(s.fetchStatus()).as("fetchStatus").isEqualTo(fetchStatus);
    assertThat(s.data()).as("data").isEqualTo(data);
  }

  private void advance(int ticks) {
    f.time.advance(TICK.multipliedBy(ticks));
  }

  private QueryObserver<List<Integer>> observe(StreamedQuery<Integer, List<Integer>> fn) {
    return f.client.observe(QueryOptions.of(key, fn), r -> {});
  }

  private QueryObserver<List<Integer>> observe(TimedStream stream, StreamRefetchMode mode) {
    return observe(StreamedQuery.builder(stream).refetchMode(mode).build());
  }

  @Test
  void firstFetch_isPendingUntilTheFirstChunk_thenSuccessWhileFetching_thenIdleAtTheEnd() {
    TimedStream stream = TimedStream.counting(f.time, 3);
    observe(StreamedQuery.of(stream));

    assertState(QueryStatus.PENDING, FetchStatus.FETCHING, Optional.empty());
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1, 2)));
    assertThat(stream.opens()).isEqualTo(1);
  }

  @Test
  void fetchQuery_completesWithEveryChunk() {
    TimedStream stream = TimedStream.counting(f.time, 3);
    CompletableFuture<List<Integer>> done =
        f.client.fetchQuery(QueryOptions.of(key, StreamedQuery.of(stream)));

    advance(2);
    assertThat(done).isNotDone();
    advance(1);
    assertThat(done).isCompletedWithValue(List.of(0, 1, 2));
  }

  @Test
  void emptyStream_succeedsWithTheInitialValue() {
    observe(StreamedQuery.of(TimedStream.counting(f.time, 0)));

    assertState(QueryStatus.PENDING, FetchStatus.FETCHING, Optional.empty());
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of()));
  }

  @Test
  void refetchReset_erasesTheData_andGoesBackToPending() {
    TimedStream stream =
        new TimedStream(f.time, true, n -> n == 0 ? Script.of(0, 1) : Script.of(10, 11));
    QueryObserver<List<Integer>> o = observe(stream, StreamRefetchMode.RESET);
    advance(2);

    o.refetch();

    assertState(QueryStatus.PENDING, FetchStatus.FETCHING, Optional.empty());
    assertThat(f.client.getQueryState(key).orElseThrow().error()).isEmpty();
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(10)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(10, 11)));
  }

  @Test
  void refetchAppend_keepsTheData_andAddsTheNewChunks() {
    TimedStream stream =
        new TimedStream(f.time, true, n -> n == 0 ? Script.of(0, 1) : Script.of(10, 11));
    QueryObserver<List<Integer>> o = observe(stream, StreamRefetchMode.APPEND);
    advance(2);

    o.refetch();

    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1, 10)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1, 10, 11)));
  }

  @Test
  void refetchReplace_keepsShowingTheOldData_untilTheStreamEnds() {
    TimedStream stream =
        new TimedStream(f.time, true, n -> n == 0 ? Script.of(0, 1) : Script.of(10, 11));
    QueryObserver<List<Integer>> o = observe(stream, StreamRefetchMode.REPLACE);
    advance(2);

    CompletableFuture<QueryResult<List<Integer>>> refetched = o.refetch();

    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(10, 11)));
    assertThat(refetched.join().data()).contains(List.of(10, 11));
  }

  @Test
  void refetchReplace_cancelledBeforeTheEnd_writesNothing() {
    TimedStream stream =
        new TimedStream(f.time, true, n -> n == 0 ? Script.of(0, 1) : Script.of(10, 11, 12));
    QueryObserver<List<Integer>> o = observe(stream, StreamRefetchMode.REPLACE);
    advance(2);
    o.refetch();
    advance(2);

    f.client.cancelQueries(QueryFilters.exact(key));
    advance(5);

    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1)));
    assertThat(stream.last().cancelled).isTrue();
  }

  @Test
  void refetchWhileStreaming_cancelsTheRunningStream_andTheNewOneAppends() {
    TimedStream stream =
        new TimedStream(f.time, true, n -> n == 0 ? Script.of(0, 1, 2) : Script.of(0, 1, 2));
    QueryObserver<List<Integer>> o = observe(stream, StreamRefetchMode.APPEND);
    advance(2);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1)));

    o.refetch();

    assertThat(stream.plays.get(0).cancelled).as("the first stream is cancelled").isTrue();
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0, 1, 0)));
    advance(2);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1, 0, 1, 2)));
  }

  @Test
  void lastObserverLeaving_cancelsAStreamThatReadItsSignal_andKeepsItsChunks() {
    TimedStream stream = TimedStream.counting(f.time, 3);
    QueryObserver<List<Integer>> o = observe(StreamedQuery.of(stream));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0)));

    o.close();

    assertThat(stream.last().cancelled).isTrue();
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0)));
    advance(5);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0)));
  }

  @Test
  void lastObserverLeaving_letsAStreamThatNeverReadItsSignal_finish() {
    TimedStream stream = new TimedStream(f.time, false, n -> Script.of(0, 1, 2));
    QueryObserver<List<Integer>> o = observe(StreamedQuery.of(stream));
    advance(1);

    o.close();

    assertThat(stream.last().cancelled).isFalse();
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(0)));
    advance(2);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1, 2)));
  }

  @Test
  void cancelQueries_stopsTheStream_chunksWrittenStay() {
    TimedStream stream = TimedStream.counting(f.time, 5);
    observe(StreamedQuery.of(stream));
    advance(2);

    f.client.cancelQueries(QueryFilters.exact(key));
    advance(5);

    assertThat(stream.last().cancelled).isTrue();
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1)));
  }

  @Test
  void errorMidStream_withoutRetry_keepsTheChunksReceived() {
    IllegalStateException cut = new IllegalStateException("stream cut");
    TimedStream stream = new TimedStream(f.time, true, n -> Script.failingAfter(cut, 0, 1));
    f.client.observe(QueryOptions.builder(key, StreamedQuery.of(stream)).retry(0).build(), r -> {});

    advance(2);

    QueryState<List<Integer>> s = f.client.<List<Integer>>getQueryState(key).orElseThrow();
    assertThat(s.status()).isEqualTo(QueryStatus.ERROR);
    assertThat(s.fetchStatus()).isEqualTo(FetchStatus.IDLE);
    assertThat(s.error()).containsSame(cut);
    assertThat(s.data()).contains(List.of(0, 1));
  }

  @Test
  void errorMidStream_goesThroughTheRetryRules_andAnAppendRetryAddsOnto() {
    IllegalStateException cut = new IllegalStateException("stream cut");
    TimedStream stream =
        new TimedStream(
            f.time, true, n -> n == 0 ? Script.failingAfter(cut, 0, 1) : Script.of(2, 3));
    f.client.observe(
        QueryOptions.builder(
                key, StreamedQuery.builder(stream).refetchMode(StreamRefetchMode.APPEND).build())
            .retry(1)
            .retryDelay(Duration.ofSeconds(1))
            .build(),
        r -> {});

    advance(2);
    QueryState<List<Integer>> failed = f.client.<List<Integer>>getQueryState(key).orElseThrow();
    assertThat(failed.fetchFailureCount()).isEqualTo(1);
    assertThat(failed.fetchStatus()).isEqualTo(FetchStatus.FETCHING);
    assertThat(failed.data()).contains(List.of(0, 1));
    assertThat(stream.opens()).as("the retry waits for its delay").isEqualTo(1);

    f.time.advance(Duration.ofSeconds(1));
    assertThat(stream.opens()).isEqualTo(2);
    advance(2);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1, 2, 3)));
  }

  @Test
  void errorMidStream_aResetRetryStreamsAfresh_asTanStackDoes() {
    IllegalStateException cut = new IllegalStateException("stream cut");
    TimedStream stream =
        new TimedStream(
            f.time, true, n -> n == 0 ? Script.failingAfter(cut, 0, 1) : Script.of(0, 1, 2));
    f.client.observe(
        QueryOptions.builder(key, StreamedQuery.of(stream))
            .retry(1)
            .retryDelay(Duration.ofSeconds(1))
            .build(),
        r -> {});
    advance(2);

    f.time.advance(Duration.ofSeconds(1));

    assertState(QueryStatus.PENDING, FetchStatus.FETCHING, Optional.empty());
    advance(3);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0, 1, 2)));
  }

  @Test
  void aFetchAfterAnInitialError_isARefetch_forResetMode() {
    IllegalStateException boom = new IllegalStateException("boom");
    TimedStream stream =
        new TimedStream(f.time, true, n -> n == 0 ? Script.failingAfter(boom) : Script.of(0));
    QueryObserver<List<Integer>> o =
        f.client.observe(
            QueryOptions.builder(key, StreamedQuery.of(stream)).retry(0).build(), r -> {});
    advance(1);
    assertState(QueryStatus.ERROR, FetchStatus.IDLE, Optional.empty());

    o.refetch();

    QueryState<List<Integer>> s = f.client.<List<Integer>>getQueryState(key).orElseThrow();
    assertThat(s.status()).as("reset clears the error").isEqualTo(QueryStatus.PENDING);
    assertThat(s.error()).isEmpty();
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(0)));
  }

  @Test
  void resetRefetch_withInitialData_returnsToTheInitialData() {
    TimedStream stream = new TimedStream(f.time, true, n -> Script.of(n));
    QueryObserver<List<Integer>> o =
        f.client.observe(
            QueryOptions.builder(key, StreamedQuery.of(stream)).initialData(List.of(-1)).build(),
            r -> {});
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(-1, 0)));

    o.refetch();

    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(List.of(-1)));
    advance(1);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(List.of(-1, 1)));
  }

  @Test
  void twoObserversAndAFetchWhileStreaming_shareOneStream() {
    TimedStream stream = TimedStream.counting(f.time, 3);
    QueryOptions<List<Integer>> options = QueryOptions.of(key, StreamedQuery.of(stream));
    f.client.observe(options, r -> {});
    f.client.observe(options, r -> {});
    advance(1);

    CompletableFuture<List<Integer>> joined =
        f.client.fetchQuery(options.newBuilder().staleTime(Duration.ZERO).build());
    advance(2);

    assertThat(stream.opens()).isEqualTo(1);
    assertThat(joined).isCompletedWithValue(List.of(0, 1, 2));
  }

  @Test
  void reducer_foldsChunksFromTheInitialValue() {
    TimedStream stream = TimedStream.counting(f.time, 4);
    StreamedQuery<Integer, Integer> sum =
        StreamedQuery.builder(stream).reducer(100, (acc, chunk) -> acc + chunk).build();
    f.client.observe(QueryOptions.of(key, sum), r -> {});

    assertState(QueryStatus.PENDING, FetchStatus.FETCHING, Optional.empty());
    advance(2);
    assertState(QueryStatus.SUCCESS, FetchStatus.FETCHING, Optional.of(101));
    advance(2);
    assertState(QueryStatus.SUCCESS, FetchStatus.IDLE, Optional.of(106));
  }

  @Test
  void reducerThatThrows_failsTheAttempt_andStopsTheStream() {
    TimedStream stream = TimedStream.counting(f.time, 4);
    IllegalArgumentException bad = new IllegalArgumentException("bad chunk");
    StreamedQuery<Integer, Integer> sum =
        StreamedQuery.builder(stream)
            .reducer(
                0,
                (acc, chunk) -> {
                  if (chunk == 2) {
                    throw bad;
                  }
                  return acc + chunk;
                })
            .build();
    f.client.observe(QueryOptions.builder(key, sum).retry(0).build(), r -> {});

    advance(4);

    QueryState<Integer> s = f.client.<Integer>getQueryState(key).orElseThrow();
    assertThat(s.status()).isEqualTo(QueryStatus.ERROR);
    assertThat(s.error()).containsSame(bad);
    assertThat(s.data()).contains(1);
    assertThat(stream.last().cancelled).isTrue();
  }

  @Test
  void fromIterator_walksTheIterator_andClosesIt() {
    AtomicBoolean closed = new AtomicBoolean();
    class Closing implements Iterator<String>, AutoCloseable {
      private final Iterator<String> it = List.of("a", "b", "c").iterator();

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public String next() {
        return it.next();
      }

      @Override
      public void close() {
        closed.set(true);
      }
    }
    StreamSource<String> source = StreamSource.fromIterator(ctx -> new Closing(), Runnable::run);

    CompletableFuture<List<String>> done =
        f.client.fetchQuery(QueryOptions.of(key, StreamedQuery.of(source)));

    assertThat(done).isCompletedWithValue(List.of("a", "b", "c"));
    assertThat(closed).isTrue();
  }
}
