package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.cache.QueryClient;
import dev.quarry.core.Connectivity;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.core.http.HttpDecodeException;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.testing.VirtualTime;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A persistent mutation is never lost to a failure that retrying may cure: it pauses, keeps its
 * record and its optimistic change, and retries with backoff, at once on reconnect and on {@code
 * resumeOutbox()}; only a refusal settles it. In virtual time, callbacks on the calling thread.
 */
class PersistentPauseTest {
  private static final QueryKey CREATE = QueryKey.of("episodes", "create");
  private static final QueryKey EPISODES = QueryKey.of("episodes", "p1");

  private final VirtualTime time = new VirtualTime();
  private final Connectivity connectivity = Connectivity.create();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private final InMemoryOutbox outbox = new InMemoryOutbox();
  private final QueryClient queries =
      QueryClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .connectivity(connectivity)
          .errorHandler((c, e) -> handled.add(e))
          .build();
  private final MutationClient client =
      MutationClient.builder()
          .clock(time)
          .scheduler(time)
          .callbackExecutor(VirtualTime.direct())
          .queryClient(queries)
          .outbox(outbox)
          .errorHandler((c, e) -> handled.add(e))
          .build();

  /** What the server does with each attempt, in order: a Throwable fails it, anything else wins. */
  private final Deque<Object> answers = new ArrayDeque<>();

  /** "title@virtual-millis" for every attempt. */
  private final List<String> attempts = new ArrayList<>();

  @AfterEach
  void close() {
    client.close();
    queries.close();
  }

  private MutationFunction<String, String> scripted() {
    return (title, ctx) -> {
      attempts.add(title + "@" + time.elapsed().toMillis());
      Object answer = answers.isEmpty() ? "ok" : answers.poll();
      return answer instanceof Throwable t
          ? CompletableFuture.failedFuture(t)
          : CompletableFuture.completedFuture(title + ":" + answer);
    };
  }

  private static List<String> plus(List<String> list, String item) {
    List<String> out = new ArrayList<>(list);
    out.add(item);
    return List.copyOf(out);
  }

  private MutationOptions.Builder<String, String, Void> create() {
    return MutationOptions.<String, String, Void>builder()
        .mutationKey(CREATE)
        .mutationFn(scripted())
        .variablesType(String.class)
        .persistent(true)
        .<List<String>>optimistic(
            title -> EPISODES, (list, title) -> list.map(l -> plus(l, title)));
  }

  private MutationState<?, ?, ?> only() {
    List<MutationInfo> all = client.findAll(MutationFilters.all());
    assertThat(all).hasSize(1);
    return all.get(0).state();
  }

  private List<String> shown() {
    return queries.<List<String>>getQueryData(EPISODES).orElseThrow();
  }

  private static HttpStatusException status(int code) {
    return new HttpStatusException(
        "POST", "http://h/episodes", code, Headers.of(), "", Optional.empty());
  }

  private static HttpIoException io(IOException cause) {
    return new HttpIoException("POST", "http://h/episodes", cause);
  }

  static Stream<Throwable> retryable() {
    return Stream.of(
        io(new IOException("Connection reset")),
        io(new SocketTimeoutException("timeout")),
        status(500),
        status(502),
        status(503),
        status(429),
        status(408),
        new TimeoutException("no answer in 5 s"),
        new IOException("custom transport down"));
  }

  static Stream<Throwable> notRetryable() {
    return Stream.of(
        status(400),
        status(401),
        status(404),
        status(409),
        status(422),
        new HttpDecodeException(
            "POST",
            "http://h/episodes",
            200,
            "Episode",
            HttpDecodeException.Reason.MALFORMED,
            "not JSON",
            null),
        new IllegalStateException("a bug in the mutation function"));
  }

