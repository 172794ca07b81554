package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.core.Connectivity;
import dev.quarry.core.QuarryException;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.testing.VirtualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mutation defaults as TanStack Query merges them: the client's {@code defaultOptions.mutations},
 * then every {@code setMutationDefaults} entry whose key is a prefix of the mutation's key (in
 * registration order, later ones winning), then the mutation's own options; and {@code retryDelay}
 * as a function of the failure count and the error. In virtual time, callbacks on the calling
 * thread.
 */
class MutationDefaultsTest {
  private static final QueryKey TODOS = QueryKey.of("todos");
  private static final QueryKey ADD_TODO = QueryKey.of("todos", "add");

  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> handled = new ArrayList<>();
  private final List<MutationClient> clients = new ArrayList<>();

  private MutationClient client(MutationOptions<?, ?, ?> clientDefaults) {
    MutationClient.Builder b =
        MutationClient.builder()
            .clock(time)
            .scheduler(time)
            .callbackExecutor(VirtualTime.direct())
            .connectivity(Connectivity.create())
            .errorHandler((context, error) -> handled.add(error));
    if (clientDefaults != null) {
      b.defaults(clientDefaults);
    }
    MutationClient c = b.build();
    clients.add(c);
    return c;
  }

  private MutationClient client() {
    return client(null);
  }

  @AfterEach
  void close() {
    clients.forEach(MutationClient::close);
    assertThat(handled).as("errors reported to the error handler").isEmpty();
  }

  private static MutationOptions<String, String, Void> answering(String answer) {
    return MutationOptions.<String, String, Void>builder()
        .mutationFn((v, ctx) -> CompletableFuture.completedFuture(answer))
        .build();
  }

  private static MutationOptions<String, String, Void> keyed(QueryKey key) {
    return MutationOptions.<String, String, Void>builder().mutationKey(key).build();
  }

  private static String resultOf(CompletableFuture<String> f) {
    assertThat(f).isDone();
    return f.join();
  }

  @Test
  void clientDefaults_applyToEveryMutation_evenOneWithoutAKey() {
    MutationClient c = client(answering("client default"));

    assertThat(resultOf(c.mutate(MutationOptions.<String, String, Void>builder().build(), "v")))
        .isEqualTo("client default");
    assertThat(resultOf(c.mutate(keyed(ADD_TODO), "v"))).isEqualTo("client default");
  }

  @Test
  void keyDefaults_applyWhenTheirKeyIsAPrefixOfTheMutationKey_andNeverWhenLonger() {
    MutationClient c = client(answering("client default"));
    c.setMutationDefaults(TODOS, answering("todos default"));
    c.setMutationDefaults(QueryKey.of("todos", "add", "many"), answering("longer key"));

    assertThat(resultOf(c.mutate(keyed(TODOS), "v"))).isEqualTo("todos default");
    assertThat(resultOf(c.mutate(keyed(ADD_TODO), "v"))).isEqualTo("todos default");
    assertThat(resultOf(c.mutate(keyed(QueryKey.of("todo")), "v"))).isEqualTo("client default");
  }

  @Test
  void layers_clientDefaults_thenMatchingKeysInRegistrationOrder_thenTheMutationsOwnOptions() {
    MutationClient generalFirst = client(answering("client default"));
    generalFirst.setMutationDefaults(TODOS, answering("todos default"));
    generalFirst.setMutationDefaults(ADD_TODO, answering("add default"));
    MutationClient specificFirst = client(answering("client default"));
    specificFirst.setMutationDefaults(ADD_TODO, answering("add default"));
    specificFirst.setMutationDefaults(TODOS, answering("todos default"));

    assertThat(resultOf(generalFirst.mutate(keyed(ADD_TODO), "v"))).isEqualTo("add default");
    assertThat(resultOf(specificFirst.mutate(keyed(ADD_TODO), "v")))
        .as("the later registration wins, however long its key")
        .isEqualTo("todos default");
    MutationOptions<String, String, Void> own =
        answering("own function").newBuilder().mutationKey(ADD_TODO).build();
    assertThat(resultOf(generalFirst.mutate(own, "v"))).isEqualTo("own function");
  }

  @Test
  void optionsUnsetEverywhere_fallThroughEachLayer() {
    MutationClient c =
        client(
            MutationOptions.builder().scope("client scope").meta(java.util.Map.of("a", 1)).build());
    c.setMutationDefaults(TODOS, answering("todos default"));

    c.mutate(keyed(ADD_TODO), "v");

    MutationInfo info = c.findAll(MutationFilters.all()).get(0);
    assertThat(info.scope()).contains("client scope");
    assertThat(info.meta()).containsEntry("a", 1);
    assertThat(info.state().data()).isEqualTo(Optional.of("todos default"));
  }

