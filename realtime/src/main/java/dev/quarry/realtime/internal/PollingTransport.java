package dev.quarry.realtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.realtime.MessageTooLargeException;
import dev.quarry.realtime.ProtocolException;
import dev.quarry.realtime.RealtimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * An Engine.IO v4 HTTP long-polling {@link Transport} on OkHttp.
 *
 * <p>One daemon thread per transport runs the {@code GET} loop: the first {@code GET} (without
 * {@code sid}) is the handshake, whose answer carries the open packet; every later one waits for
 * packets. Each response is read as a stream, split at the record separator {@code 0x1e}, and each
 * packet is handed to the listener in order on that thread as soon as it is read; a packet longer
 * than the limit fails the transport with a {@link MessageTooLargeException} before it is read
 * whole. Packets to send are queued (bounded) and sent by {@code POST}s, one at a time, several
 * packets per {@code POST} up to the server's {@code maxPayload}; binary packets travel as {@code
 * b} plus base64.
 *
 * <p>{@link #pause(Runnable)} lets an upgrade stop the loop after the current {@code GET} and wait
 * for the {@code POST}s to drain; {@link #holdPolls()} stops it after the current {@code GET}
 * without waiting; {@link #resume()} starts it again and {@link #discard()} ends it without telling
 * the server (the session has moved to another transport).
 *
 * <p>Locking: {@link #lock} guards the state, the queue and the calls; the listener is never called
 * while it is held. {@link Transport.Listener#onEnd} may be called from the loop thread or from an
 * OkHttp dispatcher thread (a failed {@code POST}), once.
 */
final class PollingTransport implements Transport {
  /** The most bytes queued for sending; past it the transport fails (as OkHttp's WebSocket). */
  static final long MAX_QUEUED_BYTES = 16L * 1024 * 1024;

  /** The longest wait for the close packet {@link #cancel()} sends. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** What the server said in its open packet, as far as the transport needs it. */
  record Handshake(String sid, long maxPayload, List<String> upgrades) {}

  private static final MediaType TEXT = MediaType.get("text/plain; charset=UTF-8");
  private static final byte SEPARATOR = 0x1e;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * engine.io's default maxHttpBufferSize: the batch limit until the open packet says otherwise.
   */
  private static final long DEFAULT_MAX_PAYLOAD = 1_000_000;

  private final OkHttpClient http;
  private final OkHttpClient pollHttp;
  private final HttpUrl url;
  private final Map<String, String> headers;
  private final Listener listener;
  private final int maxMessageBytes;
  private final long maxRecordBytes;
  private final AtomicBoolean ended = new AtomicBoolean();

  private final Object lock = new Object();

  // guarded by lock
  private @Nullable Handshake handshake;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean postInFlight;
  private @Nullable Call getCall;
  private @Nullable Call postCall;
  private boolean polling;
  private boolean paused;

  /**
   * No new {@code GET} until {@link #pause}, {@link #resume} or the end: see {@link #holdPolls}.
   */
  private boolean pollsHeld;

  private @Nullable Runnable onPaused;
  private boolean closing;
  private boolean closed;
  private boolean closeSent;
  private @Nullable String failure;
  private @Nullable Throwable failureCause;

  private PollingTransport(
      OkHttpClient http,
      OkHttpClient pollHttp,
      HttpUrl url,
      Map<String, String> headers,
      Listener listener,
      int maxMessageBytes) {
    this.http = http;
    this.pollHttp = pollHttp;
    this.url = url;
    this.headers = headers;
    this.listener = listener;
    this.maxMessageBytes = maxMessageBytes;
    // A binary packet travels as 'b' plus base64: 4 chars per 3 bytes.
    this.maxRecordBytes = 1 + 4 * (((long) maxMessageBytes + 2) / 3);
  }

  /**
   * Opens a polling transport to {@code url} and starts its loop thread (from {@code threads}):
   * {@code POST}s on {@code http}, long {@code GET}s on {@code pollHttp} (the same client without
   * read and call timeouts); a packet over {@code maxMessageBytes} fails the transport.
   */
  static PollingTransport open(
      OkHttpClient http,
      OkHttpClient pollHttp,
      ThreadFactory threads,
      String url,
      Map<String, String> headers,
      Listener listener,
      int maxMessageBytes) {
    HttpUrl u = HttpUrl.get(url).newBuilder().setQueryParameter("transport", "polling").build();
    PollingTransport t =
        new PollingTransport(http, pollHttp, u, Map.copyOf(headers), listener, maxMessageBytes);
    synchronized (t.lock) {
      t.polling = true;
    }
    threads.newThread(t::loop).start();
    return t;
  }

  /** The server's open packet, once the handshake answered; null before. */
  @Nullable Handshake handshake() {
    synchronized (lock) {
      return handshake;
    }
  }

  // ---------------------------------------------------------------- sending

  @Override
  public boolean send(String text) {
    return enqueue(text);
  }

  @Override
  public boolean send(byte[] bytes) {
    return enqueue("b" + Base64.getEncoder().encodeToString(bytes));
  }

  private boolean enqueue(String packet) {
    long size = PacketCodec.utf8Length(packet);
    synchronized (lock) {
      if (closed || closing) {
        return false;
      }
      if (queuedBytes + size > MAX_QUEUED_BYTES) {
        failLocked(
            "send queue full: more than " + MAX_QUEUED_BYTES + " bytes waiting for the server",
            null);
        return false;
      }
      queue.add(packet);
      queuedBytes += size;
    }
    kickPost();
    return true;
  }

  /** Starts a POST with the next batch if none is in flight; without the lock. */
  private void kickPost() {
    Call call;
    synchronized (lock) {
      if (closed || postInFlight || queue.isEmpty() || handshake == null) {
        return;
      }
      long max = handshake.maxPayload();
      StringBuilder body = new StringBuilder();
      long bytes = 0;
      while (!queue.isEmpty()) {
        String next = queue.peek();
        long size = PacketCodec.utf8Length(next);
        if (body.length() > 0 && bytes + 1 + size > max) {
          break;
        }
        queue.poll();
        queuedBytes -= size;
        if (body.length() > 0) {
          body.append((char) SEPARATOR);
          bytes++;
        }
        body.append(next);
        bytes += size;
      }
      Request.Builder rb =
          new Request.Builder().url(sessionUrl(handshake.sid())).post(new PostBody(body));
      headers.forEach(rb::header);
      call = http.newCall(rb.build());
      postCall = call;
      postInFlight = true;
    }
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            fail("transport error: POST failed: " + e, e);
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              if (!response.isSuccessful()) {
                fail("transport error: POST answered " + describe(response), null);
                return;
              }
            }
            postDone();
          }
        });
  }

  private void postDone() {
    Runnable paused;
    boolean closeNow;
    synchronized (lock) {
      postInFlight = false;
      postCall = null;
      closeNow = closing && queue.isEmpty();
      paused = pausedLocked();
    }
    if (closeNow) {
      synchronized (lock) {
        closed = true;
      }
      end("transport close (client closed)", null);
      return;
    }
    if (paused != null) {
      paused.run();
    }
    kickPost();
  }

  // ---------------------------------------------------------------- the GET loop

  private void loop() {
    while (true) {
      Call call;
      synchronized (lock) {
        while ((paused || (pollsHeld && !closing)) && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failLocked("polling thread interrupted", e);
          }
        }
        if (closed || closing) {
          break;
        }
        Handshake h = handshake;
        Request.Builder rb = new Request.Builder().url(h == null ? url : sessionUrl(h.sid()));
        headers.forEach(rb::header);
        call = pollHttp.newCall(rb.build());
        getCall = call;
      }
      try (Response response = call.execute()) {
        if (!response.isSuccessful()) {
          fail("transport error: HTTP " + describe(response), null);
          break;
        }
        ResponseBody body = response.body();
        read(body.source());
      } catch (IOException e) {
        synchronized (lock) {
          if (closing || closed) {
            // cancelled by close() or cancel(): not a failure
            break;
          }
        }
        fail("transport error: " + e, e);
        break;
      } catch (RealtimeException e) {
        fail(e instanceof MessageTooLargeException ? "message too large" : "protocol error", e);
        break;
      }
      Runnable paused;
      synchronized (lock) {
        getCall = null;
        if (handshake == null && !closed) {
          failLocked(
              "protocol error",
              new ProtocolException("the polling handshake's answer has no open packet"));
        }
        if (this.onPaused != null) {
          this.paused = true;
        }
        paused = pausedLocked();
      }
      if (paused != null) {
        paused.run();
      }
    }
    String why;
    Throwable cause;
    synchronized (lock) {
      closed = true;
      polling = false;
      why = failure;
      cause = failureCause;
    }
    if (why != null) {
      end(why, cause);
    } else if (!closing) {
      end("transport closed", null);
    }
  }

  /** Reads one response's payload, handing each packet to the listener as it is read. */
  private void read(BufferedSource source) throws IOException {
    while (!source.exhausted()) {
      long at = source.indexOf(SEPARATOR, 0, maxRecordBytes + 1);
      ByteString record;
      if (at < 0) {
        long buffered = source.getBuffer().size();
        if (buffered > maxRecordBytes) {
          throw new MessageTooLargeException("poll response packet", buffered, maxMessageBytes);
        }
        record = source.readByteString();
      } else {
        record = source.readByteString(at);
        source.skip(1);
      }
      synchronized (lock) {
        if (closed) {
          return;
        }
      }
      deliver(record);
    }
  }

  private void deliver(ByteString record) {
    if (record.size() > 0 && record.getByte(0) == 'b') {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(record.substring(1).toByteArray());
      } catch (IllegalArgumentException e) {
        throw new ProtocolException("malformed base64 in a binary polling packet: " + e, e);
      }
      if (bytes.length > maxMessageBytes) {
        throw new MessageTooLargeException("binary polling packet", bytes.length, maxMessageBytes);
      }
      listener.onBinary(this, bytes);
      return;
    }
    if (record.size() > maxMessageBytes) {
      throw new MessageTooLargeException("poll response packet", record.size(), maxMessageBytes);
    }
    String text = record.utf8();
    boolean opened = false;
    synchronized (lock) {
      if (handshake == null && text.startsWith("0")) {
        handshake = parseOpen(text);
        opened = handshake != null;
      }
    }
    if (opened) {
      kickPost();
    }
    listener.onText(this, text);
  }

  private static @Nullable Handshake parseOpen(String text) {
    try {
      JsonNode o = JSON.readTree(text.substring(1));
      if (o == null || !o.path("sid").isTextual()) {
        return null;
      }
      long max = o.path("maxPayload").asLong(0);
      List<String> upgrades = new ArrayList<>();
      o.path("upgrades").forEach(u -> upgrades.add(u.asText()));
      return new Handshake(
          o.get("sid").asText(), max > 0 ? max : DEFAULT_MAX_PAYLOAD, List.copyOf(upgrades));
    } catch (IOException e) {
      // Conn's decoder reports the malformed open packet.
      return null;
    }
  }

  private HttpUrl sessionUrl(String sid) {
    return url.newBuilder().setQueryParameter("sid", sid).build();
  }

  private static String describe(Response response) {
    String message = response.message();
    try {
      // engine.io answers errors with a short JSON body: {"code":1,"message":"Session ID unknown"}
      String body = response.peekBody(512).string().trim();
      JsonNode json = body.startsWith("{") ? JSON.readTree(body) : null;
      if (json != null && json.path("message").isTextual()) {
        message = json.get("message").asText();
      } else if (!body.isEmpty()) {
        message = body;
      }
    } catch (IOException | RuntimeException e) {
      // keep the status line's message
    }
    return response.code() + (message.isEmpty() ? "" : " " + message);
  }

  // ---------------------------------------------------------------- pause, close

  /**
   * Stops polling after the current {@code GET} and runs {@code whenPaused} once that {@code GET}
   * was handed over and every queued packet was sent (on the thread that finished last, without the
   * lock); at once if both are already done.
   */
  void pause(Runnable whenPaused) {
    Runnable run;
    synchronized (lock) {
      onPaused = whenPaused;
      if (getCall == null && polling) {
        paused = true;
      }
      run = pausedLocked();
    }
    if (run != null) {
      run.run();
    }
  }

  /**
   * Issues no new {@code GET} once the current one is answered, until {@link #pause} (which then
   * completes without one in flight), {@link #resume} or the end of the transport. For an upgrade
   * whose probe made the server answer the current {@code GET} with a noop before the probe's own
   * answer came: a server that sends that noop once (netty-socketio does; engine.io repeats it
   * every 100 ms) would leave the next {@code GET} unanswered until its next ping, and the pause
   * waiting for it. Packets to send still go out.
   */
  void holdPolls() {
    synchronized (lock) {
      pollsHeld = true;
    }
  }

  /** Polls again after {@link #pause} or {@link #holdPolls}. */
  void resume() {
    synchronized (lock) {
      onPaused = null;
      paused = false;
      pollsHeld = false;
      lock.notifyAll();
    }
    kickPost();
  }

  /** Ends the transport without a close packet: the session moved to another transport. */
  void discard() {
    synchronized (lock) {
      closeSent = true;
      closing = true;
      closed = true;
      paused = false;
      lock.notifyAll();
    }
  }

  private @Nullable Runnable pausedLocked() {
    Runnable r = onPaused;
    if (r != null && paused && !postInFlight && queue.isEmpty() && !closed) {
      onPaused = null;
      return r;
    }
    return null;
  }

  @Override
  public void close(int code, String reason) {
    Call get;
    boolean hasSession;
    synchronized (lock) {
      if (closed || closing) {
        return;
      }
      hasSession = handshake != null;
      if (hasSession) {
        closeSent = true;
        queue.add("1");
        queuedBytes += 1;
      }
      closing = true;
      paused = false;
      get = getCall;
      lock.notifyAll();
    }
    if (get != null) {
      get.cancel();
    }
    if (hasSession) {
      kickPost();
    } else {
      cancel();
    }
  }

  /**
   * Drops the transport at once. If the session was open, a close packet goes out by a separate
   * {@code POST} (bounded by {@link #CLOSE_TIMEOUT}, its outcome ignored), so that the server ends
   * the session now instead of at its ping timeout, as a WebSocket's reset would tell it.
   */
  @Override
  public void cancel() {
    Call get;
    Call post;
    Handshake session;
    synchronized (lock) {
      session = closeSent ? null : handshake;
      closeSent = true;
      closed = true;
      closing = true;
      paused = false;
      queue.clear();
      queuedBytes = 0;
      get = getCall;
      post = postCall;
      lock.notifyAll();
    }
    if (get != null) {
      get.cancel();
    }
    if (post != null) {
      post.cancel();
    }
    if (session != null) {
      Request.Builder rb =
          new Request.Builder().url(sessionUrl(session.sid())).post(new PostBody("1"));
      headers.forEach(rb::header);
      Call close = http.newBuilder().callTimeout(CLOSE_TIMEOUT).build().newCall(rb.build());
      close.enqueue(
          new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {}

            @Override
            public void onResponse(Call c, Response response) {
              response.close();
            }
          });
    }
  }

  /** Fails the transport: records why, stops both calls, tells the listener once. */
  private void fail(String reason, @Nullable Throwable cause) {
    boolean report;
    synchronized (lock) {
      report = !closed;
      failLocked(reason, cause);
    }
    if (report) {
      end(reason, cause);
    }
  }

  private void failLocked(String reason, @Nullable Throwable cause) {
    if (closed) {
      return;
    }
    if (failure == null) {
      failure = reason;
      failureCause = cause;
    }
    closed = true;
    paused = false;
    Call get = getCall;
    Call post = postCall;
    if (get != null) {
      get.cancel();
    }
    if (post != null) {
      post.cancel();
    }
    lock.notifyAll();
  }

  private void end(String reason, @Nullable Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      listener.onEnd(this, reason, cause);
    }
  }

  /**
   * A POST body. Not one-shot on purpose: OkHttp then sends it again on a fresh connection when a
   * pooled keep-alive connection turns out to have been closed by the server (engine.io's server
   * closes idle connections after 5 s), as browsers do; without it such a race would drop the whole
   * session.
   */
  private static final class PostBody extends RequestBody {
    private final byte[] bytes;

    PostBody(CharSequence text) {
      this.bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public MediaType contentType() {
      return TEXT;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(bytes);
    }
  }
}