  @ParameterizedTest
  @MethodSource("retryable")
  void retryableFailure_pausesWithItsRecordAndChange_thenRetriesAfterTheBackoff(Throwable failure)
      throws Exception {
    queries.setQueryData(EPISODES, List.of("x"));
    answers.add(failure);
    CompletableFuture<String> result = client.mutate(create().build(), "a");

    MutationState<?, ?, ?> paused = only();
    assertThat(paused.status()).isEqualTo(MutationStatus.PENDING);
    assertThat(paused.isPaused()).isTrue();
    assertThat(paused.failureCount()).isEqualTo(1);
    assertThat(paused.failureReason()).containsSame(failure);
    assertThat(paused.error()).isEmpty();
    assertThat(result).isNotDone();
    assertThat(client.outboxRecords()).hasSize(1);
    assertThat(shown()).containsExactly("x", "a");

    time.advance(Duration.ofMillis(999));
    assertThat(attempts).containsExactly("a@0");
    time.advance(Duration.ofMillis(1)); // the first wait is exactly 1 s
    assertThat(attempts).containsExactly("a@0", "a@1000");
    assertThat(result.get()).isEqualTo("a:ok");
    assertThat(only().status()).isEqualTo(MutationStatus.SUCCESS);
    assertThat(client.outboxRecords()).isEmpty();
    assertThat(handled).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("notRetryable")
  void nonRetryableFailure_settlesAsErrorAtOnce_rollsBack_andLeavesTheOutbox(Throwable failure) {
    queries.setQueryData(EPISODES, List.of("x"));
    answers.add(failure);
    CompletableFuture<String> result = client.mutate(create().build(), "a");

    assertThatThrownBy(result::get).isInstanceOf(ExecutionException.class).hasCause(failure);
    assertThat(only().status()).isEqualTo(MutationStatus.ERROR);
    assertThat(only().isPaused()).isFalse();
    assertThat(client.outboxRecords()).isEmpty();
    assertThat(shown()).containsExactly("x");
    time.advance(Duration.ofHours(1));
    assertThat(attempts).containsExactly("a@0");
  }

  @Test
  void defaultPolicy_retriesWithoutEnd_waitsDoublingFromOneSecondToAtMostOneMinute()
      throws Exception {
    for (int i = 0; i < 40; i++) {
      answers.add(io(new IOException("Connection refused")));
    }
    CompletableFuture<String> result = client.mutate(create().build(), "a");
    for (int i = 0; i < 40; i++) {
      time.advance(Duration.ofMinutes(1));
    }
    assertThat(result.get()).isEqualTo("a:ok");
    assertThat(attempts).hasSize(41);
    long previous = 0;
    for (int i = 1; i < attempts.size(); i++) {
      long at = Long.parseLong(attempts.get(i).substring("a@".length()));
      long waited = at - previous;
      long upper = Math.min(1000L << Math.min(i - 1, 20), 60_000L);
      assertThat(waited).as("wait before attempt %d", i + 1).isBetween(1000L, upper + 1);
      previous = at;
    }
    assertThat(client.outboxRecords()).isEmpty();
  }

  @Test
  void failureCount_andReason_followEveryFailedAttempt_whilePaused() {
    answers.add(status(503));
    answers.add(io(new IOException("reset")));
    client.mutate(create().build(), "a");
    assertThat(only().failureCount()).isEqualTo(1);
    time.advance(Duration.ofSeconds(1));
    assertThat(only().failureCount()).isEqualTo(2);
    assertThat(only().failureReason().orElseThrow()).isInstanceOf(HttpIoException.class);
    assertThat(only().isPaused()).isTrue();
  }

  @Test
  void applicationPolicy_sayingNo_settlesAsErrorAndRollsBack() {
    queries.setQueryData(EPISODES, List.of("x"));
    for (int i = 0; i < 5; i++) {
      answers.add(status(503));
    }
    CompletableFuture<String> result =
        client.mutate(create().retry(RetryPolicy.times(2)).build(), "a");
    time.advance(Duration.ofSeconds(1));
    assertThat(only().isPaused()).isTrue();
    assertThat(shown()).containsExactly("x", "a");
    time.advance(Duration.ofSeconds(2));

    assertThat(attempts).containsExactly("a@0", "a@1000", "a@3000");
    assertThat(result).isCompletedExceptionally();
    assertThat(only().status()).isEqualTo(MutationStatus.ERROR);
    assertThat(only().failureCount()).isEqualTo(3);
    assertThat(client.outboxRecords()).isEmpty();
    assertThat(shown()).containsExactly("x");
  }

  @Test
  void retryNever_optsOut_theFirstTransportFailureSettles() {
    answers.add(io(new IOException("Connection refused")));
    CompletableFuture<String> result =
        client.mutate(create().retry(RetryPolicy.never()).build(), "a");
    assertThat(result).isCompletedExceptionally();
    assertThat(client.outboxRecords()).isEmpty();
  }

  @Test
  void retryDelayAlone_keepsTheUnboundedDefault_withThatDelay() throws Exception {
    for (int i = 0; i < 10; i++) {
      answers.add(status(500));
    }
    CompletableFuture<String> result =
        client.mutate(create().retryDelay(Duration.ofMillis(100)).build(), "a");
    time.advance(Duration.ofSeconds(1));
    assertThat(result.get()).isEqualTo("a:ok");
    assertThat(attempts).hasSize(11).endsWith("a@1000");
  }

  @Test
  void nonPersistentMutation_keepsTanStacksRule_aTransportFailureSettlesIt() {
    answers.add(io(new IOException("Connection refused")));
    CompletableFuture<String> result =
        client.mutate(
            MutationOptions.<String, String, Void>builder().mutationFn(scripted()).build(), "a");
    assertThat(result).isCompletedExceptionally();
    assertThat(only().status()).isEqualTo(MutationStatus.ERROR);
  }

  @Test
  void connectivityComingBackOnline_retriesAWaitingMutationAtOnce() throws Exception {
    answers.add(io(new IOException("Network is unreachable")));
    CompletableFuture<String> result = client.mutate(create().build(), "a");
    time.advance(Duration.ofMillis(500));
    connectivity.setOnline(false);
    connectivity.setOnline(true);
    assertThat(attempts).containsExactly("a@0", "a@500");
    assertThat(result.get()).isEqualTo("a:ok");
  }

  @Test
  void offlineWhenTheWaitEnds_staysPausedUntilOnline() throws Exception {
    answers.add(io(new IOException("Network is unreachable")));
    CompletableFuture<String> result = client.mutate(create().build(), "a");
    connectivity.setOnline(false);
    time.advance(Duration.ofMinutes(5));
    assertThat(attempts).containsExactly("a@0");
    assertThat(only().isPaused()).isTrue();
    connectivity.setOnline(true);
    assertThat(attempts).containsExactly("a@0", "a@300000");
    assertThat(result.get()).isEqualTo("a:ok");
  }

  @Test
  void resumeOutbox_retriesAWaitingMutationAtOnce() throws Exception {
    answers.add(status(502));
    CompletableFuture<String> result = client.mutate(create().build(), "a");
    time.advance(Duration.ofMillis(200));
    client.resumeOutbox();
    assertThat(attempts).containsExactly("a@0", "a@200");
    assertThat(result.get()).isEqualTo("a:ok");
  }

  @Test
  void scope_aPausedWriteHoldsBackTheLaterOnes_andOrderIsKept() throws Exception {
    answers.add(status(503));
    answers.add(status(503));
    CompletableFuture<String> a = client.mutate(create().scope("episodes").build(), "a");
    CompletableFuture<String> b = client.mutate(create().scope("episodes").build(), "b");
    CompletableFuture<String> c = client.mutate(create().scope("episodes").build(), "c");
    assertThat(attempts).containsExactly("a@0");
    assertThat(client.outboxRecords()).hasSize(3);

    time.advance(Duration.ofSeconds(1)); // a fails again
    connectivity.setOnline(false);
    connectivity.setOnline(true); // wakes a; b and c stay behind it
    assertThat(attempts).containsExactly("a@0", "a@1000", "a@1000", "b@1000", "c@1000");
    assertThat(List.of(a.get(), b.get(), c.get())).containsExactly("a:ok", "b:ok", "c:ok");
    assertThat(client.outboxRecords()).isEmpty();
  }

  @Test
  void resumePausedMutations_completesWhenAPersistentMutationPausesAgain_andTheOnesBehindIt() {
    answers.add(status(503));
    answers.add(status(503));
    client.mutate(create().scope("episodes").build(), "a");
    client.mutate(create().scope("episodes").build(), "b");

    CompletableFuture<Void> round = client.resumePausedMutations();

    assertThat(attempts).containsExactly("a@0", "a@0");
    assertThat(round).isCompleted();
    assertThat(client.isMutating()).isEqualTo(2);
  }

  @Test
  void restoredMutation_pausesOnARetryableFailure_andKeepsItsRecord() throws Exception {
    outbox.append(CREATE.hash(), "\"r\"", Optional.empty(), "k1", 0);
    client.setMutationDefaults(CREATE, create().build());
    answers.add(io(new IOException("Connection reset")));

    CompletableFuture<Void> resumed = client.resumeOutbox();

    assertThat(attempts).containsExactly("r@0");
    assertThat(only().isPaused()).isTrue();
    assertThat(resumed).isNotDone();
    assertThat(client.outboxRecords()).extracting(OutboxRecord::idempotencyKey).contains("k1");
    time.advance(Duration.ofSeconds(1));
    assertThat(resumed).isCompleted();
    assertThat(client.outboxRecords()).isEmpty();
  }

  @Test
  void close_whileWaiting_stopsRetrying_andTheRecordStays() {
    answers.add(status(503));
    CompletableFuture<String> result = client.mutate(create().build(), "a");
    client.close();
    time.advance(Duration.ofHours(1));
    assertThat(attempts).containsExactly("a@0");
    assertThat(result).isCompletedExceptionally();
    assertThat(outbox.pending()).hasSize(1);
  }
}
