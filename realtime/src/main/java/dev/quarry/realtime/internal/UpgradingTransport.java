package dev.quarry.realtime.internal;

import dev.quarry.core.Cancellable;
import dev.quarry.core.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that opens with HTTP long-polling and moves to a WebSocket, as Engine.IO
 * clients upgrade: once the open packet offers {@code websocket}, it opens a WebSocket with the
 * session's {@code sid}, sends the probe {@code 2probe} and waits for {@code 3probe}; then it
 * pauses polling (the current {@code GET} is answered, the server releases it with a noop, and the
 * queued {@code POST}s are sent), sends {@code 5} (upgrade) on the WebSocket and goes on there,
 * flushing in order what was sent during the pause. A probe that fails or times out leaves the
 * session on polling. The listener sees one transport throughout: packets in order, from the
 * polling thread until the upgrade and from the WebSocket's reader after it.
 *
 * <p>Locking: {@link #lock} guards the phase, the current transport and the packets held during the
 * pause; it is taken before the inner transports' own locks and never held while the listener runs.
 */
final class UpgradingTransport implements Transport {
  /** How long the server has to answer the probe; engine.io's own upgrade timeout is 10 s. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger("dev.quarry.realtime");

  /** The Engine.IO noop packet, which a server sends on polling to release a {@code GET}. */
  private static final String NOOP = "6";

  /** Opens the polling transport the session starts on. */
  interface Polls {
    PollingTransport open(String url, Map<String, String> headers, Listener listener);
  }

  private enum Phase {
    POLLING,
    PROBING,
    PAUSING,
    UPGRADED,
    CLOSED
  }

  private final Listener listener;
  private final Factory websockets;
  private final Scheduler scheduler;
  private final String url;
  private final Map<String, String> headers;
  private final Object lock = new Object();

  // guarded by lock
  private Phase phase = Phase.POLLING;
  private @Nullable PollingTransport polling;
  private @Nullable Transport probe;
  private @Nullable Cancellable probeTimer;
  private final List<Object> held = new ArrayList<>();
  private long heldBytes;
  private boolean upgradeTried;
  private @Nullable String failure;

  private UpgradingTransport(
      Listener listener,
      Factory websockets,
      Scheduler scheduler,
      String url,
      Map<String, String> headers) {
    this.listener = listener;
    this.websockets = websockets;
    this.scheduler = scheduler;
    this.url = url;
    this.headers = headers;
  }

  /**
   * A factory of upgrading transports: polling from {@code polling}, WebSockets from {@code
   * websockets}, the probe timeout on {@code scheduler}.
   */
  static Factory factory(Polls polling, Factory websockets, Scheduler scheduler) {
    return (url, headers, listener) -> {
      UpgradingTransport t =
          new UpgradingTransport(listener, websockets, scheduler, url, Map.copyOf(headers));
      PollingTransport p = polling.open(url, headers, t.new FromPolling());
      boolean closed;
      synchronized (t.lock) {
        t.polling = p;
        closed = t.phase == Phase.CLOSED;
      }
      if (closed) {
        p.cancel();
      }
      return t;
    };
  }

  // ---------------------------------------------------------------- sending

  @Override
  public boolean send(String text) {
    return send(text, PacketCodec.utf8Length(text));
  }

  @Override
  public boolean send(byte[] bytes) {
    return send(bytes, bytes.length);
  }

  private boolean send(Object packet, long size) {
    Transport target;
    synchronized (lock) {
      switch (phase) {
        case CLOSED -> {
          return false;
        }
        case PAUSING -> {
          if (heldBytes + size > PollingTransport.MAX_QUEUED_BYTES) {
            failLocked("send queue full during the upgrade to WebSocket");
            return false;
          }
          held.add(packet);
          heldBytes += size;
          return true;
        }
        case UPGRADED -> target = probe;
        default -> target = polling;
      }
      if (target == null) {
        return false;
      }
      // Under the lock, so that a packet sent while the upgrade completes keeps its place.
      return packet instanceof String s ? target.send(s) : target.send((byte[]) packet);
    }
  }

  // ---------------------------------------------------------------- closing

  @Override
  public void close(int code, String reason) {
    synchronized (lock) {
      if (phase == Phase.CLOSED) {
        return;
      }
      Phase was = phase;
      phase = Phase.CLOSED;
      cancelProbeTimer();
      PollingTransport p = polling;
      Transport ws = probe;
      if (was == Phase.UPGRADED && ws != null) {
        ws.close(code, reason);
        return;
      }
      if (ws != null) {
        ws.cancel();
      }
      if (p != null) {
        p.resume();
        flushHeldTo(p);
        p.close(code, reason);
      }
    }
  }

  @Override
  public void cancel() {
    synchronized (lock) {
      phase = Phase.CLOSED;
      cancelProbeTimer();
      held.clear();
      heldBytes = 0;
      PollingTransport p = polling;
      Transport ws = probe;
      if (p != null) {
        p.cancel();
      }
      if (ws != null) {
        ws.cancel();
      }
    }
  }

  /** Fails both transports; the listener hears of it when the first reports its end. */
  private void failLocked(String reason) {
    failure = reason;
    phase = Phase.CLOSED;
    cancelProbeTimer();
    held.clear();
    heldBytes = 0;
    PollingTransport p = polling;
    Transport ws = probe;
    if (p != null) {
      p.cancel();
    }
    if (ws != null) {
      ws.cancel();
    }
    scheduler.schedule(Duration.ZERO, () -> listener.onEnd(this, reason, null));
  }

  private void cancelProbeTimer() {
    Cancellable t = probeTimer;
    if (t != null) {
      t.cancel();
      probeTimer = null;
    }
  }

  // ---------------------------------------------------------------- the upgrade

  /** After the open packet: probes a WebSocket if the server offers one; on the polling thread. */
  private void maybeProbe(PollingTransport p) {
    synchronized (lock) {
      if (polling == null) {
        // the open packet came before the factory returned
        polling = p;
      }
      if (phase != Phase.POLLING || upgradeTried || polling != p) {
        return;
      }
      upgradeTried = true;
    }
    PollingTransport.Handshake h = p.handshake();
    if (h == null || !h.upgrades().contains("websocket")) {
      return;
    }
    String wsUrl =
        HttpUrl.get(url)
            .newBuilder()
            .setQueryParameter("transport", "websocket")
            .setQueryParameter("sid", h.sid())
            .build()
            .toString();
    Transport ws;
    try {
      ws = websockets.open(wsUrl, headers, new FromWebSocket());
    } catch (RuntimeException e) {
      LOG.debug("WebSocket probe could not start, staying on polling: {}", e.toString());
      return;
    }
    synchronized (lock) {
      if (phase != Phase.POLLING) {
        ws.cancel();
        return;
      }
      phase = Phase.PROBING;
      probe = ws;
      ws.send("2probe");
      probeTimer = scheduler.schedule(PROBE_TIMEOUT, () -> probeFailed(ws, "probe timeout"));
    }
  }

  /**
   * A noop on polling while the probe waits for its answer: the server released the current {@code
   * GET} for the upgrade. The next {@code GET} is held back until the probe ends (the pause then
   * completes at once; a failed probe resumes polling): a server that sends this noop once would
   * leave a new {@code GET} unanswered until its next ping, and the upgrade (with what is sent
   * meanwhile) waiting for it. On the polling thread, before it polls again.
   */
  private void noopWhileProbing(PollingTransport p) {
    synchronized (lock) {
      if (phase == Phase.PROBING && polling == p) {
        p.holdPolls();
      }
    }
  }

  /** The probe was answered: pause polling, then upgrade; on the WebSocket's reader thread. */
  private void probeAnswered(Transport ws) {
    PollingTransport p;
    synchronized (lock) {
      if (phase != Phase.PROBING || probe != ws) {
        return;
      }
      cancelProbeTimer();
      phase = Phase.PAUSING;
      p = polling;
    }
    if (p != null) {
      p.pause(() -> upgrade(p, ws));
    }
  }

  /** Polling is paused and drained: send the upgrade packet and move to the WebSocket. */
  private void upgrade(PollingTransport p, Transport ws) {
    synchronized (lock) {
      if (phase != Phase.PAUSING || probe != ws) {
        return;
      }
      phase = Phase.UPGRADED;
      ws.send("5");
      flushHeldTo(ws);
      p.discard();
    }
    LOG.debug("upgraded to WebSocket");
  }

  private void flushHeldTo(Transport t) {
    for (Object o : held) {
      if (o instanceof String s) {
        t.send(s);
      } else {
        t.send((byte[]) o);
      }
    }
    held.clear();
    heldBytes = 0;
  }

  /** The probe failed before the upgrade: stay on polling. */
  private void probeFailed(Transport ws, String why) {
    synchronized (lock) {
      if (probe != ws || (phase != Phase.PROBING && phase != Phase.PAUSING)) {
        return;
      }
      cancelProbeTimer();
      Phase was = phase;
      phase = Phase.POLLING;
      probe = null;
      ws.cancel();
      PollingTransport p = polling;
      if (p != null) {
        // polls again, whether paused or held back by a noop while probing
        p.resume();
        if (was == Phase.PAUSING) {
          flushHeldTo(p);
        }
      }
    }
    LOG.debug("WebSocket probe failed, staying on polling: {}", why);
  }

  // ---------------------------------------------------------------- inner listeners

  /** What the polling transport delivers; on its loop thread. */
  private final class FromPolling implements Listener {
    private boolean opened;

    @Override
    public void onText(Transport t, String text) {
      listener.onText(UpgradingTransport.this, text);
      if (!opened && t instanceof PollingTransport p) {
        opened = true;
        maybeProbe(p);
      } else if (text.equals(NOOP) && t instanceof PollingTransport p) {
        noopWhileProbing(p);
      }
    }

    @Override
    public void onBinary(Transport t, byte[] bytes) {
      listener.onBinary(UpgradingTransport.this, bytes);
    }

    @Override
    public void onEnd(Transport t, String reason, @Nullable Throwable cause) {
      Transport ws;
      synchronized (lock) {
        if (phase == Phase.UPGRADED || failure != null) {
          return;
        }
        phase = Phase.CLOSED;
        cancelProbeTimer();
        ws = probe;
      }
      if (ws != null) {
        ws.cancel();
      }
      listener.onEnd(UpgradingTransport.this, reason, cause);
    }
  }

  /** What the WebSocket delivers; on its reader thread. */
  private final class FromWebSocket implements Listener {
    @Override
    public void onText(Transport t, String text) {
      boolean deliver;
      synchronized (lock) {
        deliver = phase == Phase.UPGRADED && probe == t;
      }
      if (deliver) {
        listener.onText(UpgradingTransport.this, text);
      } else if (text.equals("3probe")) {
        probeAnswered(t);
      } else {
        probeFailed(t, "unexpected answer to the probe: " + PacketCodec.quote(text));
      }
    }

    @Override
    public void onBinary(Transport t, byte[] bytes) {
      boolean deliver;
      synchronized (lock) {
        deliver = phase == Phase.UPGRADED && probe == t;
      }
      if (deliver) {
        listener.onBinary(UpgradingTransport.this, bytes);
      } else {
        probeFailed(t, "binary frame before the upgrade");
      }
    }

    @Override
    public void onEnd(Transport t, String reason, @Nullable Throwable cause) {
      boolean forward;
      synchronized (lock) {
        forward = phase == Phase.UPGRADED && probe == t && failure == null;
        if (forward) {
          phase = Phase.CLOSED;
        }
      }
      if (forward) {
        listener.onEnd(UpgradingTransport.this, reason, cause);
      } else {
        probeFailed(t, reason);
      }
    }
  }
}
