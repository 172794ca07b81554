package dev.quarry.testing.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starting and stopping a real redis-server. */
class RedisTestServerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Tests that start redis-server fail without it, unless -Dquarry.skipRedis=true skips them. */
  private static void redisWanted() {
    assumeFalse(
        RedisTestServer.skipRequested(),
        "-Dquarry.skipRedis=true: tests that start redis-server are skipped");
  }

  @Test
  void start_answersPingOnLoopback_withoutPersistence() throws IOException {
    redisWanted();
    try (RedisTestServer redis = RedisTestServer.start()) {
      assertThat(redis.uri()).hasToString("redis://127.0.0.1:" + redis.port());
      assertThat(redis.isAlive()).isTrue();

      assertThat(command(redis.port(), "PING")).containsExactly("+PONG");
      assertThat(command(redis.port(), "CONFIG", "GET", "save")).containsExactly("save", "");
      assertThat(command(redis.port(), "CONFIG", "GET", "appendonly"))
          .containsExactly("appendonly", "no");
      assertThat(command(redis.port(), "CONFIG", "GET", "bind"))
          .containsExactly("bind", "127.0.0.1");
    }
  }

  @Test
  void twoServers_getDifferentPorts() {
    redisWanted();
    try (RedisTestServer a = RedisTestServer.start();
        RedisTestServer b = RedisTestServer.start()) {
      assertThat(a.port()).isNotEqualTo(b.port());
      assertThat(a.pid()).isNotEqualTo(b.pid());
    }
  }

  @Test
  void close_endsTheProcessAndItsThread_freesThePort_andIsIdempotent() throws IOException {
    redisWanted();
    RedisTestServer redis = RedisTestServer.start();
    long pid = redis.pid();
    int port = redis.port();
    String thread = "quarry-redis-" + pid + "-log";
    assertThat(threadNames()).contains(thread);

    redis.close();
    redis.close();

    assertThat(redis.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    assertThat(threadNames()).doesNotContain(thread);
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void killedJvm_takesItsRedisServerWithIt() throws Exception {
    redisWanted();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), ChildMain.class.getName())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("the child's output").startsWith("PID ");
      long redisPid = Long.parseLong(line.substring(4).trim());
      assertThat(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive)).contains(true);

      child.destroyForcibly();
      assertThat(child.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive))
                      .isNotEqualTo(Optional.of(true)));
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void start_withoutTheExecutable_failsSayingHowToInstallIt() {
    assertThatThrownBy(() -> RedisTestServer.start("/nonexistent/bin/redis-server"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot start '/nonexistent/bin/redis-server'")
        .hasMessageContaining("apt-get install redis-server")
        .hasMessageContaining("-Dquarry.skipRedis=true");
  }

  /** Starts a Redis test server, prints its pid and waits to be killed. */
  static final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) throws IOException {
      RedisTestServer redis = RedisTestServer.start();
      System.out.println("PID " + redis.pid());
      System.out.flush();
      // Blocks until the parent kills this JVM (the parent never writes to our stdin).
      int ignored = System.in.read();
      redis.close();
    }
  }

  /** Sends one RESP command and reads a simple string, or an array of bulk strings. */
  private static List<String> command(int port, String... parts) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(5_000);
      StringBuilder request = new StringBuilder("*").append(parts.length).append("\r\n");
      for (String part : parts) {
        request.append('$').append(part.length()).append("\r\n").append(part).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String first = in.readLine();
      List<String> reply = new ArrayList<>();
      if (first.startsWith("*")) {
        int n = Integer.parseInt(first.substring(1));
        for (int i = 0; i < n; i++) {
          in.readLine(); // $<length>
          reply.add(in.readLine());
        }
      } else {
        reply.add(first);
      }
      return reply;
    }
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
  }
}
