package dev.quarry.cache.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.CancellationSignal;
import dev.quarry.core.Cancellable;
import dev.quarry.core.QuarryException;
import dev.quarry.core.Scheduler;
import dev.quarry.core.http.HttpDecodeException;
import dev.quarry.core.http.HttpIoException;
import dev.quarry.core.http.HttpStatusException;
import dev.quarry.core.http.JsonHttp;
import dev.quarry.core.internal.Redaction;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.jspecify.annotations.Nullable;

/**
 * One attempt's stream of server-sent events: a publisher for one subscriber that reads the
 * response on OkHttp's dispatcher thread, decodes each event's data with Jackson, and reconnects
 * after a lost connection with {@code Last-Event-ID} after the server's {@code retry} delay (on the
 * injected scheduler). Demand is honoured by waiting on the reading thread (TCP does the rest), so
 * nothing is buffered beyond one event.
 */
public final class SseStream<E> implements Flow.Publisher<E>, Flow.Subscription {
  /** What the public {@code SseSource} hands over. */
  public record Config(
      String path,
      Map<String, String> headers,
      JavaType type,
      ObjectMapper mapper,
      Set<String> eventTypes,
      Optional<String> endOn,
      long maxEventBytes,
      int maxReconnects,
      Duration reconnectDelay) {}

  /** Hears each connection: the reconnection number (0 for the first) and the last event ID. */
  public interface Listener {
    void connecting(int reconnect, @Nullable String lastEventId);
  }

  private final Config config;
  private final JsonHttp http;
  private final Scheduler scheduler;
  private final Listener listener;
  private final Object lock = new Object();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  // Guarded by lock.
  private long demand;
  private boolean cancelled;
  private @Nullable Call call;
  private @Nullable Cancellable pendingReconnect;
  // Written by the reading thread or the reconnect timer, one at a time.
  private volatile @Nullable String lastEventId;
  private volatile long retryMillis = -1;
  private volatile int reconnects;
  private volatile long delivered;
  private volatile Flow.@Nullable Subscriber<? super E> subscriber;

  public SseStream(
      Config config,
      JsonHttp http,
      Scheduler scheduler,
      CancellationSignal signal,
      Listener listener) {
    this.config = config;
    this.http = http;
    this.scheduler = scheduler;
    this.listener = listener;
    signal.onCancel(this::cancel);
  }

