package dev.quarry.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP/1.1 server (the JDK's {@code com.sun.net.httpserver}) that answers every GET with
 * the same JSON document, counts requests and can hold responses until a gate opens. It records
 * nothing else, so millions of requests cost no memory.
 */
public final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] body;
  private final AtomicLong requests = new AtomicLong();
  private volatile CountDownLatch gate = new CountDownLatch(0);

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
    // delayed ACK: 40 ms per request. Read once, when the server's configuration class loads.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private LoopbackServer(byte[] body) throws IOException {
    this.body = body;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "loopback-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a server answering with {@code document} written as JSON. */
  public static LoopbackServer start(Object document) {
    try {
      return new LoopbackServer(new ObjectMapper().writeValueAsBytes(document));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("document cannot be written as JSON", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      exchange.getRequestBody().readAllBytes();
      try {
        if (!gate.await(60, TimeUnit.SECONDS)) {
          exchange.sendResponseHeaders(504, -1);
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The base URL, ending with a slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** The size of the document in bytes. */
  public int bodyBytes() {
    return body.length;
  }

  /** Requests received so far. */
  public long requests() {
    return requests.get();
  }

  /** From now on, responses wait until {@code latch} opens (60 s at most). */
  public void holdUntil(CountDownLatch latch) {
    gate = latch;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
