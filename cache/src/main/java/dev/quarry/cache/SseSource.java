package dev.quarry.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cache.internal.SseStream;
import dev.quarry.cache.internal.StreamTarget;
import dev.quarry.core.http.JsonType;
import dev.quarry.core.internal.Defaults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;

/**
 * A {@link StreamSource} of server-sent events ({@code text/event-stream}) fetched with the query
 * client's HTTP client, so with its OkHttp client, base URL, headers and authorization; each
 * event's {@code data} is decoded with Jackson into the chunk type.
 *
 * <pre>{@code
 * StreamSource<Token> tokens = SseSource.of("executions/" + id + "/draft", Token.class);
 * QueryOptions<List<Token>> draft = QueryOptions.of(QueryKey.of("draft", id), StreamedQuery.of(tokens));
 * }</pre>
 *
 * <h2>Ending, resuming, failing</h2>
 *
 * <ul>
 *   <li>The stream ends when the server ends the response cleanly, answers {@code 204}, or sends an
 *       event of the {@linkplain Builder#endOn(String) terminal type}.
 *   <li>A connection that fails or breaks is opened again, within the same fetch attempt, with
 *       {@code Last-Event-ID} set to the last event ID received, so that a resumable server
 *       continues after it: no chunk is repeated and none is lost. The delay before it is the
 *       server's last {@code retry} field, else {@link Builder#reconnectDelay}; it runs on the
 *       query client's scheduler. After {@link Builder#maxReconnects} reconnections in a row
 *       without an event the attempt fails with {@link dev.quarry.core.http.HttpIoException}, and
 *       the query's retry rules apply. Each reconnection is reported to the client's {@link
 *       QueryStatsListener#onStreamResumed} (and to the {@linkplain Builder#connectionListener
 *       connection listener}).
 *   <li>A non-2xx status fails with {@link dev.quarry.core.http.HttpStatusException}, another
 *       content type with a {@link dev.quarry.core.QuarryException}, an event that does not decode
 *       with {@link dev.quarry.core.http.HttpDecodeException} ({@code MALFORMED}), an event or line
 *       larger than {@link Builder#maxEventBytes} with {@link
 *       dev.quarry.core.http.HttpDecodeException} ({@code TOO_LARGE}) naming the limit; none of
 *       these reconnects. Chunks already delivered stay in the cache.
 * </ul>
 *
 * <h2>Threads and resources</h2>
 *
 * Immutable and thread-safe. {@link #open} reads the context's cancellation signal, so the last
 * observer leaving cancels the HTTP call, as does any cancellation of the fetch. The response is
 * read on an OkHttp dispatcher thread, where the streamed query folds each chunk; an open stream
 * holds one of the dispatcher's per-host slots (OkHttp's {@code maxRequestsPerHost}, 5 by default)
 * for as long as it lasts. OkHttp's own reader for this format ({@code okhttp-sse}) is not used: it
 * has no size limit and ignores the {@code retry} field.
 *
 * @param <E> the type each event's data decodes to
 */
public final class SseSource<E> implements StreamSource<E> {
  /** The default {@link Builder#maxEventBytes}: 1 MiB. */
  public static final long DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

  private final String path;
  private final JsonType<E> type;
  private final Map<String, String> headers;
  private final Set<String> eventTypes;
  private final Optional<String> endOn;
  private final long maxEventBytes;
  private final int maxReconnects;
  private final Duration reconnectDelay;
  private final ObjectMapper mapper;
  private final ConnectionListener listener;

  private SseSource(Builder<E> b) {
    this.path = b.path;
    this.type = b.type;
    this.headers = Map.copyOf(b.headers);
    this.eventTypes = Set.copyOf(b.eventTypes);
    this.endOn = Optional.ofNullable(b.endOn);
    this.maxEventBytes = b.maxEventBytes;
    this.maxReconnects = b.maxReconnects;
    this.reconnectDelay = b.reconnectDelay;
    this.mapper = b.mapper != null ? b.mapper : Defaults.objectMapper();
    this.listener = b.listener;
  }

  /** Every event of {@code path}, decoded into {@code type}, with the defaults of the builder. */
  public static <E> SseSource<E> of(String path, Class<E> type) {
    return builder(path, JsonType.of(type)).build();
  }

  /**
   * A builder for the events of {@code path} (resolved against the HTTP client's base URL).
   *
   * @param type the type each event's data decodes to
   */
  public static <E> Builder<E> builder(String path, JsonType<E> type) {
    return new Builder<>(path, type);
  }

