package dev.quarry.examples.backend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/drafts/{executionId}}: an agent's draft streamed token by token as server-sent
 * events ({@code id} = the token's index from 1, {@code data} = a {@link
 * dev.quarry.examples.studio.DraftToken}), one token per step on the backend's scheduler, after a
 * {@code retry: 300} field. A request with {@code Last-Event-ID: n} continues at token {@code n +
 * 1}. The fault switch {@link #cutNextAfter(int)} makes the next stream break after some tokens:
 * that response promises more bytes than it sends, so the client sees the connection drop mid-way,
 * not a clean end.
 *
 * <p>Thread-safe.
 */
public final class DraftStream implements HttpHandler {
  /** The draft every execution streams. */
  public static final List<String> DRAFT =
      List.of(
          "INT.",
          " STUDIO",
          " -",
          " NIGHT.",
          " Ada",
          " reads",
          " the",
          " outline",
          " aloud,",
          " and",
          " the",
          " room",
          " goes",
          " quiet.");

  private final ScheduledExecutorService scheduler;
  private final Duration step;
  private final AtomicInteger cutAfter = new AtomicInteger(-1);
  private final AtomicInteger streams = new AtomicInteger();

  DraftStream(ScheduledExecutorService scheduler, Duration step) {
    this.scheduler = scheduler;
    this.step = step;
  }

  /** The next stream breaks after {@code tokens} tokens (once). */
  public void cutNextAfter(int tokens) {
    if (tokens < 0) {
      throw new IllegalArgumentException("tokens must be >= 0: " + tokens);
    }
    cutAfter.set(tokens);
  }

  /** How many streams were opened (reconnections included). */
  public int streams() {
    return streams.get();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("GET")) {
      exchange.sendResponseHeaders(405, -1);
      exchange.close();
      return;
    }
    streams.incrementAndGet();
    int start = 0;
    String lastId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    if (lastId != null) {
      try {
        start = Math.max(0, Math.min(DRAFT.size(), Integer.parseInt(lastId.trim())));
      } catch (NumberFormatException e) {
        exchange.sendResponseHeaders(400, -1);
        exchange.close();
        return;
      }
    }
    int cut = cutAfter.getAndSet(-1);
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    // A cut stream promises far more bytes than it will send; a normal one is chunked.
    exchange.sendResponseHeaders(200, cut >= 0 ? 1L << 40 : 0);
    OutputStream out = exchange.getResponseBody();
    out.write("retry: 300\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    next(exchange, out, start, cut < 0 ? Integer.MAX_VALUE : start + cut);
  }

  private void next(HttpExchange exchange, OutputStream out, int index, int cutAt) {
    scheduler.schedule(
        () -> {
          try {
            if (index >= DRAFT.size() || index >= cutAt) {
              exchange.close(); // a clean end, or a broken one for a cut stream
              return;
            }
            String text = DRAFT.get(index).replace("\\", "\\\\").replace("\"", "\\\"");
            int id = index + 1;
            String event =
                "id: " + id + "\ndata: {\"index\":" + id + ",\"text\":\"" + text + "\"}\n\n";
            out.write(event.getBytes(StandardCharsets.UTF_8));
            out.flush();
            next(exchange, out, index + 1, cutAt);
          } catch (IOException | RuntimeException e) {
            exchange.close(); // the client left
          }
        },
        step.toMillis(),
        TimeUnit.MILLISECONDS);
  }
}
