package dev.quarry.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.profile.JavaFlightRecorderProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark suite and prints one markdown report with the ratios computed in the same
 * run: {@code java -jar benchmarks/target/benchmarks.jar [--quick] [--jfr] [--out FILE] [suite...]}
 * where a suite is {@code keys}, {@code cache}, {@code fetch}, {@code dedup}, {@code fanout},
 * {@code memory} (cached entries and mutation handles), {@code realtime}, {@code replay} (the
 * realtime clients' receive path against an in-process server that writes pre-encoded frames, where
 * the Node server of {@code realtime} is the bottleneck) or {@code coldstart} (cold client JVMs
 * flooded at their first heartbeats, also with the CPU busy) (default: all, in that order).
 *
 * <p>{@code --quick} shortens everything (a smoke run, not for figures). {@code --jfr} records a
 * JFR profile of each JMH fork ({@code -prof jfr}) and of each harness JVM ({@code <Harness>.jfr}),
 * in a folder {@code jfr} next to the {@code --out} file (or in the working directory). The memory,
 * realtime and replay harnesses run in their own JVMs (the cold-start harness starts one more per
 * run). The system property {@code quarry.commit}, when set, is passed to the replay harness, which
 * prints it.
 */
public final class RunAll {
  private static final List<String> SUITES =
      List.of(
          "keys", "cache", "fetch", "dedup", "fanout", "memory", "realtime", "replay", "coldstart");

  private final boolean quick;
  private final boolean jfr;
  private final Path jfrDir;
  private final StringBuilder report = new StringBuilder();

  private RunAll(boolean quick, boolean jfr, Path jfrDir) {
    this.quick = quick;
    this.jfr = jfr;
    this.jfrDir = jfrDir;
  }

  /** Runs the suites named in {@code args} (all by default) and prints the report. */
  public static void main(String[] args) throws Exception {
    List<String> list = new ArrayList<>(Arrays.asList(args));
    boolean quick = list.remove("--quick");
    boolean jfr = list.remove("--jfr");
    Optional<Path> out = Optional.empty();
    int o = list.indexOf("--out");
    if (o >= 0 && o + 1 < list.size()) {
      out = Optional.of(Path.of(list.get(o + 1)));
      list.remove(o + 1);
      list.remove(o);
    }
    List<String> suites = list.isEmpty() ? SUITES : list;
    for (String s : suites) {
      if (!SUITES.contains(s)) {
        throw new IllegalArgumentException("unknown suite '" + s + "'; known: " + SUITES);
      }
    }
    Path jfrDir = out.map(p -> p.toAbsolutePath().resolveSibling("jfr")).orElse(Path.of("jfr"));
    RunAll run = new RunAll(quick, jfr, jfrDir);
    run.report
        .append("## Quarry benchmarks, ")
        .append(Machine.now())
        .append("\n\n")
        .append(Machine.describe())
        .append(quick ? ". QUICK RUN: smoke test only, not figures." : ".")
        .append("\n\n");
    for (String suite : suites) {
      run.runSuite(suite);
      System.out.println(run.report);
      if (out.isPresent()) {
        Files.writeString(out.get(), run.report.toString(), StandardCharsets.UTF_8);
      }
    }
  }

  private void runSuite(String suite) throws Exception {
    switch (suite) {
      case "keys" -> keys();
      case "cache" -> cache();
      case "fetch" -> fetch();
      case "dedup" -> dedup();
      case "fanout" -> fanout();
      case "memory" ->
          report
              .append(fork("dev.quarry.benchmarks.MemoryHarness", List.of()))
              .append('\n')
              .append(fork("dev.quarry.benchmarks.MutationLeakHarness", List.of()))
              .append('\n');
      case "realtime" ->
          report
              .append(
                  fork(
                      "dev.quarry.benchmarks.realtime.RealtimeHarness",
                      quick ? List.of("--quick") : List.of()))
              .append('\n');
      case "replay" -> {
        List<String> args = new ArrayList<>();
        if (quick) {
          args.add("--quick");
        }
        String commit = System.getProperty("quarry.commit");
        if (commit != null) {
          args.add("--commit");
          args.add(commit);
        }
        report.append(fork("dev.quarry.benchmarks.realtime.ReplayHarness", args)).append('\n');
      }
      case "coldstart" ->
          report
              .append(
                  fork(
                      "dev.quarry.benchmarks.realtime.ColdStartHarness",
                      quick ? List.of("--busy", "--quick") : List.of("--busy")))
              .append('\n');
      default -> throw new IllegalArgumentException(suite);
    }
  }

