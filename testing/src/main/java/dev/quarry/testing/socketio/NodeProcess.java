package dev.quarry.testing.socketio;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.testing.internal.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running {@code node server.js} child process: started, drained and killed. Its stdout and
 * stderr are read on two daemon threads named {@code quarry-testserver-<pid>-stdout/-stderr}, so
 * the pipes never fill up; the threads end when the process does.
 */
final class NodeProcess {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STDERR_LINES = 200;
  private static final Duration EXIT_WAIT = Duration.ofSeconds(5);

  private final Process process;
  private final int port;
  private final int controlPort;
  private final Thread stdoutDrainer;
  private final Thread stderrDrainer;
  private final Deque<String> stderr;

  private NodeProcess(
      Process process,
      int port,
      int controlPort,
      Thread stdoutDrainer,
      Thread stderrDrainer,
      Deque<String> stderr) {
    this.process = process;
    this.port = port;
    this.controlPort = controlPort;
    this.stdoutDrainer = stdoutDrainer;
    this.stderrDrainer = stderrDrainer;
    this.stderr = stderr;
  }

  /** Starts server.js in {@code dir} with the options and port, as JSON on its command line. */
  static NodeProcess launch(SocketIoTestServer.Options options, Path dir, int port) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("port", port);
    config.put("pingInterval", options.pingInterval().toMillis());
    config.put("pingTimeout", options.pingTimeout().toMillis());
    config.put("connectTimeout", options.connectTimeout().toMillis());
    config.put("maxHttpBufferSize", options.maxHttpBufferSize());
    config.put("recovery", options.recovery());
    config.put("maxDisconnectionDuration", options.maxDisconnectionDuration().toMillis());
    options.authToken().ifPresent(token -> config.put("authToken", token));
    config.put("path", options.path());
    config.put("namespaces", options.namespaces());
    options.redis().ifPresent(uri -> config.put("redisUrl", uri.toString()));
    options.nodeId().ifPresent(id -> config.put("nodeId", id));
    config.put("transports", options.transports());
    options.cookie().ifPresent(name -> config.put("cookie", name));
    config.put("refuseWebSocket", options.refuseWebSocketUpgrades());
    String json;
    try {
      json = JSON.writeValueAsString(config);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the test server's configuration", e);
    }
    return start(options.node(), dir, json, options.startTimeout());
  }

  /** Starts the server and waits for its {@code READY <port> <controlPort>} line. */
  static NodeProcess start(String node, Path dir, String configJson, Duration startTimeout) {
    Path script = dir.resolve("server.js");
    List<String> command = List.of(node, script.toString(), configJson);
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start the socket.io test server: is node (20 or later) on the PATH? Tried '"
              + node
              + "' ("
              + e.getMessage()
              + ")",
          e);
    }
    Deque<String> stderr = new ArrayDeque<>();
    CompletableFuture<String> ready = new CompletableFuture<>();
    long pid = process.pid();
    Thread err =
        ChildProcesses.drain(
            process.getErrorStream(),
            "quarry-testserver-" + pid + "-stderr",
            line -> ChildProcesses.keepLast(stderr, line, STDERR_LINES),
            () -> {});
    Thread out =
        ChildProcesses.drain(
            process.getInputStream(),
            "quarry-testserver-" + pid + "-stdout",
            line -> {
              if (line.startsWith("READY ")) {
                ready.complete(line);
              }
            },
            () ->
                ready.completeExceptionally(
                    new IllegalStateException("the process ended before printing READY")));
    String line;
    try {
      line = ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process, out, err);
      throw new IllegalStateException("interrupted while starting the socket.io test server", e);
    } catch (ExecutionException | TimeoutException e) {
      if (e instanceof ExecutionException) {
        // stdout ended: let the process exit and stderr drain to its end before anything is
        // destroyed, since destroying a process closes its streams and loses what was unread
        awaitExitAndDrain(process, out, err);
      }
      kill(process, out, err);
      String why =
          e instanceof TimeoutException
              ? "no READY line within " + startTimeout
              : "it exited with code " + exitCode(process) + " before printing READY";
      throw new IllegalStateException(
          "the socket.io test server in "
              + dir
              + " did not start: "
              + why
              + ". Its stderr:\n"
              + String.join("\n", ChildProcesses.snapshot(stderr)),
          e);
    }
    String[] parts = line.trim().split(" ", -1);
    if (parts.length != 3) {
      kill(process, out, err);
      throw new IllegalStateException("unexpected start line from the test server: " + line);
    }
    return new NodeProcess(
        process, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), out, err, stderr);
  }

  int port() {
    return port;
  }

  int controlPort() {
    return controlPort;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  List<String> stderr() {
    return ChildProcesses.snapshot(stderr);
  }

  /** SIGKILL, then waits (bounded) for the exit and for the drain threads to end. */
  void kill() {
    kill(process, stdoutDrainer, stderrDrainer);
  }

  /** SIGTERM; SIGKILL if the process is still there after {@code grace}. Bounded. */
  void stop(Duration grace) {
    if (!ChildProcesses.stop(process, grace, EXIT_WAIT, stdoutDrainer, stderrDrainer)) {
      throw notDead(process);
    }
  }

  /** Sends a POSIX signal ({@code STOP}, {@code CONT}) with the {@code kill} command. */
  void signal(String name) {
    List<String> command = List.of("kill", "-" + name, Long.toString(process.pid()));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      kill.getOutputStream().close();
      byte[] output = kill.getInputStream().readAllBytes();
      if (!kill.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish");
      }
      if (kill.exitValue() != 0) {
        throw new IllegalStateException(
            "'"
                + String.join(" ", command)
                + "' failed: "
                + new String(output, StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot send SIG" + name + ": the 'kill' command is needed (POSIX systems only)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }

  private static void awaitExitAndDrain(Process process, Thread... drainers) {
    try {
      if (process.waitFor(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.join(EXIT_WAIT, drainers);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void kill(Process process, Thread... drainers) {
    if (!ChildProcesses.kill(process, EXIT_WAIT, drainers)) {
      throw notDead(process);
    }
  }

  private static IllegalStateException notDead(Process process) {
    return new IllegalStateException(
        "the socket.io test server (pid " + process.pid() + ") did not die after SIGKILL");
  }

  private static String exitCode(Process process) {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }
}
