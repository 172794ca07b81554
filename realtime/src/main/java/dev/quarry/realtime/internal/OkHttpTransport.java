package dev.quarry.realtime.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/** A {@link Transport} on an OkHttp {@link WebSocket}. */
final class OkHttpTransport extends WebSocketListener implements Transport {
  private final Listener listener;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile @Nullable WebSocket ws;

  private OkHttpTransport(Listener listener) {
    this.listener = listener;
  }

  /** A factory opening WebSockets with {@code client}. */
  static Factory factory(OkHttpClient client) {
    return (url, headers, listener) -> {
      OkHttpTransport t = new OkHttpTransport(listener);
      Request.Builder rb = new Request.Builder().url(url);
      for (Map.Entry<String, String> h : headers.entrySet()) {
        rb.header(h.getKey(), h.getValue());
      }
      WebSocket socket = client.newWebSocket(rb.build(), t);
      if (t.ws == null) {
        t.ws = socket;
      }
      return t;
    };
  }

  private @Nullable WebSocket socket() {
    return ws;
  }

  @Override
  public boolean send(String text) {
    WebSocket s = socket();
    return s != null && s.send(text);
  }

  @Override
  public boolean send(byte[] bytes) {
    WebSocket s = socket();
    return s != null && s.send(ByteString.of(bytes));
  }

  @Override
  public void close(int code, String reason) {
    WebSocket s = socket();
    if (s != null) {
      s.close(code, reason);
    }
  }

  @Override
  public void cancel() {
    WebSocket s = socket();
    if (s != null) {
      s.cancel();
    }
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    ws = webSocket;
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    ws = webSocket;
    listener.onText(this, text);
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteString bytes) {
    ws = webSocket;
    listener.onBinary(this, bytes.toByteArray());
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    webSocket.close(1000, null);
    end("transport close (code " + code + (reason.isEmpty() ? "" : ", " + reason) + ")", null);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    end("transport close (code " + code + ")", null);
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable t, @Nullable Response response) {
    String what =
        response == null
            ? "transport error: " + t
            : "transport error: HTTP " + response.code() + " " + response.message();
    if (response != null) {
      response.close();
    }
    end(what, t);
  }

  private void end(String reason, @Nullable Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      listener.onEnd(this, reason, cause);
    }
  }
}
