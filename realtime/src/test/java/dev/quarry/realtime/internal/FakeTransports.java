package dev.quarry.realtime.internal;

import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.testing.VirtualTime;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A scripted server side: records what the client sends and feeds it frames. */
final class FakeTransports implements Transport.Factory {
  final List<FakeTransport> opened = new ArrayList<>();
  final List<String> urls = new ArrayList<>();

  /**
   * Options for a client driven by a test: virtual time, callbacks run at once on the calling
   * thread, a seeded random, and every reported error added to {@code errors}.
   */
  static RealtimeOptions.Builder testOptions(URI server, VirtualTime time, List<Throwable> errors) {
    return RealtimeOptions.builder(server)
        .time(time, time)
        .callbackExecutor(VirtualTime.direct())
        .random(new SplittableRandom(0))
        .errorHandler((context, e) -> errors.add(e));
  }

  @Override
  public Transport open(String url, Map<String, String> headers, Transport.Listener listener) {
    FakeTransport t = new FakeTransport(listener);
    opened.add(t);
    urls.add(url);
    return t;
  }

  FakeTransport last() {
    return opened.get(opened.size() - 1);
  }

  static final class FakeTransport implements Transport {
    final Transport.Listener listener;

    /** What the client sent; synchronized: the reader thread sends pongs, the stage the rest. */
    final List<Object> sent = Collections.synchronizedList(new ArrayList<>());

    volatile boolean closed;
    volatile boolean cancelled;

    FakeTransport(Transport.Listener listener) {
      this.listener = listener;
    }

    @Override
    public boolean send(String text) {
      sent.add(text);
      return !closed && !cancelled;
    }

    @Override
    public boolean send(byte[] bytes) {
      sent.add(bytes);
      return !closed && !cancelled;
    }

    @Override
    public void close(int code, String reason) {
      closed = true;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    void receive(String text) {
      listener.onText(this, text);
    }

    void receive(byte[] bytes) {
      listener.onBinary(this, bytes);
    }

    void end(String reason) {
      listener.onEnd(this, reason, null);
    }

    List<String> texts() {
      synchronized (sent) {
        return sent.stream().filter(String.class::isInstance).map(String.class::cast).toList();
      }
    }

    /** Server open with 1 s ping interval, 1 s timeout, then the CONNECT reply. */
    void handshake(String connectReply) {
      receive(
          "0{\"sid\":\"e1\",\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000,\"maxPayload\":1000}");
      receive(connectReply);
    }
  }
}
