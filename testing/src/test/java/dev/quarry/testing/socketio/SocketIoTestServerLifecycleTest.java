package dev.quarry.testing.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, restarting, pausing and closing the socket.io test server, and its options. */
class SocketIoTestServerLifecycleTest {
  private static SocketIoTestServer server;
  private static OkHttpClient http;

  @BeforeAll
  static void startServer() {
    server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .recovery(false)
                .namespaces(List.of("/admin"))
                .build());
    http = new OkHttpClient();
  }

  @AfterAll
  static void stopServer() {
    server.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Test
  void recoveryOff_connectReplyHasNoPid_andExtraNamespacesAreServed() {
    try (RawSocketIoClient c = RawSocketIoClient.open(http, server.port())) {
      JsonNode reply = c.handshake("");
      assertThat(reply.path("sid").asText()).isNotEmpty();
      assertThat(reply.has("pid")).isFalse();

      c.send("40/admin,");
      String admin = c.nextText();
      assertThat(admin).startsWith("40/admin,{\"sid\":");
      String adminSid = c.json(admin.substring("40/admin,".length())).path("sid").asText();
      assertThat(server.state().socket(adminSid).orElseThrow().namespace()).isEqualTo("/admin");
    }
  }

  @Test
  void restart_killsTheOldProcess_andServesOnTheSamePort() {
    int port = server.port();
    long oldPid = server.pid();
    RawSocketIoClient before = RawSocketIoClient.open(http, port);
    before.handshake("");

    server.restart();

    assertThat(server.port()).isEqualTo(port);
    assertThat(server.pid()).isNotEqualTo(oldPid);
    assertThat(ProcessHandle.of(oldPid).map(ProcessHandle::isAlive))
        .isNotEqualTo(Optional.of(true));
    assertThat(before.awaitClosed()).isNotNull();
    try (RawSocketIoClient after = RawSocketIoClient.open(http, port)) {
      assertThat(after.handshake("").path("sid").asText()).isNotEmpty();
    }
    assertThat(server.state().handshakes()).isEqualTo(1);
  }

  @Test
  void pause_stopsTheProcess_andResumeContinuesIt() {
    server.pause();
    try {
      assertThat(server.isPaused()).isTrue();
      Path stat = Path.of("/proc/" + server.pid() + "/stat");
      if (Files.exists(stat)) {
        // The signal is delivered asynchronously: the state turns to T (stopped) shortly after.
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  String fields = Files.readString(stat);
                  assertThat(fields.substring(fields.lastIndexOf(')') + 2).charAt(0))
                      .isEqualTo('T');
                });
      }
      assertThatThrownBy(server::state)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("paused");

      try (RawSocketIoClient c = RawSocketIoClient.open(http, server.port())) {
        assertThat(c.poll(Duration.ofMillis(500))).as("no open packet while stopped").isNull();

        server.resume();

        assertThat(server.isPaused()).isFalse();
        assertThat(c.expectOpen().path("sid").asText()).isNotEmpty();
      }
    } finally {
      server.resume();
    }
  }

  @Test
  void close_killsTheProcess_endsItsThreads_andIsIdempotent() {
    SocketIoTestServer own = SocketIoTestServer.start();
    long pid = own.pid();
    String threadPrefix = "quarry-testserver-" + pid + "-";
    assertThat(threadNames()).anyMatch(n -> n.startsWith(threadPrefix));

    own.close();
    own.close();

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    assertThat(threadNames()).noneMatch(n -> n.startsWith(threadPrefix));
    assertThatThrownBy(own::state)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(own::restart).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void close_whilePaused_stillKillsTheProcess() {
    SocketIoTestServer own = SocketIoTestServer.start();
    long pid = own.pid();
    own.pause();

    own.close();

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
  }

  @Test
  void start_withoutNodeModules_failsNamingTheBuildStep(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("server.js"), "");

    assertThatThrownBy(
            () ->
                SocketIoTestServer.start(
                    SocketIoTestServer.Options.builder().serverDir(dir).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node_modules is missing")
        .hasMessageContaining("npm ci");
  }

  @Test
  void start_withoutNode_failsNamingNode() {
    assertThatThrownBy(
            () ->
                SocketIoTestServer.start(
                    SocketIoTestServer.Options.builder().node("/nonexistent/bin/node").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is node (20 or later) on the PATH")
        .hasMessageContaining("/nonexistent/bin/node");
  }

  @Test
  void start_serverThatExits_reportsExitCodeAndStderr(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("node_modules").resolve("socket.io"));
    Files.writeString(
        dir.resolve("server.js"), "process.stderr.write('cannot bind: boom\\n'); process.exit(3);");

    assertThatThrownBy(
            () ->
                SocketIoTestServer.start(
                    SocketIoTestServer.Options.builder().serverDir(dir).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("cannot bind: boom");
  }

  /**
   * The timeout leaves Node time to start and write its line even on a loaded machine (0.7 s was
   * not enough with a load average of 20 on 2 cores): what is checked is that the start gives up
   * and reports what the server said, not how fast.
   */
  @Test
  void start_serverThatNeverGetsReady_failsWithinTheStartTimeout(@TempDir Path dir)
      throws IOException {
    Files.createDirectories(dir.resolve("node_modules").resolve("socket.io"));
    Files.writeString(
        dir.resolve("server.js"), "process.stderr.write('stuck\\n'); setInterval(() => {}, 1000);");

    assertThatThrownBy(
            () ->
                SocketIoTestServer.start(
                    SocketIoTestServer.Options.builder()
                        .serverDir(dir)
                        .startTimeout(Duration.ofSeconds(5))
                        .build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no READY line within PT5S")
        .hasMessageContaining("stuck");
  }

  @Test
  void options_invalidValues_failAtBuildNamingTheOption() {
    SocketIoTestServer.Options.Builder b = SocketIoTestServer.Options.builder();
    assertThatThrownBy(() -> b.port(70_000).build())
        .hasMessageContaining("port")
        .hasMessageContaining("70000");
    b.port(0);
    assertThatThrownBy(() -> b.pingInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pingInterval");
    b.pingInterval(Duration.ofSeconds(1));
    assertThatThrownBy(() -> b.maxHttpBufferSize(0).build())
        .hasMessageContaining("maxHttpBufferSize");
    b.maxHttpBufferSize(10);
    assertThatThrownBy(() -> b.path("socket.io/").build()).hasMessageContaining("path");
    b.path("/io/");
    assertThatThrownBy(() -> b.namespaces(List.of("admin")).build())
        .hasMessageContaining("namespaces")
        .hasMessageContaining("admin");

    SocketIoTestServer.Options ok = b.namespaces(List.of()).authToken("t").build();
    SocketIoTestServer.Options derived = ok.newBuilder().noAuthToken().build();
    assertThat(ok.authToken()).contains("t");
    assertThat(derived.authToken()).isEmpty();
    assertThat(derived.path()).isEqualTo("/io/");
    assertThat(derived.pingInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
  }
}