  /** A builder holding this source's settings. */
  public Builder<E> newBuilder() {
    Builder<E> b = new Builder<>(path, type);
    b.headers.putAll(headers);
    b.eventTypes.addAll(eventTypes);
    b.endOn = endOn.orElse(null);
    b.maxEventBytes = maxEventBytes;
    b.maxReconnects = maxReconnects;
    b.reconnectDelay = reconnectDelay;
    b.mapper = mapper;
    b.listener = listener;
    return b;
  }

  /**
   * Opens the stream of one attempt: reads the context's signal, connects with the context's HTTP
   * client on subscription.
   *
   * @throws IllegalStateException if the query client has no HTTP client
   */
  @Override
  public Flow.Publisher<E> open(QueryContext context) {
    CancellationSignal signal = context.signal();
    StreamTarget target = StreamTarget.of(context);
    return new SseStream<>(
        new SseStream.Config(
            path,
            headers,
            type.resolve(mapper.getTypeFactory()),
            mapper,
            eventTypes,
            endOn,
            maxEventBytes,
            maxReconnects,
            reconnectDelay),
        context.http(),
        target.scheduler(),
        signal,
        (reconnect, lastEventId) -> {
          if (reconnect > 0) {
            target.resumed();
          }
          listener.connecting(reconnect, lastEventId);
        });
  }

  /**
   * Hears each connection a source opens, on the thread that opens it (the fetch's or the
   * scheduler's); it must be quick and must not throw. For tests and meters.
   */
  @FunctionalInterface
  public interface ConnectionListener {
    /**
     * A connection is being opened.
     *
     * @param reconnect 0 for the first connection of an attempt, then 1, 2... for reconnections in
     *     a row without an event
     * @param lastEventId the {@code Last-Event-ID} sent, or null for none
     */
    void connecting(int reconnect, @org.jspecify.annotations.Nullable String lastEventId);
  }

  /**
   * Builds an {@link SseSource}; not thread-safe. Invalid values fail at once with {@link
   * IllegalArgumentException} naming the option.
   *
   * @param <E> the type each event's data decodes to
   */
  public static final class Builder<E> {
    private final String path;
    private final JsonType<E> type;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Set<String> eventTypes = new LinkedHashSet<>();
    private @org.jspecify.annotations.Nullable String endOn;
    private long maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private int maxReconnects = 3;
    private Duration reconnectDelay = Duration.ofSeconds(3);
    private @org.jspecify.annotations.Nullable ObjectMapper mapper;
    private ConnectionListener listener = (reconnect, lastEventId) -> {};

    private Builder(String path, JsonType<E> type) {
      this.path = Objects.requireNonNull(path, "path");
      this.type = Objects.requireNonNull(type, "type");
    }

    /** One more request header (besides the HTTP client's); replaces one of the same name. */
    public Builder<E> header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "header name"), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Only events of these types ({@code event} field; {@code message} when absent) become chunks;
     * others are skipped (their IDs still count for resuming). All types by default.
     */
    public Builder<E> eventTypes(String... types) {
      eventTypes.clear();
      eventTypes.addAll(List.of(types));
      return this;
    }

    /** An event of this type ends the stream (it is not a chunk). None by default. */
    public Builder<E> endOn(String type) {
      this.endOn = Objects.requireNonNull(type, "endOn");
      return this;
    }

    /**
     * The largest event (the bytes of all its lines) or line accepted; a larger one fails the
     * attempt before more than this many bytes of it are held. {@link #DEFAULT_MAX_EVENT_BYTES} by
     * default.
     */
    public Builder<E> maxEventBytes(long maxEventBytes) {
      if (maxEventBytes < 1) {
        throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
      }
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /** Reconnections in a row without an event before the attempt fails; 3 by default; 0: none. */
    public Builder<E> maxReconnects(int maxReconnects) {
      if (maxReconnects < 0) {
        throw new IllegalArgumentException("maxReconnects must be >= 0: " + maxReconnects);
      }
      this.maxReconnects = maxReconnects;
      return this;
    }

    /** The delay before a reconnection until the server sends a {@code retry} field; 3 s. */
    public Builder<E> reconnectDelay(Duration delay) {
      Objects.requireNonNull(delay, "reconnectDelay");
      if (delay.isNegative()) {
        throw new IllegalArgumentException("reconnectDelay must not be negative: " + delay);
      }
      this.reconnectDelay = delay;
      return this;
    }

    /** The mapper that decodes event data; by default one that ignores unknown properties. */
    public Builder<E> objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /** Hears each connection the source opens (first and reconnections), for tests and meters. */
    public Builder<E> connectionListener(ConnectionListener listener) {
      this.listener = Objects.requireNonNull(listener, "connectionListener");
      return this;
    }

    /** The source. */
    public SseSource<E> build() {
      return new SseSource<>(this);
    }
  }
}
