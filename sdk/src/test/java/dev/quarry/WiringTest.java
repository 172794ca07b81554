package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cache.QueryObserver;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The facade's wiring, in virtual time (the realtime client is configured but not connected). */
class WiringTest {
  final VirtualTime time = new VirtualTime();
  final Quarry quarry =
      Quarry.builder()
          .time(time, time)
          .callbackExecutor(VirtualTime.direct())
          .realtime(URI.create("http://127.0.0.1:9"), r -> r)
          .connectRealtime(false)
          .build();
  final Topic topic = Topic.of("execution", "executionId", "e1");

  @AfterEach
  void close() {
    quarry.close();
  }

  private QueryOptions<String> pending(QueryKey key) {
    return QueryOptions.of(key, ctx -> new CompletableFuture<>());
  }

  private List<String> subscriptions() {
    return quarry.inspector().snapshot().realtime().orElseThrow().subscriptions();
  }

  @Test
  void reconnect_resumesPausedMutationsBeforeStaleQueriesRefetch() {
    List<String> calls = new CopyOnWriteArrayList<>();
    CompletableFuture<String> send = new CompletableFuture<>();
    QueryKey key = QueryKey.of("episodes");
    QueryObserver<String> observer =
        quarry.observe(
            QueryOptions.of(
                key,
                ctx -> {
                  calls.add("refetch");
                  return CompletableFuture.completedFuture("list");
                }),
            r -> {});
    time.runDue();
    calls.clear();
    quarry.connectivity().setOnline(false);
    quarry
        .mutation(
            MutationOptions.<String, String, Void>builder()
                .mutationFn(
                    (v, ctx) -> {
                      calls.add("mutation " + v);
                      return send;
                    })
                .build())
        .mutate("Pilot");
    time.runDue();
    assertThat(calls).isEmpty();

    quarry.connectivity().setOnline(true);
    time.runDue();
    assertThat(calls).containsExactly("mutation Pilot"); // the refetch waits for the mutation

    send.complete("ep-2");
    time.runDue();
    assertThat(calls).containsExactly("mutation Pilot", "refetch");
    observer.close();
  }

  @Test
  void liveQuery_firstObserverSubscribes_lastObserverUnsubscribes() {
    QueryKey key = QueryKey.of("execution", "e1");
    TopicBinding binding = quarry.bind(topic).live(key);
    assertThat(binding.isSubscribed()).isFalse();
    assertThat(subscriptions()).isEmpty();

    QueryOptions<String> options =
        QueryOptions.of(key, ctx -> CompletableFuture.completedFuture("running"));
    QueryObserver<String> first = quarry.observe(options, r -> {});
    QueryObserver<String> second = quarry.observe(options, r -> {});
    time.runDue();
    assertThat(binding.isSubscribed()).isTrue();
    assertThat(subscriptions()).containsExactly("execution {\"executionId\":\"e1\"}");

    first.close();
    assertThat(binding.isSubscribed()).isTrue();
    second.close();
    assertThat(binding.isSubscribed()).isFalse();
    assertThat(subscriptions()).isEmpty();

    // gc still applies: the unobserved query is collected after gcTime (default 5 minutes).
    assertThat(quarry.queries().getQueryState(key)).isPresent();
    time.advance(Duration.ofMinutes(5));
    assertThat(quarry.queries().getQueryState(key)).isEmpty();
    assertThat(binding.isSubscribed()).isFalse();
  }

  @Test
  void liveQuery_observerOfAKeyUnderABoundPrefix_subscribes_otherKeysDoNot() {
    TopicBinding binding = quarry.bind(topic).live(QueryKey.of("execution", "e1"));

    QueryObserver<String> other = quarry.observe(pending(QueryKey.of("execution", "e2")), r -> {});
    assertThat(binding.isSubscribed()).isFalse();
    QueryObserver<String> under =
        quarry.observe(pending(QueryKey.of("execution", "e1", "events")), r -> {});
    assertThat(binding.isSubscribed()).isTrue();

    under.close();
    other.close();
    assertThat(binding.isSubscribed()).isFalse();
  }

  @Test
  void hold_keepsTheTopicSubscribedWithoutObservers_untilReleased() {
    TopicBinding binding = quarry.bind(topic).live(QueryKey.of("execution", "e1"));
    Registration hold = binding.hold();
    assertThat(binding.isSubscribed()).isTrue();

    hold.close();
    hold.close();
    assertThat(binding.isSubscribed()).isFalse();
  }

  @Test
  void bindingClose_unsubscribes_andFacadeCloseClosesBindings() {
    QueryKey key = QueryKey.of("execution", "e1");
    TopicBinding binding = quarry.bind(topic).live(key);
    quarry.observe(pending(key), r -> {});
    assertThat(binding.isSubscribed()).isTrue();

    binding.close();
    assertThat(binding.isSubscribed()).isFalse();
    assertThat(subscriptions()).isEmpty();

    TopicBinding another = quarry.bind(topic).live(key);
    assertThat(another.isSubscribed()).isTrue();
    quarry.close();
    assertThat(another.isSubscribed()).isFalse();
  }

  @Test
  void bindEach_makesOneBindingPerTopicOnFirstObserver_withTheDeclaredRules() {
    List<String> declared = new CopyOnWriteArrayList<>();
    quarry.bindEach(
        QueryKey.of("execution"),
        key ->
            java.util.Optional.of(
                Topic.of("execution", "executionId", String.valueOf(key.parts().get(1)))),
        (t, b) -> {
          String id = t.params().get("executionId").asText();
          declared.add(id);
          b.append("agent-event", String.class, QueryKey.of("execution", id, "events"));
        });

    QueryObserver<String> e1 = quarry.observe(pending(QueryKey.of("execution", "e1")), r -> {});
    QueryObserver<String> e1Events =
        quarry.observe(pending(QueryKey.of("execution", "e1", "events")), r -> {});
    QueryObserver<String> e2 = quarry.observe(pending(QueryKey.of("execution", "e2")), r -> {});
    QueryObserver<String> other = quarry.observe(pending(QueryKey.of("episodes")), r -> {});

    assertThat(declared).containsExactly("e1", "e2");
    assertThat(subscriptions())
        .containsExactly(
            "execution {\"executionId\":\"e1\"}", "execution {\"executionId\":\"e2\"}");

    e1.close();
    assertThat(subscriptions()).hasSize(2); // e1's events are still observed
    e1Events.close();
    e2.close();
    assertThat(subscriptions()).isEmpty();
    other.close();
  }
}
