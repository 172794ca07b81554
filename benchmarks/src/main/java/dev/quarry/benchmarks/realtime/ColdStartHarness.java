package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.benchmarks.Machine;
import dev.quarry.testing.internal.ChildProcesses;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Liveness of a cold client under a flood at its first heartbeats: for each client, N runs, each in
 * a fresh JVM ({@code -Xms256m -Xmx1g}, the same java binary and class path) that connects to a
 * server pinging every 200 ms with a 400 ms timeout, subscribes, and is flooded at once with
 * 200,000 events (control calls of 1,000, made by this process as soon as the child says it is
 * subscribed). The child counts events until all arrived, a disconnect happened, or no event came
 * for 5 s; then, if it is still connected, makes one echo round trip with an ack, and prints one
 * result line. A run survived when every event arrived, the echo came back, and neither the client
 * nor the server saw a disconnect. With {@code --busy}, the same runs are repeated while another
 * JVM spins on as many threads as there are cores.
 *
 * <p>One Node socket.io 4.8.4 server (recovery off) serves every run; the clients take turns, the
 * order rotating each run. Every child is bounded (its own deadline, it exits when its standard
 * input closes, and this process destroys it after its run and in a shutdown hook).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.quarry.benchmarks.realtime.ColdStartHarness [--runs
 * N] [--busy] [--quick] [--events E] [--only minimal,quarry,socketio-java]} ({@code --quick}: 2
 * runs). Prints a markdown section on standard output, progress on standard error.
 */
public final class ColdStartHarness {
  private static final Map<String, String> PARAMS = Map.of("bench", "flood");
  private static final int BATCH = 1_000;
  private static final Duration PING_INTERVAL = Duration.ofMillis(200);
  private static final Duration PING_TIMEOUT = Duration.ofMillis(400);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STALL = Duration.ofSeconds(5);
  private static final String READY = "COLDSTART-READY";
  private static final String RESULT = "COLDSTART-RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Child processes alive now, destroyed by the shutdown hook if this JVM ends early. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  private static final Map<String, Supplier<BenchClient>> CLIENTS = new LinkedHashMap<>();

  static {
    CLIENTS.put("minimal", MinimalClient::new);
    CLIENTS.put("quarry", QuarryClient::new);
    CLIENTS.put("socketio-java", SocketIoJavaClient::new);
  }

  /**
   * What a child printed about its run.
   *
   * @param received events counted
   * @param expected events the flood sends
   * @param connectMillis time from the child JVM's start to the subscription confirmed
   * @param elapsedMillis time from the subscription confirmed to the last event, or to the end of
   *     the wait when not all arrived
   * @param echo whether an echo round trip after the flood came back (false when not tried)
   * @param disconnects the disconnects the client reported, with their reasons
   */
  record ChildResult(
      long received,
      long expected,
      long connectMillis,
      long elapsedMillis,
      boolean echo,
      List<String> disconnects) {}

  /** One run of one client, as the parent saw it. */
  record Run(
      String client,
      boolean busy,
      int index,
      @Nullable ChildResult result,
      List<String> serverDisconnects,
      @Nullable String failure) {
    boolean survived() {
      return failure == null
          && result != null
          && result.received() == result.expected()
          && result.echo()
          && result.disconnects().isEmpty()
          && serverDisconnects.isEmpty();
    }

    String describe() {
      List<String> parts = new ArrayList<>();
      if (failure != null) {
        parts.add(failure);
      }
      if (result != null) {
        parts.add(
            String.format(
                Locale.ROOT,
                "%,d of %,d events in %.2f s",
                result.received(),
                result.expected(),
                result.elapsedMillis() / 1e3));
        if (!result.echo()) {
          parts.add("no echo after the flood");
        }
        result.disconnects().forEach(d -> parts.add("client saw: " + d));
      }
      serverDisconnects.forEach(
          d ->
              parts.add(
                  "server saw: "
                      + d
                      + (d.equals("ping timeout") ? " (the client's pong was late)" : "")));
      return String.join("; ", parts);
    }
  }