  @Override
  public void subscribe(Flow.Subscriber<? super E> s) {
    if (!subscribed.compareAndSet(false, true)) {
      s.onSubscribe(this);
      s.onError(new IllegalStateException("a server-sent event stream has one subscriber"));
      return;
    }
    subscriber = s;
    s.onSubscribe(this);
    connect();
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      fail(new IllegalArgumentException("request(" + n + "): demand must be positive"));
      cancel();
      return;
    }
    synchronized (lock) {
      demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      lock.notifyAll();
    }
  }

  @Override
  public void cancel() {
    Call c;
    Cancellable pending;
    synchronized (lock) {
      cancelled = true;
      c = call;
      pending = pendingReconnect;
      lock.notifyAll();
    }
    if (pending != null) {
      pending.cancel();
    }
    if (c != null) {
      c.cancel();
    }
  }

  private boolean isCancelled() {
    synchronized (lock) {
      return cancelled;
    }
  }

  private void connect() {
    Map<String, String> headers = new LinkedHashMap<>(config.headers());
    headers.put("Accept", "text/event-stream");
    headers.put("Cache-Control", "no-cache");
    String id = lastEventId;
    if (id != null && !id.isEmpty()) {
      headers.put("Last-Event-ID", id);
    }
    listener.connecting(reconnects, id);
    Call c;
    try {
      c = http.withHeaders(headers).newCall("GET", config.path(), null);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      call = c;
    }
    c.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            lost(call, e);
          }

          @Override
          public void onResponse(Call call, Response response) {
            read(call, response);
          }
        });
  }

  private String target(Call c) {
    return "GET " + Redaction.url(c.request().url().toString());
  }

  private void read(Call c, Response response) {
    try (response) {
      if (response.code() == 204) {
        complete(); // the server's way to say "do not reconnect"
        return;
      }
      String url = Redaction.url(c.request().url().toString());
      if (!response.isSuccessful()) {
        fail(
            new HttpStatusException(
                "GET",
                url,
                response.code(),
                response.headers(),
                excerpt(response),
                Optional.empty()));
        return;
      }
      ResponseBody body = response.body();
      MediaType type = body.contentType();
      if (type == null || !type.type().equals("text") || !type.subtype().equals("event-stream")) {
        fail(
            new QuarryException(
                "GET " + url + ": expected a text/event-stream response, got " + type));
        return;
      }
      c.timeout().cancel(); // a stream lasts as long as it lasts: the read timeout still applies
      SseReader reader = new SseReader(body.source(), config.maxEventBytes(), lastEventId);
      while (true) {
        SseReader.Event event = reader.next();
        lastEventId = reader.lastEventId();
        if (reader.retryMillis() >= 0) {
          retryMillis = reader.retryMillis();
        }
        if (event == null) {
          complete();
          return;
        }
        reconnects = 0;
        if (config.endOn().isPresent() && config.endOn().get().equals(event.type())) {
          complete();
          return;
        }
        if (!config.eventTypes().isEmpty() && !config.eventTypes().contains(event.type())) {
          continue;
        }
        E value;
        try {
          value = config.mapper().readValue(event.data(), config.type());
        } catch (IOException | RuntimeException e) {
          fail(
              new HttpDecodeException(
                  "GET",
                  url,
                  response.code(),
                  config.type().toString(),
                  HttpDecodeException.Reason.MALFORMED,
                  "server-sent event"
                      + (event.id() == null ? "" : " id=" + event.id())
                      + " after "
                      + delivered
                      + " delivered: "
                      + e.getMessage(),
                  e));
          return;
        }
        if (value == null) {
          fail(
              new QuarryException(
                  "GET " + url + ": server-sent event id=" + event.id() + " decoded to null"));
          return;
        }
        if (!awaitDemand()) {
          return;
        }
        delivered++;
        Flow.Subscriber<? super E> s = subscriber;
        if (s != null) {
          s.onNext(value);
        }
      }
    } catch (SseReader.TooLarge e) {
      fail(
          new HttpDecodeException(
              "GET",
              Redaction.url(c.request().url().toString()),
              response.code(),
              config.type().toString(),
              HttpDecodeException.Reason.TOO_LARGE,
              "a server-sent event is larger than maxEventBytes="
                  + e.limit
                  + " bytes (after "
                  + delivered
                  + " delivered events"
                  + (lastEventId == null ? "" : ", last id " + lastEventId)
                  + ")",
              e));
    } catch (IOException e) {
      lost(c, e);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private static String excerpt(Response response) {
    try {
      return response.peekBody(HttpStatusException.MAX_EXCERPT_BYTES).string();
    } catch (IOException e) {
      return "";
    }
  }

  private boolean awaitDemand() {
    synchronized (lock) {
      while (demand == 0 && !cancelled) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      if (cancelled) {
        return false;
      }
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      return true;
    }
  }

  /** The connection failed or broke: reconnect after the delay, or fail when out of attempts. */
  private void lost(Call c, IOException e) {
    if (isCancelled() || finished.get()) {
      return;
    }
    if (reconnects >= config.maxReconnects()) {
      fail(new HttpIoException("GET", Redaction.url(c.request().url().toString()), e));
      return;
    }
    reconnects++;
    long retry = retryMillis;
    Duration delay = retry >= 0 ? Duration.ofMillis(retry) : config.reconnectDelay();
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      call = null;
      pendingReconnect = scheduler.schedule(delay, this::connect);
    }
  }

  private void complete() {
    if (finished.compareAndSet(false, true)) {
      Flow.Subscriber<? super E> s = subscriber;
      if (s != null) {
        s.onComplete();
      }
    }
  }

  private void fail(Throwable error) {
    if (finished.compareAndSet(false, true)) {
      Flow.Subscriber<? super E> s = subscriber;
      if (s != null) {
        s.onError(error);
      }
    }
  }

  /** For messages: the stream's target. */
  @Override
  public String toString() {
    Call c;
    synchronized (lock) {
      c = call;
    }
    return c == null ? "SseStream{" + config.path() + "}" : "SseStream{" + target(c) + "}";
  }
}
