package dev.quarry.benchmarks.realtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.benchmarks.Machine;
import dev.quarry.testing.socketio.SocketIoTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Realtime throughput, round-trip latency and heartbeat health under a flood, for several clients
 * on the same Node socket.io 4.8.4 server, alternating in one run: the minimal hand-written client
 * (OkHttp WebSocket, every event decoded into a record on the reader thread: {@link
 * MinimalClient}), socket.io-client-java, Quarry's {@code RealtimeClient} over WebSocket, the
 * {@code Quarry} facade, and Quarry's {@code RealtimeClient} over HTTP long-polling only; ratios
 * are to the minimal client.
 *
 * <p>One unrecorded round warms up the server and all clients. Then per round, per client (the
 * order rotates every round): connect and subscribe to a room; for each payload size, a warm-up
 * flood and a measured flood ({@code emitSequence} calls of 1,000 events to the room, N in all,
 * each event's JSON payload object padded to the size: events/s = N / (time from the first control
 * request to the N-th event received)); then warm-up and measured sequential {@code echo} round
 * trips with acks (p50 / p99 over all rounds). A second server pings every 200 ms; each client
 * receives a long flood there and every disconnect (client side, and the server's disconnect
 * reasons) is recorded.
 *
 * <p>With {@code --raw-frames} the throughput floods are written by the server's {@code
 * /control/flood} instead ({@link SocketIoTestServer#flood}): WebSocket frames the Node process
 * encodes itself and writes 1,000 at a time to each socket's TCP connection. socket.io's own emit
 * is slower than every client here but socket.io-client-java (the emitted floods measure the
 * server: see the module's README); the raw frames come many times faster, from a server that still
 * shares the machine's cores with the client (unlike {@link ReplayHarness}'s, which runs in the
 * client's JVM and costs it almost nothing). The polling client cannot take them and is left out.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.quarry.benchmarks.realtime.RealtimeHarness [--quick]
 * [--rounds R] [--events N] [--payload 64,1024] [--roundtrips M] [--flood F] [--ping-timeout MS]
 * [--only minimal,socketio-java,quarry,facade,polling,tree] [--raw-frames]} ({@code tree}, the
 * earlier baseline that parses every frame with {@code readTree}, runs only when named in {@code
 * --only}).
 */
public final class RealtimeHarness {
  private static final Map<String, String> PARAMS = Map.of("bench", "flood");
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int BATCH = 1_000;

  /** Events per {@code /control/flood} call with {@code --raw-frames}. */
  private static final int FLOOD_CALL = 100_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FILL =
      "The quick brown fox jumps over the lazy dog, again and again. ";

  /** The measured figures of one client, over all rounds. */
  record Figures(
      String client,
      Map<Integer, List<Double>> eventsPerSecond,
      List<Long> roundTripNanos,
      List<String> floodDrops) {
    static Figures of(String client) {
      return new Figures(client, new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>());
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
      int flood,
      int pingTimeoutMillis,
      List<String> only,
      boolean rawFrames) {
    static Config parse(String[] args) {
      boolean quick = Arrays.asList(args).contains("--quick");
      boolean rawFrames = Arrays.asList(args).contains("--raw-frames");
      int rounds = quick ? 1 : 3;
      int events = quick ? 20_000 : 100_000;
      int roundTrips = quick ? 500 : 2_000;
      int flood = quick ? 50_000 : 200_000;
      int pingTimeout = 400;
      List<Integer> payloads = List.of(64, 1024);
      List<String> only = List.of();
      for (int i = 0; i + 1 < args.length; i++) {
        switch (args[i]) {
          case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
          case "--events" -> events = Integer.parseInt(args[i + 1]);
          case "--roundtrips" -> roundTrips = Integer.parseInt(args[i + 1]);
          case "--flood" -> flood = Integer.parseInt(args[i + 1]);
          case "--ping-timeout" -> pingTimeout = Integer.parseInt(args[i + 1]);
          case "--only" -> only = List.of(args[i + 1].split(","));
          case "--payload" ->
              payloads = Arrays.stream(args[i + 1].split(",")).map(Integer::valueOf).toList();
          default -> {}
        }
      }
      payloads.forEach(RealtimeHarness::payloadBase); // a size too small fails here, named
      return new Config(rounds, events, payloads, roundTrips, flood, pingTimeout, only, rawFrames);
    }
  }

  private RealtimeHarness() {}

  /** Runs the harness and prints its markdown section. */
  public static void main(String[] args) throws Exception {
    System.out.println(run(Config.parse(args)));
  }

  /** Runs the harness with these arguments and returns its markdown section. */
  public static String run(String[] args) throws Exception {
    return run(Config.parse(args));
  }

  static String run(Config config) throws Exception {
    Map<String, Supplier<BenchClient>> all = new LinkedHashMap<>();
    all.put("minimal", MinimalClient::new);
    all.put("socketio-java", SocketIoJavaClient::new);
    all.put("quarry", QuarryClient::new);
    all.put("facade", QuarryFacadeClient::new);
    all.put("polling", QuarryClient::polling);
    all.put("tree", MinimalClient::tree);
    for (String key : config.only()) {
      if (!all.containsKey(key)) {
        throw new IllegalArgumentException(
            "--only: unknown client '" + key + "'; known: " + String.join(",", all.keySet()));
      }
    }
    if (config.rawFrames() && config.only().contains("polling")) {
      throw new IllegalArgumentException(
          "--raw-frames: the polling client cannot take the raw WebSocket frames; leave it out of"
              + " --only");
    }
    List<Supplier<BenchClient>> clients = new ArrayList<>();
    all.forEach(
        (key, factory) -> {
          boolean byDefault = !key.equals("tree") && !(config.rawFrames() && key.equals("polling"));
          if (config.only().isEmpty() ? byDefault : config.only().contains(key)) {
            clients.add(factory);
          }
        });
    Map<String, Figures> figures = new LinkedHashMap<>();
    String loadBefore = Machine.load();
    String started = Machine.now();
    try (SocketIoTestServer server =
        SocketIoTestServer.start(SocketIoTestServer.Options.builder().recovery(false).build())) {
      String room = SocketIoTestServer.roomOf(PARAMS);
      // an unrecorded round first: the server's and every client's code paths get compiled
      for (Supplier<BenchClient> factory : clients) {
        try (BenchClient client = factory.get()) {
          measure(server, room, client, config, Figures.of(client.name()));
        }
      }
      for (int round = 0; round < config.rounds(); round++) {
        for (int k = 0; k < clients.size(); k++) {
          Supplier<BenchClient> factory = clients.get((k + round) % clients.size());
          try (BenchClient client = factory.get()) {
            Figures f = figures.computeIfAbsent(client.name(), Figures::of);
            measure(server, room, client, config, f);
            for (int payload : config.payloads()) {
              List<Double> rates = f.rates(payload);
              System.err.printf(
                  Locale.ROOT,
                  "round %d %-42s %5d B %,10.0f events/s%n",
                  round,
                  client.name(),
                  payload,
                  rates.get(rates.size() - 1));
            }
            System.err.printf(
                Locale.ROOT,
                "round %d %-42s rtt p50 %.0f us%n",
                round,
                client.name(),
                f.percentileMicros(0.5));
          }
        }
      }
    }
    String loadAfterThroughput = Machine.load();
    Map<String, List<String>> pingResults = new LinkedHashMap<>();
    Duration pingTimeout = Duration.ofMillis(config.pingTimeoutMillis());
    try (SocketIoTestServer server =
        SocketIoTestServer.start(
            SocketIoTestServer.Options.builder()
                .recovery(false)
                .pingInterval(Duration.ofMillis(200))
                .pingTimeout(pingTimeout)
                .build())) {
      String room = SocketIoTestServer.roomOf(PARAMS);
      for (Supplier<BenchClient> factory : clients) {
        try (BenchClient client = factory.get()) {
          awaitNoSockets(server);
          server.resetCounters();
          List<String> problems = pingFlood(server, room, client, config);
          pingResults.put(client.name(), problems);
          System.err.printf(Locale.ROOT, "ping flood %-28s %s%n", client.name(), problems);
        }
      }
    }
    String loadAfter = Machine.load();
    return table(config, figures, pingResults, started, loadBefore, loadAfterThroughput, loadAfter);
  }

  private static void measure(
      SocketIoTestServer server, String room, BenchClient client, Config config, Figures f)
      throws Exception {
    TickCounter ticks = new TickCounter();
    client.connect(server.url(), PARAMS, ticks, TIMEOUT);
    for (int payload : config.payloads()) {
      Map<String, Object> base = payloadBase(payload);
      flood(server, room, ticks, base, Math.max(1_000, config.events() / 5), config.rawFrames());
      long nanos = flood(server, room, ticks, base, config.events(), config.rawFrames());
      f.rates(payload).add(config.events() * 1e9 / nanos);
    }
    roundTrips(client, Math.max(100, config.roundTrips() / 4), null); // warm-up
    roundTrips(client, config.roundTrips(), f.roundTripNanos());
    if (!client.disconnects().isEmpty()) {
      f.floodDrops().addAll(client.disconnects());
    }
  }

  /**
   * The base object of a flood whose events' JSON payload objects are {@code bytes} long (ASCII,
   * with a 3-digit {@code seq}: seq runs 0 to 999 in each control call, so payloads of the first
   * 100 events of a call are 1 or 2 bytes shorter): {@code bench}, {@code kind} and {@code text},
   * the text padded. The server adds {@code seq}; the frame adds {@code 42["tick",} and {@code ]}.
   *
   * @throws IllegalArgumentException if {@code bytes} is below the size with an empty text
   */
  static Map<String, Object> payloadBase(int bytes) {
    Map<String, Object> base = new LinkedHashMap<>();
    base.put("bench", "flood");
    base.put("kind", "token");
    base.put("text", "");
    Map<String, Object> probe = new LinkedHashMap<>(base);
    probe.put("seq", 500);
    int empty;
    try {
      empty = JSON.writeValueAsString(probe).length();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (bytes < empty) {
      throw new IllegalArgumentException(
          "--payload "
              + bytes
              + ": a payload is at least "
              + empty
              + " bytes (the fields bench, kind, an empty text and seq)");
    }
    int pad = bytes - empty;
    base.put("text", FILL.repeat(pad / FILL.length() + 1).substring(0, pad));
    return base;
  }

  private static long flood(
      SocketIoTestServer server,
      String room,
      TickCounter ticks,
      Map<String, Object> base,
      int count,
      boolean rawFrames)
      throws InterruptedException {
    ticks.arm(count);
    long start = System.nanoTime();
    if (rawFrames) {
      for (int sent = 0; sent < count; sent += FLOOD_CALL) {
        if (server.flood(room, "tick", base, Math.min(FLOOD_CALL, count - sent)) < 1) {
          throw new IllegalStateException(
              "--raw-frames: no WebSocket socket in the room to flood (" + room + ")");
        }
      }
    } else {
      emitInBatches(server, room, base, count);
    }
    long end = awaitWhileProgressing(ticks);
    if (end < 0) {
      throw new IllegalStateException(
          "flood of " + count + " events: only " + ticks.count() + " arrived (stalled)");
    }
    return end - start;
  }

  /**
   * Emits {@code count} events in control calls of {@value #BATCH}: socket.io buffers a socket's
   * packets while one write is pending and the server runs no timer (no ping) during one call's
   * emit loop, so one huge call would stall pings for as long as the loop takes.
   */
  private static void emitInBatches(
      SocketIoTestServer server, String room, Map<String, Object> base, int count) {
    for (int sent = 0; sent < count; sent += BATCH) {
      server.emitSequence(room, "tick", base, Math.min(BATCH, count - sent));
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

  /** Waits for the target while events keep arriving; -1 after 5 s without progress. */
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
      } else if (now - lastProgress > TimeUnit.SECONDS.toNanos(5)) {
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

  private static List<String> pingFlood(
      SocketIoTestServer server, String room, BenchClient client, Config config) throws Exception {
    TickCounter ticks = new TickCounter();
    client.connect(server.url(), PARAMS, ticks, TIMEOUT);
    Map<String, Object> base = Map.of("bench", "flood", "kind", "token", "text", "ping flood");
    List<String> problems = new ArrayList<>();
    ticks.arm(config.flood());
    long start = System.nanoTime();
    emitInBatches(server, room, base, config.flood());
    long end = awaitWhileProgressing(ticks);
    if (end < 0) {
      problems.add("only " + ticks.count() + " of " + config.flood() + " events arrived");
    }
    // a round trip after the flood proves the connection is still alive
    try {
      client.echo(Map.of("after", "flood")).get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      problems.add("no echo after the flood: " + e);
    }
    problems.addAll(client.disconnects());
    for (JsonNode d : server.state().disconnects()) {
      String reason = d.path("reason").asText();
      problems.add(
          "server saw: "
              + reason
              + (reason.equals("ping timeout") ? " (the client's pong was late)" : ""));
    }
    if (problems.isEmpty()) {
      problems.add(
          String.format(
              Locale.ROOT,
              "ok: %,d events in %.2f s, no disconnect",
              config.flood(),
              (end - start) / 1e9));
    }
    return problems;
  }

  private static String sizeName(int bytes) {
    return bytes % 1024 == 0 ? (bytes / 1024) + " KB" : bytes + " B";
  }

  private static String table(
      Config config,
      Map<String, Figures> figures,
      Map<String, List<String>> ping,
      String started,
      String loadBefore,
      String loadMid,
      String loadAfter) {
    StringBuilder out = new StringBuilder();
    out.append("### Realtime (harness, ")
        .append(started)
        .append(")\n\n")
        .append(Machine.describe())
        .append(". Load averages (1, 5, 15 min): before ")
        .append(loadBefore)
        .append("; after the throughput rounds ")
        .append(loadMid)
        .append("; after the ping floods ")
        .append(loadAfter)
        .append(".\n\n")
        .append(
            String.format(
                Locale.ROOT,
                "%d rounds, clients alternating; per round and payload size a flood of %,d events"
                    + " (the event's JSON payload object padded to the size; the frame adds 11"
                    + " bytes), then %,d sequential echo round trips with an ack (after warm-up)."
                    + " Ratios are to the minimal client: an OkHttp WebSocket speaking Engine.IO /"
                    + " Socket.IO frames by hand and decoding every event into a record with a"
                    + " prepared Jackson ObjectReader on the reader thread. Floods written by %s.%n%n",
                config.rounds(),
                config.events(),
                config.roundTrips(),
                config.rawFrames()
                    ? "the Node server as WebSocket frames it encodes itself, 1,000 to a write, on"
                        + " each socket's TCP connection (/control/flood, bypassing socket.io and"
                        + " Engine.IO)"
                    : "socket.io emits to the room (/control/emit, 1,000 events per call)"));
    Figures base = figures.values().iterator().next();
    for (Figures f : figures.values()) {
      if (f.client().startsWith("minimal")) {
        base = f;
      }
    }
    double baseP99 = base.percentileMicros(0.99);
    StringBuilder header = new StringBuilder("| client |");
    StringBuilder align = new StringBuilder("|---|");
    for (int payload : config.payloads()) {
      header.append(
          String.format(
              Locale.ROOT, " events/s, %s (median) | each round | x minimal |", sizeName(payload)));
      align.append("---:|---|---:|");
    }
    header.append(
        " RTT p50 (µs) | RTT p99 (µs) | p99 x minimal | goal (>= 0.9x minimal, p99 <= 1.5x"
            + " minimal) |\n");
    align.append("---:|---:|---:|---|\n");
    out.append(header).append(align);
    for (Figures f : figures.values()) {
      double p99 = f.percentileMicros(0.99);
      boolean throughputMet = true;
      StringBuilder row = new StringBuilder("| ").append(f.client()).append(" |");
      for (int payload : config.payloads()) {
        double rate = f.medianRate(payload);
        double ratio = rate / base.medianRate(payload);
        throughputMet &= ratio >= 0.9;
        StringBuilder rounds = new StringBuilder();
        for (double r : f.rates(payload)) {
          rounds
              .append(rounds.length() == 0 ? "" : " / ")
              .append(String.format(Locale.ROOT, "%,.0f", r));
        }
        row.append(String.format(Locale.ROOT, " %,.0f | %s | %.2f |", rate, rounds, ratio));
      }
      String goal =
          f == base
              ? "(the baseline)"
              : f.client().contains("facade")
                  ? "(no goal: event to observer, see below)"
                  : f.client().contains("polling")
                      ? "(no goal: HTTP long-polling)"
                      : f.client().startsWith("Quarry")
                          ? ((throughputMet ? "throughput met" : "throughput MISSED")
                              + ", "
                              + (p99 <= 1.5 * baseP99 ? "p99 met" : "p99 MISSED"))
                          : "(peer)";
      row.append(
          String.format(
              Locale.ROOT,
              " %.0f | %.0f | %.2f | %s |%n",
              f.percentileMicros(0.5),
              p99,
              p99 / baseP99,
              goal));
      out.append(row);
    }
    out.append(
        "\nThe facade row is the live-query path end to end: each `tick` goes through a"
            + " `bind(topic).update(...)` rule into a cached query and out to its observer (events/s:"
            + " until the observer has seen the last count); its round trip is an `echo` without an"
            + " ack that the server sends back as an event, through a rule and an observer, where the"
            + " other rows wait for an ack.\n");
    for (Figures f : figures.values()) {
      if (!f.floodDrops().isEmpty()) {
        out.append("\nDisconnects during the rounds of ")
            .append(f.client())
            .append(": ")
            .append(String.join("; ", f.floodDrops()))
            .append('\n');
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%nHeartbeat under a flood: server pingInterval 200 ms, pingTimeout %d ms, %,d events per"
                + " client (control calls of 1,000), then one echo round trip.%n%n",
            config.pingTimeoutMillis(),
            config.flood()));
    out.append("| client | result |\n|---|---|\n");
    ping.forEach(
        (client, problems) ->
            out.append("| ")
                .append(client)
                .append(" | ")
                .append(String.join("; ", problems))
                .append(" |\n"));
    return out.toString();
  }
}
