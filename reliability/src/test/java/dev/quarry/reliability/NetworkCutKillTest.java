package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Quarry;
import dev.quarry.core.QueryKey;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.optimistic.MutationCacheEvent;
import dev.quarry.optimistic.MutationFilters;
import dev.quarry.optimistic.MutationInfo;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.testing.VirtualTime;
import dev.quarry.testing.fault.FaultProxy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network is cut (a {@link FaultProxy} black hole between the client and a mockwebserver3
 * server) while connectivity still reads online, the application makes 20 persistent writes through
 * the {@link Quarry} facade, its JVM is SIGKILLed, a new facade on the same persistence directory
 * resumes the outbox while the network is still cut, then the network heals: the server must
 * receive each write exactly once, in submission order, each with the {@code Idempotency-Key} it
 * was recorded with.
 */
class NetworkCutKillTest {
  /**
   * The child's HTTP timeout: its requests all go into the black hole, so this only sets how soon
   * the first one fails.
   */
  static final Duration CHILD_HTTP_TIMEOUT = Duration.ofSeconds(1);

  /**
   * The restarted client's HTTP timeout: long enough that a healed request is not timed out on a
   * loaded machine (a timed-out request that did reach the server is sent again with the same key:
   * received twice, applied once by a server that honours the key).
   */
  private static final Duration RESTART_HTTP_TIMEOUT = Duration.ofSeconds(5);

  static final QueryKey CREATE = QueryKey.of("episodes", "create");
  private static final int WRITES = 20;

  /** The variables. */
  record NewEpisode(String title, int number) {}

  /** The defaults the application registers at start-up (in both JVMs). */
  static void registerDefaults(Quarry quarry) {
    quarry
        .mutations()
        .setMutationDefaults(
            CREATE,
            MutationOptions.<NewEpisode, JsonNode, Void>builder()
                .mutationFn((ep, ctx) -> ctx.http().post("episodes", ep, JsonNode.class))
                .variablesType(NewEpisode.class)
                .persistent(true)
                .scope("episodes")
                .build());
  }

  /** What a call site passes: only the key. */
  static MutationOptions<NewEpisode, JsonNode, Void> createEpisode() {
    return MutationOptions.<NewEpisode, JsonNode, Void>builder().mutationKey(CREATE).build();
  }

  /** One request as the server saw it. */
  private record Received(int number, String idempotencyKey) {}

  @TempDir Path dir;

  private final ObjectMapper mapper = new ObjectMapper();
  private final List<Received> received = new ArrayList<>();

  private MockResponse handle(RecordedRequest request) throws Exception {
    int number = mapper.readTree(request.getBody().utf8()).get("number").asInt();
    String key = request.getHeaders().get("Idempotency-Key");
    synchronized (received) {
      received.add(new Received(number, key == null ? "" : key));
    }
    return new MockResponse.Builder()
        .code(200)
        .setHeader("Content-Type", "application/json")
        .body("{\"number\":" + number + "}")
        .build();
  }

