package dev.quarry.examples;

import dev.quarry.Quarry;
import dev.quarry.QuarryBuilder;
import dev.quarry.core.Backoff;
import dev.quarry.core.ErrorHandler;
import dev.quarry.examples.backend.StudioBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The studio demo: starts the embedded studio backend (or uses a real one), builds a {@link Quarry}
 * on it and narrates, step by step, what the SDK does: cached and deduplicated loads, an optimistic
 * create, a refused create rolled back, an agent execution followed live with a progress bar, a
 * dropped realtime connection and the refetch after the gap, an offline change sent when back
 * online, and the inspector's table.
 *
 * <pre>
 * mvn -q -pl examples -am package -Dmaven.test.skip=true -Dquarry.skipNpm=true -Pdemo
 * mvn -q -pl examples exec:java -Dexec.args="--base-url https://studio.example/api/ --ws-url https://studio.example"
 * </pre>
 *
 * <p>Exit status 0 when every step completed, 1 when one failed (its reason is printed, without a
 * stack trace), 2 for bad arguments. Every thread it started is stopped before it returns.
 */
public final class StudioDemo {
  static final String USAGE =
      """
      usage: StudioDemo [--base-url URL] [--ws-url URL]
        without options the demo starts an embedded studio backend on 127.0.0.1
        --base-url  the studio REST API (e.g. https://studio.example/api/)
        --ws-url    its socket.io server (e.g. https://studio.example)""";

  private StudioDemo() {}

  /** Runs the demo on standard output; exits with a non-zero status only on failure. */
  // On JDK 17 a null console means "not a terminal"; JDK 22+ would need Console.isTerminal().
  @SuppressWarnings("SystemConsoleNull")
  public static void main(String[] args) {
    int status = run(args, System.out, System.console() != null);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs the demo, writing the narration to {@code out}.
   *
   * @param terminal whether {@code out} is a terminal (the progress bar is redrawn in place)
   * @return the exit status: 0 done, 1 a step failed, 2 bad arguments
   */
  public static int run(String[] args, PrintStream out, boolean terminal) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      out.println(USAGE);
      return 2;
    }
    if (options.help()) {
      out.println(USAGE);
      return 0;
    }
    Narrator n = new Narrator(out, terminal);
    n.title("Quarry studio demo");
    StudioBackend backend = null;
    Quarry quarry = null;
    Path dir = null;
    try {
      URI baseUrl;
      Optional<URI> wsUrl;
      if (options.baseUrl() == null) {
        backend =
            StudioBackend.builder()
                .latency(Duration.ofMillis(150))
                .agentStep(Duration.ofMillis(250))
                .start();
        baseUrl = backend.baseUrl();
        wsUrl = Optional.of(backend.socketUrl());
        n.say("embedded studio backend: REST " + baseUrl + ", socket.io " + wsUrl.get());
        n.say("(150 ms latency on every response, so that caching and deduplication show)");
      } else {
        baseUrl = options.baseUrl();
        wsUrl = Optional.ofNullable(options.wsUrl());
        n.say(
            "studio backend: REST "
                + baseUrl
                + ", socket.io "
                + wsUrl.map(URI::toString).orElse("none"));
      }
      dir = Files.createTempDirectory("quarry-demo-");
      QuarryBuilder builder =
          Quarry.builder()
              .baseUrl(baseUrl.toString())
              .queryDefaults(
                  d -> d.staleTime(Duration.ofMinutes(5)).gcTime(Duration.ofMinutes(30)).retry(3))
              .persistence(dir)
              .errorHandler(quietErrors(n));
      wsUrl.ifPresent(
          ws ->
              builder
                  .realtime(
                      ws,
                      r ->
                          r.reconnectBackoff(Backoff.fixed(Duration.ofMillis(600)))
                              // an attempt the server accepts but never answers is retried soon
                              .connectTimeout(Duration.ofSeconds(5)))
                  // connected by the demo once its listeners are in place
                  .connectRealtime(false));
      quarry = builder.build();
      n.say("Quarry built: staleTime 5 min, gcTime 30 min, retry 3, outbox in " + dir);
      new DemoSteps(quarry, Optional.ofNullable(backend), dir, n).run();
      return 0;
    } catch (DemoException e) {
      n.say("DEMO FAILED: " + e.getMessage());
      return 1;
    } catch (IOException | RuntimeException e) {
      n.say("DEMO FAILED: " + e);
      return 1;
    } finally {
      if (quarry != null) {
        quarry.close();
      }
      if (backend != null) {
        backend.close();
      }
      if (dir != null) {
        deleteQuietly(dir);
      }
    }
  }

  /** Reports errors as one line each, not as stack traces: the demo provokes some on purpose. */
  private static ErrorHandler quietErrors(Narrator n) {
    return (context, error) -> n.from("error handler", context + ": " + error);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  /** The command line. */
  record Options(@Nullable URI baseUrl, @Nullable URI wsUrl, boolean help) {
    static Options parse(String[] args) {
      URI base = null;
      URI ws = null;
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--help", "-h" -> help = true;
          case "--base-url" -> base = uri(a, value(args, i++));
          case "--ws-url" -> ws = uri(a, value(args, i++));
          default -> throw new IllegalArgumentException("unknown option: " + a);
        }
      }
      if (ws != null && base == null) {
        throw new IllegalArgumentException("--ws-url needs --base-url too");
      }
      return new Options(base, ws, help);
    }

    private static String value(String[] args, int i) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      return args[i + 1];
    }

    private static URI uri(String option, String value) {
      try {
        URI u = URI.create(value);
        if (u.getScheme() == null || u.getHost() == null) {
          throw new IllegalArgumentException(option + " must be an absolute URL, got " + value);
        }
        return u;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(option + " must be an absolute URL, got " + value, e);
      }
    }
  }
}
