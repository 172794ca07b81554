package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.optimistic.MutationState;
import dev.quarry.optimistic.MutationStatus;
import dev.quarry.testing.VirtualTime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent writes through the facade (outbox in a real file, virtual time): the rule of {@link
 * MutationOptions} holds there too, and a write that cannot land does not hold back the refetch
 * after a reconnect.
 */
class PersistentWritesTest {
  private static final QueryKey CREATE = QueryKey.of("episodes", "create");

  @TempDir Path dir;
  private final VirtualTime time = new VirtualTime();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Deque<Throwable> failures = new ArrayDeque<>();
  private Quarry quarry;

  @BeforeEach
  void start() {
    quarry =
        Quarry.builder()
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .persistence(dir)
            .build();
  }

  @AfterEach
  void close() {
    quarry.close();
  }

  private MutationOptions<String, String, Void> create() {
    return MutationOptions.<String, String, Void>builder()
        .mutationKey(CREATE)
        .variablesType(String.class)
        .persistent(true)
        .mutationFn(
            (title, ctx) -> {
              calls.add("send " + title);
              Throwable failure = failures.poll();
              return failure == null
                  ? CompletableFuture.completedFuture(title)
                  : CompletableFuture.failedFuture(failure);
            })
        .build();
  }

  private MutationState<?, ?, ?> only() {
    return quarry.mutations().findAll(MutationFilters.all()).get(0).state();
  }

  private static HttpIoException unreachable() {
    return new HttpIoException("POST", "http://h/episodes", new IOException("Connection reset"));
  }

  @Test
  void transportFailure_pausesThePersistentWrite_andItLandsOnTheRetry() throws Exception {
    failures.add(unreachable());
    CompletableFuture<String> result = quarry.mutation(create()).mutate("Pilot");

    assertThat(only().status()).isEqualTo(MutationStatus.PENDING);
    assertThat(only().isPaused()).isTrue();
    assertThat(quarry.mutations().outboxRecords()).hasSize(1);

    time.advance(MutationOptions.PERSISTENT_RETRY_BACKOFF.max());
    assertThat(result.get()).isEqualTo("Pilot");
    assertThat(calls).containsExactly("send Pilot", "send Pilot");
    assertThat(quarry.mutations().outboxRecords()).isEmpty();
  }

  @Test
  void refusal_settlesThePersistentWriteAsAnError() {
    failures.add(
        new HttpStatusException(
            "POST", "http://h/episodes", 422, Headers.of(), "", Optional.empty()));
    CompletableFuture<String> result = quarry.mutation(create()).mutate("Pilot");

    assertThat(result).isCompletedExceptionally();
    assertThat(only().status()).isEqualTo(MutationStatus.ERROR);
    assertThat(quarry.mutations().outboxRecords()).isEmpty();
  }

  @Test
  void reconnect_aPersistentWriteThatFailsAgain_staysPaused_andQueriesStillRefetch() {
    quarry.observe(
        QueryOptions.of(
            QueryKey.of("episodes"),
            ctx -> {
              calls.add("refetch");
              return CompletableFuture.completedFuture("list");
            }),
        r -> {});
    time.runDue();
    calls.clear();
    quarry.connectivity().setOnline(false);
    failures.add(unreachable());
    CompletableFuture<String> result = quarry.mutation(create()).mutate("Pilot");
    assertThat(calls).isEmpty();

    quarry.connectivity().setOnline(true);
    time.runDue();

    assertThat(calls).containsExactly("send Pilot", "refetch");
    assertThat(result).isNotDone();
    assertThat(only().isPaused()).isTrue();
    assertThat(only().failureCount()).isEqualTo(1);
    assertThat(quarry.mutations().outboxRecords()).hasSize(1);

    time.advance(Duration.ofMinutes(1));
    assertThat(result).isCompletedWithValue("Pilot");
    assertThat(quarry.mutations().outboxRecords()).isEmpty();
  }
}