  private List<String> runChildUntilReady(String baseUrl) throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                NetworkCutChild.class.getName(),
                dir.toString(),
                baseUrl,
                String.valueOf(WRITES))
            .redirectError(dir.resolve("child-stderr.txt").toFile())
            .start();
    String ready;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      ready =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      String line;
                      while ((line = out.readLine()) != null) {
                        if (line.startsWith("READY ")) {
                          return line;
                        }
                      }
                      return "EOF";
                    } catch (java.io.IOException e) {
                      return "IO " + e;
                    }
                  })
              .get(90, TimeUnit.SECONDS);
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(child.exitValue())
        .as(
            "the child's exit status (its stderr: %s)",
            Files.readString(dir.resolve("child-stderr.txt"), StandardCharsets.UTF_8))
        .isEqualTo(137); // 128 + SIGKILL
    assertThat(ready).startsWith("READY ");
    String keys = ready.substring("READY ".length()).strip();
    return keys.isEmpty() ? List.of() : List.of(keys.split(","));
  }

  @Test
  void networkCutWhileOnline_writesThenSigkillThenRestartThenHeal_eachArrivesOnceInOrderWithItsKey()
      throws Exception {
    try (Owned owned = new Owned()) {
      MockWebServer server = owned.add(new MockWebServer());
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              try {
                return handle(request);
              } catch (Exception e) {
                return new MockResponse.Builder().code(400).body(String.valueOf(e)).build();
              }
            }
          });
      server.start();
      FaultProxy proxy = owned.add(FaultProxy.start("127.0.0.1", server.getPort()));
      String baseUrl = "http://127.0.0.1:" + proxy.port() + "/";
      proxy.blackHole(true);

      // 1. The writes, made while the network is cut; then SIGKILL.
      List<String> keysBeforeKill = runChildUntilReady(baseUrl);
      long droppedBeforeKill = proxy.stats().bytesDropped();

      // 2. A new facade on the same directory, the network still cut: the first write pauses again.
      VirtualTime time = new VirtualTime();
      Quarry restarted =
          owned.add(
              Quarry.builder()
                  .baseUrl(baseUrl)
                  .http(h -> h.callTimeout(RESTART_HTTP_TIMEOUT))
                  .time(time, time)
                  .persistence(dir)
                  .build());
      registerDefaults(restarted);
      CompletableFuture<MutationInfo> pausedAgain = new CompletableFuture<>();
      restarted
          .mutations()
          .subscribe(
              event -> {
                if (event instanceof MutationCacheEvent.Updated u
                    && u.mutation().state().failureCount() > 0) {
                  pausedAgain.complete(u.mutation());
                }
              });
      CompletableFuture<Void> resumed = restarted.mutations().resumeOutbox();
      MutationInfo head = pausedAgain.get(30, TimeUnit.SECONDS);
      assertThat(restarted.connectivity().isOnline()).isTrue();
      assertThat(head.state().failureReason()).containsInstanceOf(HttpIoException.class);
      int recordsAfterRestart = restarted.mutations().outboxRecords().size();

      // The proxy has read and dropped that request (else it could still forward it once healed).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> proxy.stats().bytesDropped() > droppedBeforeKill);

      // 3. Heal: the backoff (virtual time) sends the first, the rest follow in order.
      proxy.blackHole(false);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                time.advance(Duration.ofMinutes(1));
                return resumed.isDone();
              });
      int recordsAtEnd = restarted.mutations().outboxRecords().size();
      int errors =
          (int)
              restarted.mutations().findAll(MutationFilters.all()).stream()
                  .filter(m -> m.state().isError())
                  .count();

      List<Received> got;
      synchronized (received) {
        got = List.copyOf(received);
      }
      List<Integer> order = got.stream().map(Received::number).toList();
      List<Integer> expectedOrder = IntStream.range(0, WRITES).boxed().toList();
      // A write survived if the server got it exactly once, with a key recorded before the kill.
      int survived = 0;
      for (int i = 0; i < WRITES; i++) {
        int n = i;
        List<Received> forI = got.stream().filter(r -> r.number() == n).toList();
        if (forI.size() == 1 && keysBeforeKill.contains(forI.get(0).idempotencyKey())) {
          survived++;
        }
      }
      FaultTally tally =
          new FaultTally(
              "Network cut while connectivity reads online, persistent writes, SIGKILL, restart"
                  + " (facade)");
      tally.injected(WRITES);
      tally.survived(survived);
      if (survived < WRITES) {
        tally.lost(
            WRITES - survived, "received " + got + ", keys before the kill " + keysBeforeKill);
      }
      tally.print(
          WRITES
              + " persistent writes in one scope through a FaultProxy black hole (HTTP timeout "
              + CHILD_HTTP_TIMEOUT.toMillis()
              + " ms, after the restart "
              + RESTART_HTTP_TIMEOUT.toMillis()
              + " ms), connectivity online throughout: "
              + keysBeforeKill.size()
              + " records in the outbox at the SIGKILL ("
              + droppedBeforeKill
              + " bytes dropped), "
              + recordsAfterRestart
              + " after the restart with the first paused again ("
              + head.state().failureCount()
              + " failure), "
              + recordsAtEnd
              + " at the end; the server got "
              + got.size()
              + " requests, "
              + got.stream().map(Received::idempotencyKey).distinct().count()
              + " distinct keys, in order: "
              + order.equals(expectedOrder)
              + "; "
              + errors
              + " settled as errors");

      assertThat(keysBeforeKill).hasSize(WRITES).doesNotHaveDuplicates();
      assertThat(order).containsExactlyElementsOf(expectedOrder);
      assertThat(got)
          .extracting(Received::idempotencyKey)
          .containsExactlyElementsOf(keysBeforeKill);
      assertThat(recordsAtEnd).isZero();
      assertThat(errors).isZero();
      assertThat(survived).isEqualTo(WRITES);
    }
  }
}
