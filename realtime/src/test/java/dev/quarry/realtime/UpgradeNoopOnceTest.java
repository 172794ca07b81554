package dev.quarry.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upgrade from HTTP long-polling to a WebSocket against a server that releases the pending
 * {@code GET} with a noop once, when the probe arrives, before it answers the probe, and leaves the
 * next {@code GET} unanswered until its next ping: what netty-socketio 2.0.13 does (the Node server
 * repeats the noop every 100 ms, so it never shows this). The peer is scripted on mockwebserver3 to
 * put that order on the wire every time; the real netty-socketio peer is in the examples' {@code
 * StudioBackendParityTest}, where this order came up now and then (12 of 290 connections in a loop
 * with both cores busy): the client's pause then waited for that {@code GET}, holding an emit back
 * until its ack timed out.
 */
class UpgradeNoopOnceTest {
  private MockWebServer server;
  private Peer peer;
  private final List<RealtimeClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    peer = new Peer();
    server = new MockWebServer();
    server.setDispatcher(peer);
    server.start();
  }

  @AfterEach
  void stop() {
    clients.forEach(RealtimeClient::close);
    peer.release();
    server.close();
  }

  @Test
  void noopBeforeTheProbesAnswer_clientPollsNoMoreUntilTheUpgrade_andAnEmitIsAcked()
      throws Exception {
    RealtimeClient c =
        RealtimeClient.create(
            RealtimeOptions.builder(server.url("/").uri())
                .transports(RealtimeTransport.POLLING, RealtimeTransport.WEBSOCKET)
                .ackTimeout(Duration.ofSeconds(5))
                .build());
    clients.add(c);
    c.connect();
    await().atMost(Duration.ofSeconds(10)).until(c::isConnected);

    // sent after the probe's noop, while the probe waits for its answer or the upgrade is under way
    await().atMost(Duration.ofSeconds(10)).until(peer.noopSent::get);
    JsonNode reply =
        c.emitWithAck("echo", JsonNode.class, Map.of("n", 1)).get(10, TimeUnit.SECONDS);

    assertThat(reply.path("n").asInt()).isEqualTo(1);
    assertThat(peer.upgraded.await(5, TimeUnit.SECONDS)).as("the client sent 5 (upgrade)").isTrue();
    assertThat(peer.getsAfterNoop.get())
        .as("GETs sent after the probe's noop, before the upgrade")
        .isZero();
    assertThat(peer.sentOnWebSocket)
        .as("the ack went back over the WebSocket, after the upgrade")
        .anyMatch(t -> t.startsWith("43"));
  }

  /**
   * An Engine.IO v4 / Socket.IO v5 peer for one session: polling first, then the WebSocket it
   * offers; acks {@code echo} with its arguments; answers the probe as described above.
   */
  private static final class Peer extends Dispatcher {
    private final Object lock = new Object();

    /** Packets for the client, taken by the next GET; moved to the WebSocket on the upgrade. */
    private final BlockingQueue<String> toPolling = new LinkedBlockingQueue<>();

    private final CountDownLatch connectReplyTaken = new CountDownLatch(1);
    private final CountDownLatch getAfterNoop = new CountDownLatch(1);
    final CountDownLatch upgraded = new CountDownLatch(1);
    final AtomicBoolean noopSent = new AtomicBoolean();
    final AtomicInteger getsAfterNoop = new AtomicInteger();
    final List<String> sentOnWebSocket = new CopyOnWriteArrayList<>();
    private volatile boolean getPending;
    private volatile WebSocket socket;

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      HttpUrl url = request.getUrl();
      if ("websocket".equals(url.queryParameter("transport"))) {
        return new MockResponse.Builder().webSocketUpgrade(new FromWebSocket()).build();
      }
      if (url.queryParameter("sid") == null) {
        return text(
            "0{\"sid\":\"s1\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                + "\"pingTimeout\":20000,\"maxPayload\":1000000}");
      }
      if ("POST".equals(request.getMethod())) {
        for (String packet : request.getBody().utf8().split("\u001e")) {
          answer(packet);
        }
        return text("ok");
      }
      if (noopSent.get()) {
        // netty-socketio answers this GET at its next ping, long after any ack timeout here
        getsAfterNoop.incrementAndGet();
        getAfterNoop.countDown();
        upgraded.await(20, TimeUnit.SECONDS);
        return text("6");
      }
      getPending = true;
      String first = toPolling.poll(20, TimeUnit.SECONDS);
      getPending = false;
      if (first == null) {
        return text("6");
      }
      StringBuilder body = new StringBuilder(first);
      for (String more; (more = toPolling.poll()) != null; ) {
        body.append('\u001e').append(more);
      }
      if (body.indexOf("40{") >= 0) {
        connectReplyTaken.countDown();
      }
      return text(body.toString());
    }

    private void answer(String packet) {
      String reply = null;
      if (packet.equals("40")) {
        reply = "40{\"sid\":\"n1\"}";
      } else if (packet.startsWith("42") && packet.contains("[\"echo\"")) {
        int bracket = packet.indexOf('[');
        String id = packet.substring(2, bracket);
        String args = packet.substring(packet.indexOf(',', bracket) + 1, packet.length() - 1);
        reply = "43" + id + "[" + args + "]";
      }
      if (reply == null) {
        return;
      }
      synchronized (lock) {
        WebSocket ws = socket;
        if (upgraded.getCount() == 0 && ws != null) {
          send(ws, reply);
        } else {
          toPolling.add(reply);
        }
      }
    }

    private final class FromWebSocket extends WebSocketListener {
      @Override
      public void onOpen(WebSocket ws, Response response) {
        socket = ws;
      }

      @Override
      public void onClosing(WebSocket ws, int code, String reason) {
        ws.close(1000, null);
      }

      @Override
      public void onMessage(WebSocket ws, String text) {
        if (text.equals("2probe")) {
          try {
            // once the client is connected and polls again, release that GET with a noop, let
            // the client act on it, and only then answer the probe
            connectReplyTaken.await(5, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> getPending);
            noopSent.set(true);
            toPolling.add("6");
            getAfterNoop.await(500, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          send(ws, "3probe");
        } else if (text.equals("5")) {
          synchronized (lock) {
            upgraded.countDown();
            for (String p; (p = toPolling.poll()) != null; ) {
              send(ws, p);
            }
          }
        } else {
          answer(text);
        }
      }
    }

    /** Answers every GET the peer holds, so that the server can stop. */
    void release() {
      upgraded.countDown();
      toPolling.add("6");
      toPolling.add("6");
    }

    private void send(WebSocket ws, String text) {
      sentOnWebSocket.add(text);
      ws.send(text);
    }

    private static MockResponse text(String body) {
      return new MockResponse.Builder()
          .addHeader("Content-Type", "text/plain; charset=UTF-8")
          .body(body)
          .build();
    }
  }
}
