package dev.quarry.testing.redis;

import dev.quarry.testing.internal.ChildProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} in a child process, for tests: bound to {@code 127.0.0.1} on a free
 * port, with persistence off ({@code --save "" --appendonly no}), no configuration file, and its
 * own temporary working folder.
 *
 * <pre>{@code
 * try (RedisTestServer redis = RedisTestServer.start();
 *     SocketIoTestServer a = SocketIoTestServer.start(
 *         SocketIoTestServer.Options.builder().redis(redis).nodeId("a").build());
 *     SocketIoTestServer b = SocketIoTestServer.start(
 *         SocketIoTestServer.Options.builder().redis(redis).nodeId("b").build())) {
 *   // a client subscribed to a room on node a receives what b emits to that room
 *   b.emit(room, "agent-event", Map.of("executionId", "e1"));
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start()} returns once the server answered a {@code PING} with {@code
 * +PONG}, within 10 s. {@link #close()} stops it (SIGTERM, then SIGKILL after 5 s), waits for the
 * process and its log thread to end, and deletes its folder; it is idempotent. If this JVM ends
 * without calling {@link #close()}, even by SIGKILL, the server is killed too: a small {@code sh}
 * watchdog, started next to it, kills it when its stdin (a pipe from this JVM) closes.
 *
 * <p><b>Threads.</b> All methods are safe to call from any thread. The server's output is drained
 * by a daemon thread named {@code quarry-redis-<pid>-log}, which ends with the process; the last
 * 200 lines are kept for error messages ({@link #log()}).
 *
 * <p><b>Errors.</b> If {@code redis-server} is not on the {@code PATH}, {@link #start()} throws an
 * {@link IllegalStateException} that says how to install it; if the server does not become ready in
 * time, the exception includes its output. Tests can honour {@code -Dquarry.skipRedis=true} with
 * {@link #skipRequested()}. Needs a POSIX system (Linux, macOS). Nullness: no method accepts or
 * returns {@code null}.
 */
public final class RedisTestServer implements AutoCloseable {
  /** The executable looked up on the {@code PATH}. */
  public static final String EXECUTABLE = "redis-server";

  /** System property that, set to {@code true}, asks tests that need Redis to be skipped. */
  public static final String SKIP_PROPERTY = "quarry.skipRedis";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_LINES = 200;
  private static final String READY_LINE = "Ready to accept connections";

  private final Process process;
  private final @Nullable Process watchdog;
  private final int port;
  private final Path dir;
  private final Thread drainer;
  private final Deque<String> log;
  private final Object lock = new Object();
  private boolean closed;

  private RedisTestServer(
      Process process,
      @Nullable Process watchdog,
      int port,
      Path dir,
      Thread drainer,
      Deque<String> log) {
    this.process = process;
    this.watchdog = watchdog;
    this.port = port;
    this.dir = dir;
    this.drainer = drainer;
    this.log = log;
  }

  /**
   * Whether {@code -Dquarry.skipRedis=true} asks to skip tests that need Redis; for example {@code
   * assumeFalse(RedisTestServer.skipRequested(), "-Dquarry.skipRedis=true: no Redis")}.
   */
  public static boolean skipRequested() {
    return Boolean.getBoolean(SKIP_PROPERTY);
  }

  /**
   * Starts a server on a free port and waits until it answers {@code PING}.
   *
   * @throws IllegalStateException if {@code redis-server} is not on the {@code PATH}, or the server
   *     did not become ready within 10 s (the message includes its output)
   */
  public static RedisTestServer start() {
    return start(EXECUTABLE);
  }

  /** {@link #start()} with another executable; for tests of the error message. */
  static RedisTestServer start(String executable) {
    Path dir;
    try {
      dir = Files.createTempDirectory("quarry-redis-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a folder for the Redis test server", e);
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return launch(executable, freePort(), dir);
      } catch (PortTakenException e) {
        // Another process took the free port between probing and binding: try another one.
        if (attempt == START_ATTEMPTS) {
          deleteTree(dir);
          throw e;
        }
      } catch (RuntimeException e) {
        deleteTree(dir);
        throw e;
      }
    }
  }

  /** The port on {@code 127.0.0.1}. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  /** The process id of {@code redis-server}. */
  public long pid() {
    return process.pid();
  }

  /** Whether the process is running (false after {@link #close()} or if it died). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The server's last 200 lines of output, oldest first. */
  public List<String> log() {
    return ChildProcesses.snapshot(log);
  }

  /**
   * Stops the server: SIGTERM, SIGKILL if it has not exited after 5 s; then waits (bounded) for its
   * log thread and deletes its folder. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (watchdog != null) {
      // The watchdog would kill the pid when its stdin closes: end it first.
      watchdog.destroyForcibly();
    }
    if (!ChildProcesses.stop(process, STOP_GRACE, STOP_GRACE, drainer)) {
      throw new IllegalStateException(
          "the Redis test server (pid " + process.pid() + ") did not die after SIGKILL");
    }
    deleteTree(dir);
  }

  @Override
  public String toString() {
    return "RedisTestServer{uri=" + uri() + ", pid=" + pid() + ", alive=" + isAlive() + "}";
  }

  private static RedisTestServer launch(String executable, int port, Path dir) {
    List<String> command =
        List.of(
            executable,
            "--bind",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            dir.toString(),
            "--logfile",
            "");
    Process process;
    try {
      process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start '"
              + executable
              + "': it must be on the PATH (Debian/Ubuntu: apt-get install redis-server; the"
              + " build of module testing installs it when run as root, unless"
              + " -Dquarry.skipRedis=true). Tests that need Redis can be skipped with"
              + " -Dquarry.skipRedis=true ("
              + e.getMessage()
              + ")",
          e);
    }
    Deque<String> log = new ArrayDeque<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread drainer =
        ChildProcesses.drain(
            process.getInputStream(),
            "quarry-redis-" + process.pid() + "-log",
            line -> {
              ChildProcesses.keepLast(log, line, LOG_LINES);
              if (line.contains(READY_LINE)) {
                ready.complete(null);
              }
            },
            () ->
                ready.completeExceptionally(
                    new IllegalStateException("redis-server ended before it was ready")));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try {
      ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      ping(port, Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ChildProcesses.kill(process, STOP_GRACE, drainer);
      throw new IllegalStateException("interrupted while starting the Redis test server", e);
    } catch (ExecutionException | TimeoutException | IOException e) {
      ChildProcesses.kill(process, STOP_GRACE, drainer);
      List<String> output = ChildProcesses.snapshot(log);
      String why =
          e instanceof TimeoutException
              ? "it was not ready within " + START_TIMEOUT
              : e instanceof IOException
                  ? "it did not answer PING (" + e.getMessage() + ")"
                  : "it exited"
                      + (process.isAlive() ? "" : " with code " + process.exitValue())
                      + " before it was ready";
      String message =
          "the Redis test server on 127.0.0.1:"
              + port
              + " did not start: "
              + why
              + ". Its output:\n"
              + String.join("\n", output);
      if (output.stream().anyMatch(l -> l.contains("Address already in use"))) {
        throw new PortTakenException(message);
      }
      throw new IllegalStateException(message, e);
    }
    return new RedisTestServer(process, watchdog(process.pid(), dir), port, dir, drainer, log);
  }

  /** Sends {@code PING} in RESP and expects {@code +PONG}, within {@code timeout}. */
  private static void ping(int port, Duration timeout) throws IOException {
    int millis = (int) Math.min(Math.max(timeout.toMillis(), 1), Integer.MAX_VALUE);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), millis);
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String reply = in.readLine();
      if (!"+PONG".equals(reply)) {
        throw new IOException("expected +PONG, got " + reply);
      }
    }
  }

  /**
   * A {@code sh} whose stdin is a pipe from this JVM: when the JVM ends, the pipe closes, {@code
   * read} returns, and the shell kills the server and deletes its folder. Null if there is no sh.
   */
  private static @Nullable Process watchdog(long pid, Path dir) {
    String script = "read _; kill -9 \"$1\" 2>/dev/null; rm -rf \"$2\"";
    try {
      return new ProcessBuilder("sh", "-c", script, "sh", Long.toString(pid), dir.toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      return null;
    }
  }

  private static int freePort() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free port on 127.0.0.1", e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover empty temporary folder is harmless.
    }
  }

  /** The chosen port was taken before redis-server could bind it. */
  private static final class PortTakenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message);
    }
  }
}
