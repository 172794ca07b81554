package dev.quarry.benchmarks.realtime;

import dev.quarry.benchmarks.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Realtime throughput and ack round trips of several clients against a {@link ReplayServer}, a
 * server in this JVM that writes pre-encoded frames from memory: where the Node server of {@link
 * RealtimeHarness} is the bottleneck on a small machine (it delivers a bounded rate to any client
 * and adds its event loop's jitter to the round trips), here the time of a flood is the client's
 * receive path: OkHttp's WebSocket reader, the client's decoding, the delivery to its listener.
 *
 * <p>Clients: the minimal hand-written client ({@link MinimalClient}, the baseline of every ratio),
 * socket.io-client-java (WebSocket only) and Quarry's {@code RealtimeClient} over WebSocket; the
 * {@code Quarry} facade ({@code facade}) and the readTree client ({@code tree}) run only when named
 * in {@code --only}. HTTP long-polling is not served by the replay server, so the polling client
 * has no row here.
 *
 * <p>One unrecorded round first, its main floods at least 100,000 events per payload size even with
 * {@code --quick} (every client's code paths get compiled). Then per round, per client (the order
 * rotates every round): a fresh client connects and subscribes; for each payload size a warm-up
 * flood and a measured flood of N events (events/s = N / (time from just before the server's first
 * write to the N-th {@code tick} delivered to the client's listener, {@link TickCounter})); then
 * warm-up and measured sequential {@code echo} round trips with an ack (p50 / p99 over all rounds).
 * A flood that stalls (no event for 5 s) counts 0 events/s for that round and is reported.
 * Disconnects the clients report and what the server noted (write failures, ping timeouts, protocol
 * errors, connections that ended without a close frame) are listed per client.
 *
 * <p>Threads: the harness runs on the calling thread; the server's threads are described at {@link
 * ReplayServer}; each client runs its own. Everything is closed before {@link #run} returns.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.quarry.benchmarks.realtime.ReplayHarness [--quick]
 * [--rounds R] [--events N] [--payload 64,1024] [--roundtrips M] [--ping-interval MS]
 * [--ping-timeout MS] [--commit HASH] [--only minimal,socketio-java,quarry,facade,tree] [--cpu]}.
 * With {@code --cpu} each measured flood also records the CPU time of this JVM's threads per event
 * ({@link ThreadCpu}: by thread name, the server's threads included, and the time outside Java
 * threads) and the bytes each Java thread allocated per event, reported per client and payload size
 * from the round with the median process total. The commit printed is {@code --commit}, else the
 * system property {@code quarry.commit}, else "not given". Prints a markdown section on standard
 * output, progress on standard error.
 */
public final class ReplayHarness {
  private static final Map<String, String> PARAMS = Map.of("bench", "flood");
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STALL = Duration.ofSeconds(5);
  private static final double THROUGHPUT_GOAL = 1.0;
  private static final double P99_GOAL = 1.2;

  /**
   * The least events per payload size of the warm-up round's main flood: with {@code --quick}'s
   * 20,000 a client whose decoding runs on one thread was still far from compiled in its first
   * recorded round (the minimal client measured about a tenth of its later rounds' rate).
   */
  private static final int WARM_UP_ROUND_EVENTS = 100_000;

  /**
   * One measured flood's CPU nanoseconds and allocated bytes per event by thread group ({@code
   * --cpu}), each with {@link ThreadCpu#TOTAL}.
   */
  record PerEvent(Map<String, Double> cpuNanos, Map<String, Double> allocatedBytes) {}

  /** The measured figures of one client over all rounds, and what went wrong. */
  record Figures(
      String client,
      Map<Integer, List<Double>> eventsPerSecond,
      List<Long> roundTripNanos,
      List<String> notes,
      Map<Integer, List<PerEvent>> cpuPerEvent) {
    static Figures of(String client) {
      return new Figures(
          client,
          new LinkedHashMap<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new LinkedHashMap<>());
    }

    /**
     * Each round's CPU and allocation per event by thread group, at this payload ({@code --cpu}).
     */
    List<PerEvent> cpu(int payload) {
      return cpuPerEvent.computeIfAbsent(payload, p -> new ArrayList<>());
    }

    List<Double> rates(int payload) {
      return eventsPerSecond.computeIfAbsent(payload, p -> new ArrayList<>());
    }

    double medianRate(int payload) {
      double[] r = rates(payload).stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return r.length == 0 ? Double.NaN : r[r.length / 2];
    }

    double percentileMicros(double p) {
      long[] s = roundTripNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (s.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(s.length - 1, Math.ceil(p * s.length) - 1);
      return s[Math.max(0, i)] / 1000.0;
    }
  }

  /** The settings of a run. */
  record Config(
      int rounds,
      int events,
      List<Integer> payloads,
      int roundTrips,
      Duration pingInterval,
      Duration pingTimeout,
      String commit,
      List<String> only,
      boolean cpu,
      int topics,
      boolean topicListeners) {
    static Config parse(String[] args) {
      boolean quick = Arrays.asList(args).contains("--quick");
      boolean cpu = Arrays.asList(args).contains("--cpu");
      boolean topicListeners = Arrays.asList(args).contains("--topic-listeners");
      int rounds = quick ? 1 : 3;
      int events = quick ? 20_000 : 100_000;
      int roundTrips = quick ? 500 : 2_000;
      long pingInterval = 25_000;
      long pingTimeout = 20_000;
      String commit = System.getProperty("quarry.commit", "not given");
      List<Integer> payloads = List.of(64, 1024);
      List<String> only = List.of();
      int topics = 0;
      for (int i = 0; i + 1 < args.length; i++) {
        switch (args[i]) {
          case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
          case "--events" -> events = Integer.parseInt(args[i + 1]);
          case "--roundtrips" -> roundTrips = Integer.parseInt(args[i + 1]);
          case "--ping-interval" -> pingInterval = Long.parseLong(args[i + 1]);
          case "--ping-timeout" -> pingTimeout = Long.parseLong(args[i + 1]);
          case "--commit" -> commit = args[i + 1];
          case "--only" -> only = List.of(args[i + 1].split(","));
          case "--topics" -> topics = Integer.parseInt(args[i + 1]);
          case "--payload" ->
              payloads = Arrays.stream(args[i + 1].split(",")).map(Integer::valueOf).toList();
          default -> {}
        }
      }
      if (rounds < 1 || events < 1 || roundTrips < 1) {
        throw new IllegalArgumentException(
            "--rounds, --events and --roundtrips must be at least 1, got "
                + rounds
                + ", "
                + events
                + " and "
                + roundTrips);
      }
      if (topics < 0) {
        throw new IllegalArgumentException("--topics must be at least 0, got " + topics);
      }
      if (pingInterval < 1 || pingTimeout < 1) {
        throw new IllegalArgumentException(
            "--ping-interval and --ping-timeout must be at least 1 ms, got "
                + pingInterval
                + " and "
                + pingTimeout);
      }
      payloads.forEach(RealtimeHarness::payloadBase); // a size too small fails here, named
      return new Config(
          rounds,
          events,
          payloads,
          roundTrips,
          Duration.ofMillis(pingInterval),
          Duration.ofMillis(pingTimeout),
          commit,
          only,
          cpu,
          topics,
          topicListeners);
    }
  }

  private ReplayHarness() {}

  /** Runs the harness and prints its markdown section. */
  public static void main(String[] args) throws Exception {
    System.out.println(run(Config.parse(args)));
  }

  /** Runs the harness with these arguments and returns its markdown section. */
  public static String run(String[] args) throws Exception {
    return run(Config.parse(args));
  }

  static String run(Config config) throws Exception {
    List<Supplier<BenchClient>> clients =
        clients(config.only(), config.topics(), config.topicListeners());
    Map<String, Figures> figures = new LinkedHashMap<>();
    List<String> warmUpNotes = new ArrayList<>();
    String started = Machine.now();
    String loadBefore = Machine.load();
    long pingsInRounds;
    try (ReplayServer server = ReplayServer.start(config.pingInterval(), config.pingTimeout())) {
      // an unrecorded round first: the server's and every client's code paths get compiled
      for (Supplier<BenchClient> factory : clients) {
        Figures scratch = measureOnce(server, factory, config, "warm-up", false, null);
        scratch.notes().forEach(n -> warmUpNotes.add(scratch.client() + ", " + n));
      }
      long pingsBefore = server.pingsSent();
      for (int round = 0; round < config.rounds(); round++) {
        for (int k = 0; k < clients.size(); k++) {
          Supplier<BenchClient> factory = clients.get((k + round) % clients.size());
          Figures f = measureOnce(server, factory, config, "round " + round, true, figures);
          for (int payload : config.payloads()) {
            List<Double> rates = f.rates(payload);
            System.err.printf(
                Locale.ROOT,
                "replay round %d %-42s %5d B %,10.0f events/s%n",
                round,
                f.client(),
                payload,
                rates.isEmpty() ? Double.NaN : rates.get(rates.size() - 1));
          }
          System.err.printf(
              Locale.ROOT,
              "replay round %d %-42s rtt p50 %.0f us, p99 %.0f us (all rounds so far)%n",
              round,
              f.client(),
              f.percentileMicros(0.5),
              f.percentileMicros(0.99));
        }
      }
      pingsInRounds = server.pingsSent() - pingsBefore;
    }
    return table(config, figures, warmUpNotes, pingsInRounds, started, loadBefore, Machine.load());
  }

  private static List<Supplier<BenchClient>> clients(
      List<String> only, int topics, boolean topicListeners) {
    Map<String, Supplier<BenchClient>> all = new LinkedHashMap<>();
    all.put("minimal", MinimalClient::new);
    all.put("socketio-java", SocketIoJavaClient::new);
    all.put("quarry", () -> new QuarryClient(topics, topicListeners));
    all.put("facade", QuarryFacadeClient::new);
    all.put("tree", MinimalClient::tree);
    for (String key : only) {
      if (key.equals("polling")) {
        throw new IllegalArgumentException(
            "--only polling: the replay server speaks WebSocket only; the polling client runs in"
                + " RealtimeHarness");
      }
      if (!all.containsKey(key)) {
        throw new IllegalArgumentException(
            "--only: unknown client '" + key + "'; known: " + String.join(",", all.keySet()));
      }
    }
    List<Supplier<BenchClient>> clients = new ArrayList<>();
    all.forEach(
        (key, factory) -> {
          boolean byDefault = !key.equals("tree") && !key.equals("facade");
          if (only.isEmpty() ? byDefault : only.contains(key)) {
            clients.add(factory);
          }
        });
    return clients;
  }

  /**
   * One client's turn: a fresh client, measured, closed. Its disconnects and the server's notes are
   * taken before the close ("saw"), and the server's notes again once the server saw its
   * connections end ("saw at close": a connection that ended without a close frame, say). With
   * {@code record}, the figures go to {@code all}.
   */
  private static Figures measureOnce(
      ReplayServer server,
      Supplier<BenchClient> factory,
      Config config,
      String label,
      boolean record,
      @Nullable Map<String, Figures> all)
      throws InterruptedException {
    Figures f;
    try (BenchClient client = factory.get()) {
      f =
          record && all != null
              ? all.computeIfAbsent(client.name(), Figures::of)
              : Figures.of(client.name());
      measure(server, client, config, f, label, record);
      for (String d : client.disconnects()) {
        f.notes().add(label + ", client saw: " + d);
      }
      for (String n : server.drainNotes()) {
        f.notes().add(label + ", server saw: " + n);
      }
    }
    if (!server.awaitIdle(STALL)) {
      f.notes().add(label + ", server: a connection was still open " + STALL + " after close");
    }
    for (String n : server.drainNotes()) {
      f.notes().add(label + ", server saw at close: " + n);
    }
    return f;
  }

  private static void measure(
      ReplayServer server,
      BenchClient client,
      Config config,
      Figures f,
      String label,
      boolean record)
      throws InterruptedException {
    TickCounter ticks = new TickCounter();
    try {
      client.connect(server.url(), PARAMS, ticks, TIMEOUT);
    } catch (Exception e) {
      if (e instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      f.notes().add(label + ": connect failed: " + e);
      if (record) {
        config.payloads().forEach(p -> f.rates(p).add(0.0));
      }
      return;
    }
    for (int payload : config.payloads()) {
      Map<String, Object> base = RealtimeHarness.payloadBase(payload);
      try {
        flood(server, ticks, base, Math.max(1_000, config.events() / 5)); // warm-up
        int events = record ? config.events() : Math.max(WARM_UP_ROUND_EVENTS, config.events());
        Map<Long, ThreadCpu.Sample> cpuBefore =
            record && config.cpu() ? ThreadCpu.snapshot() : Map.of();
        long nanos = flood(server, ticks, base, events);
        if (record) {
          f.rates(payload).add(events * 1e9 / nanos);
          if (config.cpu()) {
            Map<Long, ThreadCpu.Sample> cpuAfter = ThreadCpu.snapshot();
            Map<String, Double> cpu = new LinkedHashMap<>();
            ThreadCpu.since(cpuBefore, cpuAfter)
                .forEach((group, cpuNanos) -> cpu.put(group, (double) cpuNanos / events));
            Map<String, Double> allocated = new LinkedHashMap<>();
            ThreadCpu.allocatedSince(cpuBefore, cpuAfter)
                .forEach((group, bytes) -> allocated.put(group, (double) bytes / events));
            f.cpu(payload).add(new PerEvent(cpu, allocated));
          }
        }
      } catch (IllegalStateException e) {
        f.notes().add(label + ", " + sizeName(payload) + ": " + e.getMessage());
        if (record) {
          f.rates(payload).add(0.0);
        }
      }
    }
    try {
      roundTrips(client, Math.max(100, config.roundTrips() / 4), null); // warm-up
      roundTrips(client, config.roundTrips(), record ? f.roundTripNanos() : null);
    } catch (Exception e) {
      if (e instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      f.notes().add(label + ": round trips failed: " + e);
    }
  }

  /**
   * One flood of {@code count} events; the nanoseconds from just before the server's first write to
   * the {@code count}-th event at the client's listener.
   *
   * @throws IllegalStateException if the server could not start it, or the events stopped coming
   *     for {@link #STALL} before all arrived
   */
  private static long flood(
      ReplayServer server, TickCounter ticks, Map<String, Object> base, int count)
      throws InterruptedException {
    ticks.arm(count);
    long start = server.flood(count, base, TIMEOUT);
    long end = awaitWhileProgressing(ticks);
    if (end < 0) {
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "flood of %,d events stalled: %,d arrived, none for %d s",
              count,
              ticks.count(),
              STALL.toSeconds()));
    }
    return end - start;
  }

  /** Waits for the target while events keep arriving; -1 after {@link #STALL} without progress. */
  private static long awaitWhileProgressing(TickCounter ticks) throws InterruptedException {
    long last = -1;
    long lastProgress = System.nanoTime();
    while (true) {
      long end = ticks.await(200);
      if (end >= 0) {
        return end;
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

  private static void roundTrips(BenchClient client, int count, @Nullable List<Long> out)
      throws Exception {
    for (int i = 0; i < count; i++) {
      Map<String, Object> payload = Map.of("i", i, "bench", "rtt");
      long start = System.nanoTime();
      client.echo(payload).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long nanos = System.nanoTime() - start;
      if (out != null) {
        out.add(nanos);
      }
    }
  }

  private static String sizeName(int bytes) {
    return bytes % 1024 == 0 ? (bytes / 1024) + " KB" : bytes + " B";
  }

  private static String ratio(double value) {
    return Double.isNaN(value) || Double.isInfinite(value)
        ? "n/a"
        : String.format(Locale.ROOT, "%.2f", value);
  }

  /**
   * The {@code --cpu} figures: per client and payload size, the round whose process CPU per event
   * is the median, its nanoseconds per event by thread group; then, from the same rounds, the bytes
   * allocated per event by thread.
   */
  private static String cpuTable(Config config, Map<String, Figures> figures) {
    StringBuilder cpu =
        new StringBuilder(
            "\nCPU per event by thread (`--cpu`; ns of CPU time per event during the measured flood,"
                + " this JVM's threads by name with digits as #, the server's included; the round"
                + " with the median process total):\n\n| client | payload | process | by thread |\n"
                + "|---|---:|---:|---|\n");
    StringBuilder heap =
        new StringBuilder(
            "\nBytes allocated on the heap per event by thread (`--cpu`; the same rounds, Java"
                + " threads only):\n\n| client | payload | all threads | by thread |\n"
                + "|---|---:|---:|---|\n");
    for (Figures f : figures.values()) {
      for (int payload : config.payloads()) {
        List<PerEvent> rounds = new ArrayList<>(f.cpu(payload));
        if (rounds.isEmpty()) {
          continue;
        }
        rounds.sort(
            (a, b) ->
                Double.compare(
                    a.cpuNanos().getOrDefault(ThreadCpu.TOTAL, 0.0),
                    b.cpuNanos().getOrDefault(ThreadCpu.TOTAL, 0.0)));
        PerEvent median = rounds.get(rounds.size() / 2);
        cpu.append(row(f.client(), payload, median.cpuNanos()));
        if (!median.allocatedBytes().isEmpty()) {
          heap.append(row(f.client(), payload, median.allocatedBytes()));
        }
      }
    }
    return cpu.append(heap).toString();
  }

  /** One row: the client, the payload, the total, then each group's figure, largest first. */
  private static String row(String client, int payload, Map<String, Double> perEvent) {
    StringBuilder parts = new StringBuilder();
    perEvent.forEach(
        (group, value) -> {
          if (!group.equals(ThreadCpu.TOTAL) && value >= 1.0) {
            parts
                .append(parts.length() == 0 ? "" : "; ")
                .append(group.replace("|", "/"))
                .append(String.format(Locale.ROOT, " %.0f", value));
          }
        });
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.0f | %s |%n",
        client,
        sizeName(payload),
        perEvent.getOrDefault(ThreadCpu.TOTAL, Double.NaN),
        parts);
  }

  private static String table(
      Config config,
      Map<String, Figures> figures,
      List<String> warmUpNotes,
      long pings,
      String started,
      String loadBefore,
      String loadAfter) {
    StringBuilder out = new StringBuilder();
    out.append("### Realtime, replay server (harness, ")
        .append(started)
        .append(")\n\n")
        .append(Machine.describe())
        .append(". Commit: ")
        .append(config.commit())
        .append(". Load averages (1, 5, 15 min): before ")
        .append(loadBefore)
        .append("; after ")
        .append(loadAfter)
        .append(".\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "Server: in this JVM, WebSocket only, every flood written from %d-frame blocks"
                    + " encoded once per payload size (one write per block), acks written at once"
                    + " by the connection's reader thread; pingInterval %d ms, pingTimeout %d ms"
                    + " (%d Engine.IO pings during the rounds). Rounds: %d, clients alternating, a"
                    + " fresh client each round; per round and payload size a flood of %,d events"
                    + " (the event's JSON payload object padded to the size; the frame adds 11"
                    + " bytes), timed from just before the server's first write to the last event"
                    + " at the client's listener; then %,d sequential echo round trips with an ack"
                    + " (after warm-up). Ratios are to the minimal client.%s%n%n",
                ReplayServer.BLOCK,
                config.pingInterval().toMillis(),
                config.pingTimeout().toMillis(),
                pings,
                config.rounds(),
                config.events(),
                config.roundTrips(),
                config.topics() == 0
                    ? ""
                    : String.format(
                        Locale.ROOT,
                        " Quarry's RealtimeClient also holds %,d more topic subscriptions, %s"
                            + " (`--topics`%s), params `{\"i\": n}`, which no event matches.",
                        config.topics(),
                        config.topicListeners() ? "each with a listener" : "without listeners",
                        config.topicListeners() ? " `--topic-listeners`" : "")));
    Figures base = null;
    for (Figures f : figures.values()) {
      if (f.client().startsWith("minimal")) {
        base = f;
      }
    }
    double baseP99 = base == null ? Double.NaN : base.percentileMicros(0.99);
    StringBuilder header = new StringBuilder("| client |");
    StringBuilder align = new StringBuilder("|---|");
    for (int payload : config.payloads()) {
      header.append(
          String.format(
              Locale.ROOT, " events/s, %s (median) | each round | x minimal |", sizeName(payload)));
      align.append("---:|---|---:|");
    }
    header.append(
        String.format(
            Locale.ROOT,
            " RTT p50 (µs) | RTT p99 (µs) | p99 x minimal | goal (>= %.1fx minimal at every"
                + " payload, p99 <= %.1fx minimal) |%n",
            THROUGHPUT_GOAL,
            P99_GOAL));
    align.append("---:|---:|---:|---|\n");
    out.append(header).append(align);
    for (Figures f : figures.values()) {
      double p99 = f.percentileMicros(0.99);
      List<String> missed = new ArrayList<>();
      StringBuilder row = new StringBuilder("| ").append(f.client()).append(" |");
      for (int payload : config.payloads()) {
        double rate = f.medianRate(payload);
        double x = base == null ? Double.NaN : rate / base.medianRate(payload);
        if (!(x >= THROUGHPUT_GOAL)) {
          missed.add("events/s " + ratio(x) + "x at " + sizeName(payload));
        }
        StringBuilder rounds = new StringBuilder();
        for (double r : f.rates(payload)) {
          rounds
              .append(rounds.length() == 0 ? "" : " / ")
              .append(String.format(Locale.ROOT, "%,.0f", r));
        }
        row.append(String.format(Locale.ROOT, " %,.0f | %s | %s |", rate, rounds, ratio(x)));
      }
      double p99x = p99 / baseP99;
      if (!(p99x <= P99_GOAL)) {
        missed.add("p99 " + ratio(p99x) + "x");
      }
      String goal =
          base != null && f.client().equals(base.client())
              ? "(the baseline)"
              : f.client().contains("facade")
                  ? "(no goal: event to observer)"
                  : f.client().startsWith("Quarry")
                      ? (base == null
                          ? "n/a (no minimal row: run with minimal in --only)"
                          : missed.isEmpty() ? "met" : "MISSED: " + String.join(", ", missed))
                      : "(peer)";
      row.append(
          String.format(
              Locale.ROOT,
              " %.0f | %.0f | %s | %s |%n",
              f.percentileMicros(0.5),
              p99,
              ratio(p99x),
              goal));
      out.append(row);
    }
    if (figures.values().stream().anyMatch(f -> f.client().contains("facade"))) {
      out.append(
          "\nThe facade row is the live-query path end to end: each `tick` goes through a"
              + " `bind(topic).update(...)` rule into a cached query and out to its observer; its"
              + " round trip is an `echo` without an ack that the server sends back as an event.\n");
    }
    out.append(
        "\nHTTP long-polling has no row: the replay server speaks WebSocket only (RealtimeHarness"
            + " measures the polling client against the Node server).\n");
    if (config.cpu()) {
      out.append(cpuTable(config, figures));
    }
    boolean any = !warmUpNotes.isEmpty();
    for (Figures f : figures.values()) {
      any |= !f.notes().isEmpty();
    }
    if (!any) {
      out.append("\nDisconnects and server notes during the run: none.\n");
    } else {
      out.append("\nDisconnects and server notes during the run:\n\n");
      warmUpNotes.forEach(n -> out.append("- ").append(n).append('\n'));
      for (Figures f : figures.values()) {
        f.notes()
            .forEach(n -> out.append("- ").append(f.client()).append(", ").append(n).append('\n'));
      }
    }
    return out.toString();
  }
}
