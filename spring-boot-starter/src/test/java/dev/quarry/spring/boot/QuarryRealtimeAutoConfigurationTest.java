package dev.quarry.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Quarry;
import dev.quarry.core.QueryKey;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter against the real Node socket.io server (which requires the token "s3cret"). */
class QuarryRealtimeAutoConfigurationTest {
  static final String TOKEN = "s3cret";
  static SocketIoTestServer socketio;
  static TestHttp http;

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(QuarryAutoConfigurationTest.ALL)
          .withPropertyValues(
              "quarry.base-url=" + http.baseUrl(),
              "quarry.realtime.uri=" + socketio.url() + "/?access_token=query-secret");

  @BeforeAll
  static void startServers() throws Exception {
    socketio =
        SocketIoTestServer.start(SocketIoTestServer.Options.builder().authToken(TOKEN).build());
    http = new TestHttp();
  }

  @AfterAll
  static void stopServers() {
    socketio.close();
    http.close();
  }

  @Configuration(proxyBeanMethods = false)
  static class Auth {
    @Bean
    QuarryRealtimeAuth realtimeAuth() {
      return () -> Map.of("token", TOKEN);
    }
  }

  private static void awaitState(Quarry quarry, ConnectionState state) {
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(quarry.realtime().state()).isEqualTo(state));
  }

  @Test
  void authBean_isSentInTheHandshake_theContextStartConnects_andHealthIsUp() {
    runner
        .withUserConfiguration(Auth.class)
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              awaitState(quarry, ConnectionState.CONNECTED);
              Health health = context.getBean(QuarryHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              @SuppressWarnings("unchecked")
              Map<String, Object> realtime =
                  (Map<String, Object>) health.getDetails().get("realtime");
              assertThat(realtime).containsEntry("state", "CONNECTED");
              assertThat(String.valueOf(health.getDetails()))
                  .doesNotContain(TOKEN)
                  .doesNotContain("query-secret");
            });
  }

  @Test
  void withoutTheAuthBean_theServerRefuses_andHealthIsDownSayingWhy() {
    runner.run(
        context -> {
          Quarry quarry = context.getBean(Quarry.class);
          awaitState(quarry, ConnectionState.DISCONNECTED);
          QuarryHealthIndicator indicator = context.getBean(QuarryHealthIndicator.class);
          await()
              .atMost(Duration.ofSeconds(10))
              .untilAsserted(
                  () -> assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN));
          assertThat(String.valueOf(indicator.health().getDetails())).contains("gaveUp");
        });
  }

  @Test
  void connectOnStartFalse_theClientStaysDisconnected_andHealthIsUnknown() {
    runner
        .withUserConfiguration(Auth.class)
        .withPropertyValues("quarry.realtime.connect-on-start=false")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              assertThat(quarry.realtime().state()).isEqualTo(ConnectionState.DISCONNECTED);
              assertThat(context.getBean(QuarryHealthIndicator.class).health().getStatus())
                  .isEqualTo(Status.UNKNOWN);
            });
  }

  @Test
  void unreachableServer_theClientKeepsReconnecting_andHealthIsUnknownNotDown() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    runner
        .withPropertyValues("quarry.realtime.uri=http://127.0.0.1:" + port)
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              awaitState(quarry, ConnectionState.RECONNECTING);
              Health health = context.getBean(QuarryHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
              assertThat(String.valueOf(health.getDetails())).contains("RECONNECTING");
            });
  }

  @Test
  void setAsideOutboxRecords_makeHealthDown(@TempDir Path dir) {
    // First run: a persistent write that the server cannot take (503) stays in the outbox.
    MutationOptions<String, int[], Void> write =
        MutationOptions.<String, int[], Void>builder()
            .mutationKey(QueryKey.of("numbers", "add"))
            .variablesType(String.class)
            .persistent(true)
            .mutationFn((v, ctx) -> ctx.http().post("unavailable", v, int[].class))
            .build();
    runner
        .withUserConfiguration(Auth.class)
        .withPropertyValues("quarry.persistence.directory=" + dir, "quarry.shutdown.timeout=100ms")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              quarry.mutation(write).mutate("x");
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> quarry.mutations().outboxRecords().size() == 1);
              assertThat(context.getBean(QuarryHealthIndicator.class).health().getDetails())
                  .containsEntry("outbox", Map.of("pending", 1, "setAside", 0));
            });
    // Second run: nothing registers how to send "numbers add" again, so the record is set aside
    // when the context starts: an operator must act, health is DOWN.
    runner
        .withUserConfiguration(Auth.class)
        .withPropertyValues("quarry.persistence.directory=" + dir)
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> quarry.mutations().setAsideRecords().size() == 1);
              Health health = context.getBean(QuarryHealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.getDetails())
                  .containsEntry("outbox", Map.of("pending", 0, "setAside", 1));
            });
  }

  @Test
  void endpoint_servesTheInspectorsJson_withoutSecrets() {
    runner
        .withUserConfiguration(Auth.class)
        .withPropertyValues("management.endpoints.web.exposure.include=quarry")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              awaitState(quarry, ConnectionState.CONNECTED);
              quarry
                  .fetch(quarry.query(QueryKey.of("numbers"), h -> h.get("numbers", int[].class)))
                  .get(10, TimeUnit.SECONDS);
              quarry.store("session", Map.of("apiKey", "store-secret"));

              Map<String, Object> json = context.getBean(QuarryEndpoint.class).inspector();
              assertThat(json)
                  .containsKeys("takenAt", "queries", "mutations", "realtime", "stores");
              @SuppressWarnings("unchecked")
              List<Map<String, Object>> queries = (List<Map<String, Object>>) json.get("queries");
              assertThat(queries)
                  .anySatisfy(q -> assertThat(q.get("key")).isEqualTo(List.of("numbers")));
              String text = new ObjectMapper().writeValueAsString(json);
              assertThat(text)
                  .contains("CONNECTED")
                  .contains("\"session\"")
                  .contains(QuarryEndpoint.HIDDEN)
                  .doesNotContain("store-secret")
                  .doesNotContain(TOKEN)
                  .doesNotContain("query-secret");
            });
  }

  @Test
  void closingTheContext_leavesNoQuarryThread() {
    await().atMost(Duration.ofSeconds(15)).until(() -> quarryThreads().isEmpty());
    runner
        .withUserConfiguration(Auth.class)
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              awaitState(quarry, ConnectionState.CONNECTED);
              quarry
                  .fetch(quarry.query(QueryKey.of("numbers"), h -> h.get("numbers", int[].class)))
                  .get(10, TimeUnit.SECONDS);
              assertThat(quarryThreads()).isNotEmpty();
            });
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(quarryThreads()).isEmpty());
  }

  static List<String> quarryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("quarry-") && !n.startsWith("quarry-testserver"))
        .sorted()
        .toList();
  }
}
