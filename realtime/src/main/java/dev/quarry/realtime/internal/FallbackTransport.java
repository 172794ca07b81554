package dev.quarry.realtime.internal;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that tries several transports in order, as socket.io-client's {@code
 * tryAllTransports}: when one ends before the server sent anything (its handshake failed: refused,
 * an HTTP error, a proxy that does not pass WebSocket upgrades), the next one is opened for the
 * same attempt. Once a transport has delivered a packet it is the connection, and its end is the
 * connection's end. When every transport fails, the listener hears the last failure, with the
 * earlier ones named in its reason.
 *
 * <p>Locking: {@link #lock} guards the current transport; the listener is never called while it is
 * held, nor is a transport opened.
 */
final class FallbackTransport implements Transport {
  private static final Logger LOG = LoggerFactory.getLogger("dev.quarry.realtime");

  private final List<Factory> factories;
  private final List<String> names;
  private final String url;
  private final Map<String, String> headers;
  private final Listener listener;
  private final Object lock = new Object();

  // guarded by lock
  private int index;
  private @Nullable Transport current;
  private boolean closed;
  private String failures = "";

  private FallbackTransport(
      List<Factory> factories,
      List<String> names,
      String url,
      Map<String, String> headers,
      Listener listener) {
    this.factories = factories;
    this.names = names;
    this.url = url;
    this.headers = headers;
    this.listener = listener;
  }

  /** A factory trying {@code factories} in order; {@code names} name them in reasons. */
  static Factory factory(List<Factory> factories, List<String> names) {
    List<Factory> f = List.copyOf(factories);
    List<String> n = List.copyOf(names);
    return (url, headers, listener) -> {
      FallbackTransport t = new FallbackTransport(f, n, url, Map.copyOf(headers), listener);
      t.openNext(0);
      return t;
    };
  }

  /** Opens transport {@code i}; without the lock. */
  private void openNext(int i) {
    Attempt attempt = new Attempt(i);
    Transport t;
    try {
      t = factories.get(i).open(url, headers, attempt);
    } catch (RuntimeException e) {
      attempt.onEnd(null, "cannot open transport: " + e, e);
      return;
    }
    boolean cancel;
    synchronized (lock) {
      cancel = closed || index != i;
      if (!cancel && current == null) {
        current = t;
      }
    }
    if (cancel) {
      t.cancel();
    }
  }

  private @Nullable Transport current() {
    synchronized (lock) {
      return current;
    }
  }

  @Override
  public boolean send(String text) {
    Transport t = current();
    return t != null && t.send(text);
  }

  @Override
  public boolean send(byte[] bytes) {
    Transport t = current();
    return t != null && t.send(bytes);
  }

  @Override
  public void close(int code, String reason) {
    Transport t;
    synchronized (lock) {
      closed = true;
      t = current;
    }
    if (t != null) {
      t.close(code, reason);
    }
  }

  @Override
  public void cancel() {
    Transport t;
    synchronized (lock) {
      closed = true;
      t = current;
    }
    if (t != null) {
      t.cancel();
    }
  }

  /** The listener of transport number {@link #i}. */
  private final class Attempt implements Listener {
    private final int i;
    private volatile boolean received;

    Attempt(int i) {
      this.i = i;
    }

    @Override
    public void onText(Transport t, String text) {
      received(t);
      listener.onText(FallbackTransport.this, text);
    }

    @Override
    public void onBinary(Transport t, byte[] bytes) {
      received(t);
      listener.onBinary(FallbackTransport.this, bytes);
    }

    /**
     * The server answered: this transport is the connection (it may answer before open returns).
     */
    private void received(Transport t) {
      if (received) {
        return;
      }
      received = true;
      synchronized (lock) {
        if (index == i && current == null) {
          current = t;
        }
      }
    }

    @Override
    public void onEnd(@Nullable Transport t, String reason, @Nullable Throwable cause) {
      boolean next;
      String all;
      synchronized (lock) {
        if (index != i) {
          return;
        }
        next = !received && !closed && i + 1 < factories.size();
        failures = failures + names.get(i) + ": " + reason + "; ";
        all = failures;
        if (next) {
          index = i + 1;
          current = null;
        }
      }
      if (next) {
        LOG.debug(
            "{} failed before the handshake ({}), trying {}",
            names.get(i),
            reason,
            names.get(i + 1));
        openNext(i + 1);
        return;
      }
      listener.onEnd(
          FallbackTransport.this,
          received || i == 0 ? reason : all.substring(0, all.length() - 2),
          cause);
    }
  }
}
