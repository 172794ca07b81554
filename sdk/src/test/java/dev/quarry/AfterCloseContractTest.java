package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.cache.QueryClient;
import dev.quarry.cache.QueryOptions;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.optimistic.MutationClient;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.Topic;
import dev.quarry.store.Store;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every client keeps the same promise after {@code close()} (stated in each one's Javadoc): a
 * second {@code close()} does nothing; a call that would start new work throws {@link
 * IllegalStateException} saying the client is closed; work in flight when it closed completes
 * exceptionally, never stays pending; what can still be read answers from what is left.
 */
class AfterCloseContractTest {
  private static final QueryKey KEY = QueryKey.of("todos");

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Nested
  class QueryClientAfterClose {
    @Test
    void refusesNewWork_failsWhatWasInFlight_readsTheEmptiedCache() {
      VirtualTime time = new VirtualTime();
      QueryClient queries =
          QueryClient.builder()
              .clock(time)
              .scheduler(time)
              .callbackExecutor(VirtualTime.direct())
              .build();
      queries.setQueryData(KEY, "cached");
      CompletableFuture<String> inFlight =
          queries.fetchQuery(
              QueryOptions.<String>of(QueryKey.of("slow"), ctx -> new CompletableFuture<>()));

      queries.close();
      assertThatCode(queries::close).doesNotThrowAnyException();

      assertThat(inFlight).isCompletedExceptionally();
      assertRefused(
          () ->
              queries.fetchQuery(
                  QueryOptions.of(KEY, ctx -> CompletableFuture.completedFuture("x"))));
      assertRefused(
          () ->
              queries.observe(
                  QueryOptions.of(KEY, ctx -> CompletableFuture.completedFuture("x")), r -> {}));
      assertRefused(() -> queries.setQueryData(KEY, "late"));
      assertRefused(() -> queries.subscribe(e -> {}));
      assertThat(queries.<String>getQueryData(KEY)).isEmpty();
      assertThat(queries.snapshot()).isEmpty();
    }
  }

  @Nested
  class MutationClientAfterClose {
    @Test
    void refusesNewWork_failsWhatWasInFlight() {
      VirtualTime time = new VirtualTime();
      MutationClient mutations =
          MutationClient.builder()
              .clock(time)
              .scheduler(time)
              .callbackExecutor(VirtualTime.direct())
              .build();
      CompletableFuture<String> inFlight =
          mutations.mutate(
              MutationOptions.<String, String>of((v, ctx) -> new CompletableFuture<>()), "a");

      mutations.close();
      assertThatCode(mutations::close).doesNotThrowAnyException();

      assertThat(inFlight).isCompletedExceptionally();
      MutationOptions<String, String, Void> echo =
          MutationOptions.of((v, ctx) -> CompletableFuture.completedFuture(v));
      assertRefused(() -> mutations.mutate(echo, "b"));
      assertRefused(() -> mutations.mutation(echo));
      assertRefused(() -> mutations.subscribe(e -> {}));
      // Reads answer from what is left: the mutation as it stood when the client closed.
      assertThat(mutations.findAll(MutationFilters.all())).hasSize(1);
    }
  }

  @Nested
  class RealtimeClientAfterClose {
    @Test
    void refusesNewWork_failsWhatWasInFlight_keepsAnsweringItsState() {
      VirtualTime time = new VirtualTime();
      RealtimeClient client =
          RealtimeClient.create(
              RealtimeOptions.builder(URI.create("http://127.0.0.1:9"))
                  .time(time, time)
                  .callbackExecutor(VirtualTime.direct())
                  .build());
      // Buffered while never connected: in flight when the client closes.
      CompletableFuture<?> inFlight = client.emitWithAck("ping", Duration.ofMinutes(1), "x");

      client.close();
      assertThatCode(client::close).doesNotThrowAnyException();

      assertThat(inFlight).isCompletedExceptionally();
      assertRefused(client::connect);
      assertRefused(() -> client.emit("ping", "y"));
      assertRefused(() -> client.emitWithAck("ping", Duration.ofSeconds(1), "y"));
      assertRefused(() -> client.subscribe(Topic.of("todos", "listId", "l1")));
      assertRefused(() -> client.on("todo", String.class, s -> {}));
      assertThat(client.isConnected()).isFalse();
      assertThat(client.topics()).isEmpty();
    }
  }

  @Nested
  class JsonHttpAfterClose {
    @Test
    void refusesNewWork_failsWhatWasInFlight() throws Exception {
      try (MockWebServer server = new MockWebServer()) {
        server.start();
        // No response queued for the first call until the client closed: it is in flight.
        JsonHttp http = JsonHttp.builder().baseUrl(server.url("/").toString()).build();
        CompletableFuture<String> inFlight = http.get("slow", String.class);
        server.takeRequest(10, TimeUnit.SECONDS);

        http.close();
        assertThatCode(http::close).doesNotThrowAnyException();

        assertThat(inFlight).failsWithin(Duration.ofSeconds(10));
        assertRefused(() -> http.get("again", String.class));
        server.enqueue(new MockResponse.Builder().body("\"unused\"").build());
      }
    }
  }

  @Nested
  class StoreAfterClose {
    @Test
    void refusesChanges_keepsItsLastState() {
      Store<Integer> store =
          Store.builder(1).name("counter").callbackExecutor(VirtualTime.direct()).build();
      store.set(2);

      store.close();
      assertThatCode(store::close).doesNotThrowAnyException();

      assertRefused(() -> store.set(3));
      assertRefused(() -> store.update(n -> n + 1));
      assertRefused(() -> store.subscribe(n -> {}));
      assertThat(store.get()).isEqualTo(2);
    }
  }

  @Nested
  class QuarryAfterClose {
    @Test
    void refusesNewWork_andClosesItsParts() {
      VirtualTime time = new VirtualTime();
      Quarry quarry =
          Quarry.builder()
              .baseUrl("http://127.0.0.1:9/api/")
              .time(time, time)
              .callbackExecutor(VirtualTime.direct())
              .build();
      quarry.close();
      assertThatCode(quarry::close).doesNotThrowAnyException();

      assertThat(quarry.isClosed()).isTrue();
      QueryOptions<String> q = quarry.query(KEY, http -> http.get("todos", String.class));
      assertRefused(() -> quarry.fetch(q));
      assertRefused(() -> quarry.observe(q, r -> {}));
      assertRefused(
          () ->
              quarry.mutation(
                  MutationOptions.<String, String>of(
                      (v, ctx) -> CompletableFuture.completedFuture(v))));
      assertRefused(() -> quarry.store("layout", "initial"));
      assertRefused(() -> quarry.http().get("todos", String.class));
      assertThat(quarry.<String>getQueryData(KEY)).isEmpty();
    }
  }
}