  @Test
  void reRegisteringAKey_replacesItsDefaultsWhereTheyStandInTheOrder() {
    MutationClient c = client();
    c.setMutationDefaults(TODOS, answering("todos default"));
    c.setMutationDefaults(ADD_TODO, answering("add default"));
    c.setMutationDefaults(TODOS, answering("todos default, again"));

    assertThat(resultOf(c.mutate(keyed(ADD_TODO), "v"))).isEqualTo("add default");
    assertThat(resultOf(c.mutate(keyed(QueryKey.of("todos", "remove")), "v")))
        .isEqualTo("todos default, again");
  }

  @Test
  void getMutationDefaults_mergesTheDefaultsOfEveryRegisteredPrefixOfTheKey() {
    MutationClient c = client(answering("client default"));
    c.setMutationDefaults(
        TODOS, MutationOptions.builder().scope("todos").retry(RetryPolicy.times(2)).build());
    c.setMutationDefaults(ADD_TODO, MutationOptions.builder().scope("adding").build());

    MutationOptions<?, ?, ?> forAdd = c.getMutationDefaults(QueryKey.of("todos", "add", 7)).get();
    assertThat(forAdd.scope()).contains("adding");
    assertThat(forAdd.hasRetry()).isTrue();
    assertThat(forAdd.hasMutationFn()).as("client-wide defaults are not part of it").isFalse();
    assertThat(c.getMutationDefaults(TODOS).get().scope()).contains("todos");
    assertThat(c.getMutationDefaults(QueryKey.of("other"))).isEmpty();
  }

  @Test
  void retryDelayFunction_getsTheFailuresSoFarAndTheError_andSetsEachWait() {
    MutationClient c = client();
    List<String> delays = new ArrayList<>();
    List<Duration> attempts = new ArrayList<>();
    int[] calls = {0};
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder()
            .mutationFn(
                (v, ctx) -> {
                  attempts.add(time.elapsed());
                  return CompletableFuture.failedFuture(
                      new IllegalStateException("boom " + ++calls[0]));
                })
            .retry(RetryPolicy.times(3))
            .retryDelay(
                (failureCount, error) -> {
                  delays.add(failureCount + ":" + error.getMessage());
                  return Duration.ofSeconds(failureCount + 1);
                })
            .build();

    CompletableFuture<String> result = c.mutate(options, "v");
    time.advance(Duration.ofSeconds(10));

    assertThat(attempts)
        .containsExactly(
            Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(6));
    assertThat(delays)
        .as("called after every failure, the last included, with the failures before it")
        .containsExactly("0:boom 1", "1:boom 2", "2:boom 3", "3:boom 4");
    assertThat(result).isCompletedExceptionally();
    assertThat(c.findAll(MutationFilters.all()).get(0).state().failureCount()).isEqualTo(4);
  }

  @Test
  void retryAndRetryDelay_comeFromTheDefaultsToo() {
    MutationClient c =
        client(
            MutationOptions.builder()
                .retry(RetryPolicy.times(1))
                .retryDelay((failureCount, error) -> Duration.ofMinutes(1))
                .build());
    List<Duration> attempts = new ArrayList<>();
    c.setMutationDefaults(
        TODOS,
        MutationOptions.<String, String, Void>builder()
            .mutationFn(
                (v, ctx) -> {
                  attempts.add(time.elapsed());
                  return CompletableFuture.failedFuture(new QuarryException("refused"));
                })
            .build());

    CompletableFuture<String> result = c.mutate(keyed(ADD_TODO), "v");
    time.advance(Duration.ofSeconds(59));
    assertThat(attempts).containsExactly(Duration.ZERO);
    time.advance(Duration.ofSeconds(1));

    assertThat(attempts).containsExactly(Duration.ZERO, Duration.ofMinutes(1));
    assertThat(result).isCompletedExceptionally();
  }

  @Test
  void aConstantRetryDelay_isTheSameFunctionForEveryFailure() {
    MutationOptions<String, String, Void> options =
        MutationOptions.<String, String, Void>builder().retryDelay(Duration.ofSeconds(3)).build();

    assertThat(options.retryDelay().get().apply(0, new RuntimeException()))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(options.retryDelay().get().apply(5, new RuntimeException()))
        .isEqualTo(Duration.ofSeconds(3));
  }
}