  /** The settings of a run. */
  record Config(int runs, boolean busy, int events, List<String> only) {
    static Config parse(String[] args) {
      boolean quick = Arrays.asList(args).contains("--quick");
      boolean busy = Arrays.asList(args).contains("--busy");
      int runs = quick ? 2 : 10;
      int events = 200_000;
      List<String> only = List.copyOf(CLIENTS.keySet());
      for (int i = 0; i + 1 < args.length; i++) {
        switch (args[i]) {
          case "--runs" -> runs = Integer.parseInt(args[i + 1]);
          case "--events" -> events = Integer.parseInt(args[i + 1]);
          case "--only" -> only = List.of(args[i + 1].split(","));
          default -> {}
        }
      }
      for (String key : only) {
        if (!CLIENTS.containsKey(key)) {
          throw new IllegalArgumentException(
              "--only: unknown client '" + key + "'; known: " + String.join(",", CLIENTS.keySet()));
        }
      }
      if (runs < 1 || events < 1) {
        throw new IllegalArgumentException(
            "--runs and --events must be at least 1, got " + runs + " and " + events);
      }
      return new Config(runs, busy, events, only);
    }
  }

  private ColdStartHarness() {}

  /**
   * Runs the harness and prints its markdown section; with {@code --child} or {@code --spin} as the
   * first argument, runs as one of its child processes instead.
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args);
      return;
    }
    if (args.length > 0 && args[0].equals("--spin")) {
      spin(args);
      return;
    }
    System.out.println(run(Config.parse(args)));
  }

  // ---- parent

  static String run(Config config) throws Exception {
    Thread hook = new Thread(() -> LIVE.forEach(Process::destroyForcibly), "coldstart-children");
    Runtime.getRuntime().addShutdownHook(hook);
    String started = Machine.now();
    String loadBefore = Machine.load();
    List<Run> runs = new ArrayList<>();
    String loadAfterCold;
    try (SocketIoTestServer server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .recovery(false)
                .pingInterval(PING_INTERVAL)
                .pingTimeout(PING_TIMEOUT)
                .build())) {
      runs.addAll(runAll(server, config, false));
      loadAfterCold = Machine.load();
      if (config.busy()) {
        Process spinner = startSpinner(config);
        try {
          runs.addAll(runAll(server, config, true));
        } finally {
          destroy(spinner);
        }
      }
    } finally {
      LIVE.forEach(ColdStartHarness::destroy);
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    return table(config, runs, started, loadBefore, loadAfterCold, Machine.load());
  }

  private static List<Run> runAll(SocketIoTestServer server, Config config, boolean busy)
      throws InterruptedException {
    List<Run> runs = new ArrayList<>();
    List<String> clients = config.only();
    for (int i = 0; i < config.runs(); i++) {
      for (int k = 0; k < clients.size(); k++) {
        String client = clients.get((k + i) % clients.size());
        Run run = runChild(server, config, client, busy, i);
        runs.add(run);
        System.err.printf(
            Locale.ROOT,
            "coldstart%s run %d %-14s %s: %s%n",
            busy ? "+busy" : "",
            i,
            client,
            run.survived() ? "survived" : "FAILED",
            run.describe());
      }
    }
    return runs;
  }

  private static Run runChild(
      SocketIoTestServer server, Config config, String client, boolean busy, int index)
      throws InterruptedException {
    awaitNoSockets(server);
    server.resetCounters();
    List<String> command = javaCommand("-Xms256m", "-Xmx1g");
    command.add(ColdStartHarness.class.getName());
    command.add("--child");
    command.add(client);
    command.add(server.url());
    command.add(Integer.toString(config.events()));
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      return new Run(client, busy, index, null, List.of(), "cannot start the child JVM: " + e);
    }
    LIVE.add(process);
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Deque<String> errors = new ArrayDeque<>();
      drain(process.getInputStream(), "coldstart-out", lines::add);
      drain(
          process.getErrorStream(),
          "coldstart-err",
          line -> {
            synchronized (errors) {
              if (errors.size() == 20) {
                errors.removeFirst();
              }
              errors.addLast(line);
            }
          });
      if (awaitLine(lines, READY, READY_TIMEOUT) == null) {
        return new Run(
            client,
            busy,
            index,
            null,
            List.of(),
            "no subscription within " + READY_TIMEOUT.toSeconds() + " s: " + tail(errors));
      }
      String room = SocketIoTestServer.roomOf(PARAMS);
      Map<String, Object> base =
          Map.of("bench", "flood", "kind", "token", "text", "cold start flood");
      // The flood runs on its own thread and stops once the child has reported, so that the
      // server's disconnects read below are those of the run (not of a reconnection after it).
      AtomicBoolean stop = new AtomicBoolean();
      Thread flood =
          new Thread(
              () -> {
                for (int sent = 0; sent < config.events() && !stop.get(); sent += BATCH) {
                  server.emitSequence(room, "tick", base, Math.min(BATCH, config.events() - sent));
                }
              },
              "coldstart-flood");
      flood.setDaemon(true);
      flood.start();
      String line;
      try {
        line = awaitLine(lines, RESULT, RESULT_TIMEOUT);
      } finally {
        stop.set(true);
        flood.join(TimeUnit.SECONDS.toMillis(30));
      }
      List<String> serverSaw = new ArrayList<>();
      for (JsonNode d : server.state().disconnects()) {
        serverSaw.add(d.path("reason").asText());
      }
      if (line == null) {
        return new Run(
            client,
            busy,
            index,
            null,
            serverSaw,
            "no result within " + RESULT_TIMEOUT.toSeconds() + " s: " + tail(errors));
      }
      ChildResult result =
          JSON.readValue(line.substring(RESULT.length()).trim(), ChildResult.class);
      return new Run(client, busy, index, result, serverSaw, null);
    } catch (IOException | RuntimeException e) {
      return new Run(client, busy, index, null, List.of(), "run failed: " + e);
    } finally {
      destroy(process);
    }
  }

  private static List<String> javaCommand(String... jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(jvmOptions));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    return command;
  }

  /** Starts a JVM that spins on every core, bounded by a deadline long enough for the runs. */
  private static Process startSpinner(Config config) throws IOException {
    int cores = Runtime.getRuntime().availableProcessors();
    long maxSeconds = Math.min(3_600, 30L + 150L * config.runs() * config.only().size());
    List<String> command = javaCommand("-Xmx64m");
    command.add(ColdStartHarness.class.getName());
    command.add("--spin");
    command.add(Integer.toString(cores));
    command.add(Long.toString(maxSeconds));
    Process spinner =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    LIVE.add(spinner);
    return spinner;
  }