  // ---- JMH suites

  private Collection<RunResult> jmh(String benchmarkClass, int threads) throws RunnerException {
    return jmhRun("dev\\.quarry\\.benchmarks\\." + benchmarkClass + "\\.", threads);
  }

  private Collection<RunResult> jmhRun(String include, int threads) throws RunnerException {
    ChainedOptionsBuilder options =
        new OptionsBuilder().include(include).threads(threads).shouldFailOnError(true);
    if (quick) {
      options
          .warmupIterations(1)
          .warmupTime(TimeValue.milliseconds(300))
          .measurementIterations(2)
          .measurementTime(TimeValue.milliseconds(300));
    }
    if (jfr) {
      options.addProfiler(JavaFlightRecorderProfiler.class, "dir=" + jfrDir);
    }
    return new Runner(options.build()).run();
  }

  /**
   * Runs each method alone, in the given order and then in the reverse order, so that a load that
   * drifts during the suite weighs on every method alike; the ratios use the mean of both runs.
   */
  private List<RunResult> abba(String benchmarkClass, List<String> methods, int threads)
      throws RunnerException {
    List<RunResult> all = new ArrayList<>();
    List<String> order = new ArrayList<>(methods);
    for (int pass = 0; pass < 2; pass++) {
      for (String method : order) {
        all.addAll(
            jmhRun(
                "dev\\.quarry\\.benchmarks\\." + benchmarkClass + "\\." + method + "$", threads));
      }
      Collections.reverse(order);
    }
    return all;
  }

