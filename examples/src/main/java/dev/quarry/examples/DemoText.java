package dev.quarry.examples;

import dev.quarry.core.http.HttpStatusException;
import dev.quarry.examples.studio.Episode;
import dev.quarry.examples.studio.Page;
import dev.quarry.realtime.ConnectionEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** How the demo words things, and its bounded wait on a future. */
final class DemoText {
  static final Duration WAIT = Duration.ofSeconds(15);

  private DemoText() {}

  static Optional<String> describe(ConnectionEvent e) {
    if (e instanceof ConnectionEvent.Connected c) {
      return Optional.of(
          (c.reconnect() ? "reconnected" : "connected")
              + ": session "
              + c.sessionId()
              + ", recovered="
              + c.recovered());
    }
    if (e instanceof ConnectionEvent.Reconnecting r) {
      return Optional.of(
          "connection lost ("
              + r.detail()
              + "); reconnect attempt "
              + r.attempt()
              + " in "
              + r.delay().toMillis()
              + " ms");
    }
    if (e instanceof ConnectionEvent.Disconnected d) {
      return Optional.of("disconnected: " + d.detail());
    }
    return Optional.empty();
  }

  static String reason(Throwable error) {
    if (error instanceof HttpStatusException s) {
      String body = s.bodyExcerpt();
      int at = body.indexOf("\"error\":\"");
      String message =
          at < 0 ? body : body.substring(at + 9, Math.max(at + 9, body.indexOf('"', at + 9)));
      return "HTTP " + s.status() + " " + message;
    }
    return String.valueOf(error);
  }

  static String size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) + " bytes on disk" : "not on disk";
    } catch (java.io.IOException e) {
      return "size unknown";
    }
  }

  static String render(Page<Episode> page) {
    return page.docs().stream()
        .map(e -> e.number() + " " + e.title() + (e.isDraft() ? " (saving...)" : ""))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  static long ms(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }

  static <T> T get(CompletableFuture<T> future, String what) {
    try {
      return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new DemoException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new DemoException(what + " did not complete within " + WAIT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoException("interrupted while waiting for " + what);
    }
  }
}
