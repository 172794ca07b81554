package dev.quarry.realtime.internal;

import dev.quarry.realtime.ProtocolException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Interceptor;
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

  private static final String EXTENSIONS = "Sec-WebSocket-Extensions";

  /**
   * Takes the {@code permessage-deflate} offer OkHttp adds to every WebSocket handshake off the
   * request, and any extension a server agrees to anyway off the response: OkHttp then treats a
   * compressed frame as a protocol error instead of inflating it without limit. OkHttp refuses the
   * header on the request itself and runs no network interceptor for WebSocket calls; an
   * application interceptor sees the request after OkHttp added the header and the response before
   * OkHttp reads its extensions.
   */
  private static final Interceptor NO_COMPRESSION =
      chain -> {
        Request request = chain.request();
        if (request.header(EXTENSIONS) == null) {
          return chain.proceed(request);
        }
        Response response = chain.proceed(request.newBuilder().removeHeader(EXTENSIONS).build());
        if (response.header(EXTENSIONS) == null) {
          return response;
        }
        return response.newBuilder().removeHeader(EXTENSIONS).build();
      };

  /**
   * A factory opening WebSockets with {@code client}; without {@code compression} the handshake
   * offers no extension and a compressed frame fails the connection.
   */
  static Factory factory(OkHttpClient shared, boolean compression) {
    OkHttpClient client =
        compression ? shared : shared.newBuilder().addInterceptor(NO_COMPRESSION).build();
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
    if (response == null && t instanceof java.net.ProtocolException) {
      // A frame OkHttp's reader refused (a compressed frame while compression is off, a reserved
      // bit, a control frame too long): the server broke the WebSocket protocol.
      end(
          "protocol error",
          new ProtocolException("invalid WebSocket frame from the server: " + t.getMessage(), t));
      return;
    }
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