  private void jmhTable(String title, Map<String, Collection<RunResult>> runs, String loads) {
    report.append("### ").append(title).append(" (JMH)\n\n").append(loads).append("\n\n");
    report.append("| benchmark | params | threads | score | ± error | unit |\n");
    report.append("|---|---|---:|---:|---:|---|\n");
    for (Collection<RunResult> results : runs.values()) {
      for (RunResult r : results) {
        var p = r.getParams();
        StringBuilder params = new StringBuilder();
        for (String key : p.getParamsKeys()) {
          params
              .append(params.length() == 0 ? "" : ", ")
              .append(key)
              .append('=')
              .append(p.getParam(key));
        }
        var s = r.getPrimaryResult();
        report.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d | %s | %s | %s |%n",
                shortName(p.getBenchmark()),
                params,
                p.getThreads(),
                number(s.getScore()),
                number(s.getScoreError()),
                s.getScoreUnit()));
      }
    }
    report.append('\n');
  }

  private static String shortName(String benchmark) {
    String[] parts = benchmark.split("\\.");
    return parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    return String.format(Locale.ROOT, a >= 100 ? "%,.0f" : a >= 1 ? "%.2f" : "%.4f", v);
  }

  /** The mean score of every run of {@code method} with {@code param} ("" for any). */
  private static double score(Collection<RunResult> results, String method, String param) {
    double sum = 0;
    int n = 0;
    for (RunResult r : results) {
      var p = r.getParams();
      boolean paramMatches =
          param.isEmpty()
              || p.getParamsKeys().stream().anyMatch(k -> param.equals(k + "=" + p.getParam(k)));
      if (p.getBenchmark().endsWith("." + method) && paramMatches) {
        sum += r.getPrimaryResult().getScore();
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private String loads(String before) {
    return "Load averages (1, 5, 15 min) before: " + before + "; after: " + Machine.load() + ".";
  }

  private void keys() throws RunnerException {
    String before = Machine.load();
    Map<String, Collection<RunResult>> runs = new LinkedHashMap<>();
    runs.put("1", jmh("KeyBenchmark", 1));
    jmhTable(
        "Keys: building and hashing [\"episodes\", projectId, {page, filter}]",
        runs,
        loads(before));
  }

  private void cache() throws RunnerException {
    String before = Machine.load();
    Map<String, Collection<RunResult>> runs = new LinkedHashMap<>();
    List<String> methods = List.of("caffeineGetIfPresent", "getQueryData", "fetchQueryFreshHit");
    runs.put("1", abba("CacheReadBenchmark", methods, 1));
    runs.put("2", abba("CacheReadBenchmark", methods, 2));
    jmhTable(
        "Cache reads (each method run alone, in the order caffeine, getQueryData, fetchQuery and"
            + " then reversed; ratios from the mean of both runs)",
        runs,
        loads(before));
    report.append(
        "| keys | threads | getQueryData / Caffeine | goal >= 0.5x | fetchQuery fresh hit / Caffeine"
            + " |\n");
    report.append("|---:|---:|---:|---|---:|\n");
    for (Map.Entry<String, Collection<RunResult>> run : runs.entrySet()) {
      for (String keys : List.of("1000", "100000")) {
        String param = "keys=" + keys;
        double caffeine = score(run.getValue(), "caffeineGetIfPresent", param);
        double get = score(run.getValue(), "getQueryData", param) / caffeine;
        double fetch = score(run.getValue(), "fetchQueryFreshHit", param) / caffeine;
        report.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.2f | %s | %.3f |%n",
                keys,
                run.getKey(),
                get,
                get >= 0.5 ? "met" : "MISSED",
                fetch));
      }
    }
    report.append('\n');
  }

  private void fetch() throws RunnerException {
    String before = Machine.load();
    Map<String, Collection<RunResult>> runs = new LinkedHashMap<>();
    runs.put(
        "1",
        abba(
            "FetchBenchmark",
            List.of("rawSync", "rawAsync", "jsonHttp", "fetchQuery", "fetchQueryNoNetwork"),
            1));
    jmhTable(
        "Fetch path: GET of a 2 KB JSON document over loopback (each method run alone, in order"
            + " and then reversed; ratios from the mean of both runs)",
        runs,
        loads(before));
    Collection<RunResult> r = runs.get("1");
    double rawSync = score(r, "rawSync", "");
    double rawAsync = score(r, "rawAsync", "");
    report.append(
        "| Quarry path | vs raw sync | overhead | goal <= 10% | vs raw async | overhead |\n");
    report.append("|---|---:|---:|---|---:|---:|\n");
    for (String method : List.of("jsonHttp", "fetchQuery")) {
      double t = score(r, method, "");
      double overSync = t / rawSync - 1;
      double overAsync = t / rawAsync - 1;
      report.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2fx | %+.0f%% | %s | %.2fx | %+.0f%% |%n",
              method,
              t / rawSync,
              overSync * 100,
              overSync <= 0.10 ? "met" : "MISSED",
              t / rawAsync,
              overAsync * 100));
    }
    double noNetwork = score(r, "fetchQueryNoNetwork", "");
    report.append(
        String.format(
            Locale.ROOT,
            "%nfetchQuery without the network (an instant query function): %s µs per fetch, the"
                + " cache's own share; jsonHttp - rawAsync: %s µs; fetchQuery - jsonHttp: %s µs.%n",
            number(noNetwork),
            number(score(r, "jsonHttp", "") - rawAsync),
            number(score(r, "fetchQuery", "") - score(r, "jsonHttp", ""))));
    report.append('\n');
  }

  private void dedup() throws RunnerException {
    String before = Machine.load();
    Map<String, Collection<RunResult>> runs = new LinkedHashMap<>();
    runs.put("1", jmh("DedupBenchmark", 1));
    jmhTable(
        "Deduplication storm: 10,000 callers of one stale key (each storm checked: exactly 1"
            + " request, or the run fails)",
        runs,
        loads(before));
  }

  private void fanout() throws RunnerException {
    String before = Machine.load();
    Map<String, Collection<RunResult>> runs = new LinkedHashMap<>();
    runs.put("1", jmh("FanoutBenchmark", 1));
    jmhTable("Observer fan-out: one setQueryData until every observer has it", runs, loads(before));
    report.append("| observers | µs per setQueryData | ns per observer |\n|---:|---:|---:|\n");
    for (String n : List.of("1", "100", "10000")) {
      double us = score(runs.get("1"), "setQueryData", "observers=" + n);
      report.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s |%n",
              n,
              number(us),
              number(us * 1000 / Integer.parseInt(n))));
    }
    report.append('\n');
  }

  // ---- harnesses in their own JVM

  private String fork(String mainClass, List<String> args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms1g");
    command.add("-Xmx1g");
    if (jfr) {
      Files.createDirectories(jfrDir);
      String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
      command.add(
          "-XX:StartFlightRecording=filename="
              + jfrDir.resolve(name + ".jfr")
              + ",settings=profile");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    boolean exited = process.waitFor(30, TimeUnit.MINUTES);
    if (!exited || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new UncheckedIOException(
          new IOException(
              mainClass
                  + (exited ? " failed with exit code " + process.exitValue() : " did not finish")
                  + ":\n"
                  + output));
    }
    // -XX:StartFlightRecording announces itself on stdout: keep the report clean
    return output
        .lines()
        .filter(line -> !line.contains("[jfr,startup]"))
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
