package dev.quarry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.core.Backoff;
import dev.quarry.realtime.ConnectionState;
import dev.quarry.realtime.RealtimeClient;
import dev.quarry.realtime.RealtimeException;
import dev.quarry.realtime.RealtimeOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A fake Engine.IO server (mockwebserver3 WebSocket upgrades) that, on each connection, completes
 * the handshake and then sends seeded random and mutated frames to a real {@link RealtimeClient}:
 * the client must report malformed frames as typed errors, reconnect, keep its threads alive (no
 * uncaught exception on any thread) and still deliver events on the last, clean connection.
 */
class RealtimeClientFuzzTest {
  private static final long SEED = 0xC11E_27L;
  private static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 300);

  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final AtomicInteger framesSent = new AtomicInteger();

  /** One server-side connection: handshake, then its fuzz frames, then a marker event. */
  private final class FuzzConnection extends WebSocketListener {
    private final int index;
    private final List<Object> frames; // String or ByteString
    private final java.util.concurrent.atomic.AtomicBoolean connected =
        new java.util.concurrent.atomic.AtomicBoolean();

    FuzzConnection(int index, List<Object> frames) {
      this.index = index;
      this.frames = frames;
    }

    @Override
    public void onOpen(WebSocket ws, okhttp3.Response response) {
      ws.send(
          "0{\"sid\":\"e"
              + index
              + "\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
              + "\"maxPayload\":1000000}");
    }

    @Override
    public void onClosing(WebSocket ws, int code, String reason) {
      ws.close(1000, null);
    }

    @Override
    public void onMessage(WebSocket ws, String text) {
      // Only the first CONNECT gets a reply: a fuzzed open packet makes the client send another.
      if (!text.startsWith("40") || !connected.compareAndSet(false, true)) {
        return;
      }
      ws.send("40{\"sid\":\"s" + index + "\"}");
      for (Object f : frames) {
        if (f instanceof String s) {
          ws.send(s);
        } else {
          ws.send((ByteString) f);
        }
        framesSent.incrementAndGet();
      }
      ws.send("42[\"marker\",{\"conn\":" + index + "}]");
      if (index < CONNECTIONS) {
        ws.close(1000, "next connection"); // the client reconnects to the next one
      }
    }
  }

  @Test
  void realClient_fedRandomAndMutatedFrames_reportsTypedErrors_reconnects_andKeepsWorking()
      throws Exception {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    Random random = new Random(SEED);
    RandomJson json = new RandomJson(random);
    List<List<Object>> plan = new ArrayList<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      List<Object> frames = new ArrayList<>();
      int n = 1 + random.nextInt(4);
      while (frames.size() < n) {
        List<String> texts = new ArrayList<>();
        List<Integer> attachments = new ArrayList<>();
        FrameFuzzTest.validFrame(json, texts, attachments);
        String text = random.nextInt(3) > 0 ? json.mutate(texts.get(0)) : texts.get(0);
        frames.add(text);
        int send = random.nextInt(4) == 0 ? random.nextInt(3) : attachments.get(0);
        for (int b = 0; b < send; b++) {
          byte[] bytes = new byte[random.nextInt(32)];
          random.nextBytes(bytes);
          frames.add(ByteString.of(bytes));
        }
      }
      plan.add(frames);
    }
    AtomicInteger connections = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Integer> markers = new CopyOnWriteArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.setServerSocketFactory(NoDelayServerSockets.INSTANCE);
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              int k = connections.getAndIncrement();
              List<Object> frames = k < CONNECTIONS ? plan.get(k) : List.of();
              return new MockResponse.Builder()
                  .webSocketUpgrade(new FuzzConnection(k, frames))
                  .build();
            }
          });
      server.start();
      RealtimeClient client =
          RealtimeClient.create(
              RealtimeOptions.builder(URI.create(server.url("/").toString()))
                  .reconnectBackoff(Backoff.fixed(Duration.ofMillis(1)))
                  .reconnectAfterConnectError(true)
                  .reconnectAfterServerDisconnect(true)
                  .connectTimeout(Duration.ofSeconds(2))
                  .errorHandler((context, e) -> errors.add(e))
                  .build());
      try {
        client.on("marker", JsonNode.class, m -> markers.add(m.get("conn").asInt()));
        List<Object> events = new CopyOnWriteArrayList<>();
        client.onConnectionEvent(e -> events.add(System.nanoTime() / 1_000_000 + " " + e));
        client.connect();
        try {
          await()
              .atMost(Duration.ofSeconds(Integer.getInteger("fuzz.wait", 90)))
              .until(() -> markers.contains(CONNECTIONS) || markers.contains(CONNECTIONS + 1));
        } catch (Throwable t) {
          System.out.println(
              "client fuzz diagnostics: state "
                  + client.state()
                  + " connections "
                  + connections.get()
                  + " markers "
                  + markers.size()
                  + " errors "
                  + errors.size());
          synchronized (events) {
            events.stream()
                .skip(Math.max(0, events.size() - 15))
                .forEach(e -> System.out.println("client fuzz diagnostics: " + e));
          }
          int k = connections.get() - 1;
          if (k >= 0 && k < CONNECTIONS)
            System.out.println("client fuzz diagnostics: last plan " + plan.get(k));
          throw t;
        }
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED);
      } finally {
        client.close();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  Thread.getAllStackTraces().keySet().stream()
                      .noneMatch(t -> t.isAlive() && t.getName().startsWith("quarry-realtime")));
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }

    Map<String, Integer> byType = new TreeMap<>();
    List<Throwable> untyped = new ArrayList<>();
    for (Throwable e : List.copyOf(errors)) {
      byType.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      if (!(e instanceof RealtimeException)) {
        untyped.add(e);
      }
    }
    FaultTally tally = new FaultTally("Malformed frames into a live RealtimeClient (fake server)");
    tally.injected(framesSent.get());
    tally.survived(untyped.isEmpty() && uncaught.isEmpty() ? framesSent.get() : 0);
    for (Throwable e : untyped) {
      tally.lost(1, "untyped error " + e);
    }
    for (Throwable e : List.copyOf(uncaught)) {
      tally.lost(1, "uncaught on a thread: " + e);
    }
    tally.print(
        "seed "
            + Long.toHexString(SEED)
            + ": "
            + framesSent.get()
            + " frames over "
            + connections.get()
            + " connections; errors reported "
            + byType
            + "; markers delivered on "
            + markers.size()
            + " connections; client connected at the end, no quarry-realtime thread left after close");
    assertThat(uncaught).as("exceptions that escaped to a thread").isEmpty();
    assertThat(untyped).as("errors reported that are not RealtimeExceptions").isEmpty();
    assertThat(byType).containsKey("ProtocolException");
  }
}
