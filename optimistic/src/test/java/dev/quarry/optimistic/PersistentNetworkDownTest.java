package dev.quarry.optimistic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Connectivity;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.testing.VirtualTime;
import dev.quarry.testing.fault.FaultProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network goes away while connectivity still reads online (the heartbeat has not noticed yet):
 * a persistent write must pause and keep its outbox record, and arrive exactly once when the
 * network is back. A real HTTP server behind a {@link FaultProxy} black hole; the backoff timers
 * run in virtual time, the HTTP timeouts in real time.
 */
class PersistentNetworkDownTest {
  private static final Duration HTTP_TIMEOUT = Duration.ofMillis(300);

  @TempDir Path dir;
  private final MockWebServer server = new MockWebServer();
  private final VirtualTime time = new VirtualTime();
  private final List<Throwable> handled = new CopyOnWriteArrayList<>();
  private FaultProxy proxy;
  private JsonHttp http;

  @BeforeEach
  void start() throws Exception {
    server.start();
    proxy = FaultProxy.start("127.0.0.1", server.getPort());
    http =
        JsonHttp.builder()
            .baseUrl("http://127.0.0.1:" + proxy.port() + "/")
            .callTimeout(HTTP_TIMEOUT)
            .build();
  }

  @AfterEach
  void stop() {
    http.close();
    proxy.close();
    server.close();
  }

  private MutationClient client(Connectivity connectivity) {
    MutationClient client =
        MutationClient.builder()
            .outbox(dir.resolve("outbox.mv"))
            .http(http)
            .connectivity(connectivity)
            .clock(time)
            .scheduler(time)
            .errorHandler((context, error) -> handled.add(error))
            .build();
    client.setMutationDefaults(
        OutboxFixtures.CREATE_EPISODE, OutboxFixtures.createEpisodeDefaults());
    return client;
  }

  /** Completes with the first state of the mutation that counts a failure. */
  private static CompletableFuture<MutationInfo> firstFailure(MutationClient client) {
    CompletableFuture<MutationInfo> failed = new CompletableFuture<>();
    client.subscribe(
        event -> {
          if (event instanceof MutationCacheEvent.Updated u
              && u.mutation().state().failureCount() > 0) {
            failed.complete(u.mutation());
          }
        });
    return failed;
  }

  @Test
  void
      networkDownWhileOnline_persistentWrite_pausesKeepsItsRecord_andArrivesOnceWhenTheNetworkReturns()
          throws Exception {
    Connectivity connectivity = Connectivity.create(); // stays online throughout
    server.enqueue(new MockResponse.Builder().code(200).body("{\"ok\":true}").build());
    proxy.blackHole(true);
    try (MutationClient client = client(connectivity)) {
      CompletableFuture<MutationInfo> failed = firstFailure(client);
      CompletableFuture<JsonNode> result =
          client.mutate(OutboxFixtures.createEpisode(), new OutboxFixtures.NewEpisode("A", 1));
      String key = client.outboxRecords().get(0).idempotencyKey();

      MutationInfo first = failed.get(10, TimeUnit.SECONDS);
      assertThat(first.state().failureReason()).containsInstanceOf(HttpIoException.class);
      MutationInfo now = client.findAll(MutationFilters.all()).get(0);
      assertThat(now.state().status()).isEqualTo(MutationStatus.PENDING);
      assertThat(now.state().isPaused()).isTrue();
      assertThat(now.state().failureCount()).isEqualTo(1);
      assertThat(result).isNotDone();
      assertThat(client.outboxRecords())
          .extracting(OutboxRecord::idempotencyKey)
          .containsExactly(key);
      assertThat(connectivity.isOnline()).isTrue();
      assertThat(server.getRequestCount()).isZero();

      proxy.blackHole(false);
      time.advance(Duration.ofMinutes(1)); // the backoff, in virtual time

      assertThat(result.get(10, TimeUnit.SECONDS).get("ok").asBoolean()).isTrue();
      assertThat(client.outboxRecords()).isEmpty();
      RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
      assertThat(request).isNotNull();
      assertThat(request.getHeaders().get("Idempotency-Key")).isEqualTo(key);
      assertThat(request.getBody().utf8()).isEqualTo("{\"title\":\"A\",\"number\":1}");
    }
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(handled).isEmpty();
  }
}