  private static void destroy(Process process) {
    try {
      process.getOutputStream().close(); // the child exits when its standard input closes
    } catch (IOException e) {
      // already closed
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(process);
    }
  }

  /** Reads a child's output line by line on a daemon thread until the child is gone. */
  private static void drain(InputStream in, String name, java.util.function.Consumer<String> sink) {
    ChildProcesses.drain(in, name, sink, () -> {});
  }

  /** The first line starting with {@code prefix} within {@code timeout}, or null. */
  private static @Nullable String awaitLine(
      BlockingQueue<String> lines, String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      String line = lines.poll(left, TimeUnit.NANOSECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
    }
  }

  private static String tail(Deque<String> errors) {
    synchronized (errors) {
      return errors.isEmpty() ? "(no output)" : String.join(" | ", errors);
    }
  }

  /** Waits until no socket is connected to the server (bounded), so counters start clean. */
  private static void awaitNoSockets(SocketIoTestServer server) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    CountDownLatch never = new CountDownLatch(1);
    while (!server.state().sockets().isEmpty() && System.nanoTime() < deadline) {
      never.await(20, TimeUnit.MILLISECONDS);
    }
  }

  // ---- child: one cold client

  private static void child(String[] args) throws Exception {
    if (args.length < 4) {
      throw new IllegalArgumentException("usage: --child CLIENT URL EVENTS");
    }
    Supplier<BenchClient> factory = CLIENTS.get(args[1]);
    if (factory == null) {
      throw new IllegalArgumentException("unknown client '" + args[1] + "'");
    }
    String url = args[2];
    int events = Integer.parseInt(args[3]);
    CountDownLatch parentDone = new CountDownLatch(1);
    watchStdin(parentDone);
    PrintStream out = System.out;
    TickCounter ticks = new TickCounter();
    ticks.arm(events);
    BenchClient client = factory.get();
    int status = 0;
    try {
      client.connect(url, PARAMS, ticks, Duration.ofSeconds(30));
      long connectMillis = ManagementFactory.getRuntimeMXBean().getUptime();
      long start = System.nanoTime();
      out.println(READY);
      out.flush();
      long end = awaitAllOrDisconnect(ticks, client);
      long elapsedMillis =
          TimeUnit.NANOSECONDS.toMillis((end < 0 ? System.nanoTime() : end) - start);
      boolean echo = false;
      if (client.disconnects().isEmpty()) {
        try {
          client.echo(Map.of("after", "flood")).get(5, TimeUnit.SECONDS);
          echo = true;
        } catch (Exception e) {
          echo = false;
        }
      }
      ChildResult result =
          new ChildResult(
              ticks.count(),
              events,
              connectMillis,
              elapsedMillis,
              echo,
              List.copyOf(client.disconnects()));
      out.println(RESULT + JSON.writeValueAsString(result));
      out.flush();
      // the parent reads the server's disconnects before this client closes, then closes stdin
      parentDone.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("cold start child failed: " + e);
      status = 1;
    } finally {
      client.close();
    }
    // client threads (OkHttp's, socket.io-client-java's) may outlive close() for a while
    System.exit(status);
  }

  /**
   * Waits until every event arrived (returns its nanoTime), or the client saw a disconnect, or no
   * event came for {@link #STALL} (returns -1 for both).
   */
  private static long awaitAllOrDisconnect(TickCounter ticks, BenchClient client)
      throws InterruptedException {
    long last = -1;
    long lastProgress = System.nanoTime();
    while (true) {
      long end = ticks.await(20);
      if (end >= 0) {
        return end;
      }
      if (!client.disconnects().isEmpty()) {
        return -1;
      }
      long now = System.nanoTime();
      long count = ticks.count();
      if (count != last) {
        last = count;
        lastProgress = now;
      } else if (now - lastProgress > STALL.toNanos()) {
        return -1;
      }
    }
  }

  /**
   * A daemon thread that counts {@code closed} down when standard input reaches end of file (the
   * parent is done with this child, or gone), and ends this JVM 10 s later if it is still running.
   */
  private static void watchStdin(CountDownLatch closed) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // nothing is sent on it
                }
              } catch (IOException e) {
                // closed
              }
              closed.countDown();
              try {
                new CountDownLatch(1).await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                // ending anyway
              }
              Runtime.getRuntime().halt(3);
            },
            "coldstart-stdin");
    t.setDaemon(true);
    t.start();
  }

  // ---- child: the CPU-busy process

  /** Spins {@code args[1]} threads until {@code args[2]} seconds passed or stdin closes. */
  private static void spin(String[] args) throws InterruptedException {
    int threads = Integer.parseInt(args[1]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
    watchStdin(new CountDownLatch(1));
    List<Thread> spinners = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      long seed = i;
      Thread t =
          new Thread(
              () -> {
                long x = seed;
                while (System.nanoTime() < deadline) {
                  for (int j = 0; j < 1_000_000; j++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                  }
                }
                sink = x;
              },
              "coldstart-spin-" + i);
      t.setDaemon(true);
      t.start();
      spinners.add(t);
    }
    for (Thread t : spinners) {
      t.join();
    }
    System.exit(0);
  }

  @SuppressWarnings("unused")
  private static volatile long sink;

  // ---- report

  private static String table(
      Config config,
      List<Run> runs,
      String started,
      String loadBefore,
      String loadAfterCold,
      String loadAfter) {
    StringBuilder out = new StringBuilder();
    out.append("### Cold start under a flood (harness, ")
        .append(started)
        .append(")\n\n")
        .append(Machine.describe())
        .append(". Load averages (1, 5, 15 min): before ")
        .append(loadBefore)
        .append("; after the cold runs ")
        .append(loadAfterCold)
        .append(config.busy() ? "; after the busy runs " + loadAfter : "")
        .append(".\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "Each run a fresh JVM (-Xms256m -Xmx1g) connects to a server with pingInterval %d ms"
                    + " and pingTimeout %d ms, subscribes, and is flooded at once with %,d events"
                    + " (control calls of 1,000); then one echo round trip. Survived: every event,"
                    + " the echo, and no disconnect seen by the client or the server. %d runs per"
                    + " client, the order rotating%s.%n%n",
                PING_INTERVAL.toMillis(),
                PING_TIMEOUT.toMillis(),
                config.events(),
                config.runs(),
                config.busy()
                    ? "; then the same runs while another JVM spins on every core (cold + busy)"
                    : ""));
    out.append(
        "| client | survived cold | survived cold + busy | median time to all events, cold (s) |"
            + " cold + busy (s) | median subscribed after JVM start, cold (ms) |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    Map<String, String> names = new LinkedHashMap<>();
    CLIENTS.forEach(
        (key, factory) -> {
          try (BenchClient c = factory.get()) {
            names.put(key, c.name());
          }
        });
    for (String key : config.only()) {
      List<Run> cold = runs.stream().filter(r -> r.client().equals(key) && !r.busy()).toList();
      List<Run> busy = runs.stream().filter(r -> r.client().equals(key) && r.busy()).toList();
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s |%n",
              names.get(key),
              survived(cold),
              config.busy() ? survived(busy) : "(not run)",
              medianSeconds(cold),
              config.busy() ? medianSeconds(busy) : "",
              medianConnect(cold)));
    }
    List<Run> failed = runs.stream().filter(r -> !r.survived()).toList();
    if (!failed.isEmpty()) {
      out.append("\nRuns that did not survive:\n\n");
      for (Run r : failed) {
        out.append("- ")
            .append(names.get(r.client()))
            .append(r.busy() ? ", cold + busy" : ", cold")
            .append(", run ")
            .append(r.index() + 1)
            .append(": ")
            .append(r.describe())
            .append('\n');
      }
    }
    out.append(
        "\nMedian times are over the runs in which every event arrived; the time runs from the"
            + " subscription confirmed in the child to its last event.\n");
    return out.toString();
  }

  private static String survived(List<Run> runs) {
    long k = runs.stream().filter(Run::survived).count();
    return k + " of " + runs.size();
  }

  private static String medianSeconds(List<Run> runs) {
    List<Long> ms = new ArrayList<>();
    for (Run run : runs) {
      ChildResult r = run.result();
      if (r != null && r.received() == r.expected()) {
        ms.add(r.elapsedMillis());
      }
    }
    return ms.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%.2f", median(ms) / 1e3);
  }

  private static String medianConnect(List<Run> runs) {
    List<Long> ms = new ArrayList<>();
    for (Run run : runs) {
      ChildResult r = run.result();
      if (r != null) {
        ms.add(r.connectMillis());
      }
    }
    return ms.isEmpty() ? "n/a" : Long.toString(median(ms));
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
