package dev.quarry.realtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.core.Backoff;
import dev.quarry.core.Clock;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.Scheduler;
import dev.quarry.core.internal.Redaction;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The immutable configuration of a {@link RealtimeClient}. Build with {@link #builder(URI)}, derive
 * variants with {@link #newBuilder()}. Invalid values fail at {@link Builder#build()} with an
 * {@link IllegalArgumentException} naming the option and the value.
 *
 * <p>Resources left unset are created and owned by the client and released by {@link
 * RealtimeClient#close()}: a scheduler thread ({@code quarry-scheduler-...}), a callback thread
 * ({@code quarry-realtime-callbacks-...}) and an {@link OkHttpClient}. Resources given here are
 * shared and never shut down by the client.
 *
 * <pre>{@code
 * RealtimeOptions options = RealtimeOptions.builder(URI.create("https://studio.example"))
 *     .auth(() -> Map.of("token", tokens.current()))
 *     .routingRule(RoutingRule.byField("executionId"))
 *     .reconnectBackoff(Backoff.reconnect())
 *     .build();
 * }</pre>
 *
 * <p>A client of a scaled-out deployment (several Socket.IO nodes sharing an adapter, such as the
 * Redis adapter) lists every node with {@link Builder#endpoints(List)}; see there for how the
 * client moves between them.
 */
public final class RealtimeOptions {
  /** Event names that Socket.IO reserves; emitting or listening to them is refused. */
  public static final Set<String> RESERVED_EVENTS =
      Set.of(
          "connect",
          "connect_error",
          "disconnect",
          "disconnecting",
          "newListener",
          "removeListener");

  private final List<URI> endpoints;
  private final String path;
  private final String namespace;
  private final Supplier<?> auth;
  private final Map<String, String> headers;
  private final Map<String, String> queryParams;
  private final Backoff reconnectBackoff;
  private final int maxReconnectAttempts;
  private final boolean reconnectAfterConnectError;
  private final boolean reconnectAfterServerDisconnect;
  private final int sendBufferSize;
  private final String subscribeEvent;
  private final String unsubscribeEvent;
  private final boolean subscribeAcks;
  private final RoutingRule routingRule;
  private final Duration ackTimeout;
  private final int retries;
  private final boolean recovery;
  private final Duration connectTimeout;
  private final Clock clock;
  private final @Nullable Scheduler scheduler;
  private final @Nullable Executor callbackExecutor;
  private final ErrorHandler errorHandler;
  private final @Nullable OkHttpClient httpClient;
  private final ObjectMapper objectMapper;
  private final RandomGenerator random;
  private final int maxIncomingMessageBytes;
  private final int maxIncomingAttachments;
  private final boolean compression;
  private final int maxQueuedEvents;
  private final long maxQueuedEventBytes;
  private final Duration deliveryStallTimeout;
  private final List<RealtimeTransport> transports;

  private RealtimeOptions(Builder b) {
    this.endpoints = b.endpoints;
    this.path = b.path;
    this.namespace = b.namespace;
    this.auth = b.auth;
    this.headers = Map.copyOf(b.headers);
    this.queryParams = Map.copyOf(b.queryParams);
    this.reconnectBackoff = b.reconnectBackoff;
    this.maxReconnectAttempts = b.maxReconnectAttempts;
    this.reconnectAfterConnectError = b.reconnectAfterConnectError;
    this.reconnectAfterServerDisconnect = b.reconnectAfterServerDisconnect;
    this.sendBufferSize = b.sendBufferSize;
    this.subscribeEvent = b.subscribeEvent;
    this.unsubscribeEvent = b.unsubscribeEvent;
    this.subscribeAcks = b.subscribeAcks;
    this.routingRule = b.routingRule;
    this.ackTimeout = b.ackTimeout;
    this.retries = b.retries;
    this.recovery = b.recovery;
    this.connectTimeout = b.connectTimeout;
    this.clock = b.clock;
    this.scheduler = b.scheduler;
    this.callbackExecutor = b.callbackExecutor;
    this.errorHandler = b.errorHandler;
    this.httpClient = b.httpClient;
    this.objectMapper = b.objectMapper;
    this.random = b.random;
    this.maxIncomingMessageBytes = b.maxIncomingMessageBytes;
    this.maxIncomingAttachments = b.maxIncomingAttachments;
    this.compression = b.compression;
    this.maxQueuedEvents = b.maxQueuedEvents;
    this.maxQueuedEventBytes = b.maxQueuedEventBytes;
    this.deliveryStallTimeout = b.deliveryStallTimeout;
    this.transports = b.transports;
  }

  /**
   * A builder for a server at {@code uri} ({@code http}, {@code https}, {@code ws} or {@code wss}).
   */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /**
   * A builder for a deployment of several nodes; the first attempt goes to the first. See {@link
   * Builder#endpoints(List)}.
   *
   * @throws IllegalArgumentException if {@code endpoints} is empty
   */
  public static Builder builder(List<URI> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints must not be empty");
    }
    return new Builder(endpoints.get(0)).endpoints(endpoints);
  }

  /** A builder initialised with these options. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * The first server URI (scheme, host, port; its query parameters are kept): the only one, unless
   * {@link Builder#endpoints(List)} gave several.
   */
  public URI uri() {
    return endpoints.get(0);
  }

  /** Every server URI, in the order the client tries them; never empty, at least {@link #uri()}. */
  public List<URI> endpoints() {
    return endpoints;
  }

  /** The Engine.IO path, always with a trailing slash; default {@code /socket.io/}. */
  public String path() {
    return path;
  }

  /** The Socket.IO namespace; default {@code /}. */
  public String namespace() {
    return namespace;
  }

  /** Called on every (re)connect; its value (a JSON object) is the CONNECT packet's auth. */
  public Supplier<?> auth() {
    return auth;
  }

  /** Extra headers of the WebSocket handshake. */
  public Map<String, String> headers() {
    return headers;
  }

  /** Extra query parameters of the WebSocket handshake. */
  public Map<String, String> queryParams() {
    return queryParams;
  }

  /** The delays between reconnect attempts; default {@link Backoff#reconnect()}. */
  public Backoff reconnectBackoff() {
    return reconnectBackoff;
  }

  /**
   * Reconnect attempts before giving up ({@link Integer#MAX_VALUE}, the default, never gives up).
   */
  public int maxReconnectAttempts() {
    return maxReconnectAttempts;
  }

  /** Whether a CONNECT_ERROR is followed by reconnect attempts; default false. */
  public boolean reconnectAfterConnectError() {
    return reconnectAfterConnectError;
  }

  /** Whether a server-side disconnect is followed by reconnect attempts; default false. */
  public boolean reconnectAfterServerDisconnect() {
    return reconnectAfterServerDisconnect;
  }

  /** Emits kept while disconnected; 0 disables buffering; default 1000. */
  public int sendBufferSize() {
    return sendBufferSize;
  }

  /** The event that subscribes a topic; default {@code subscribe}. */
  public String subscribeEvent() {
    return subscribeEvent;
  }

  /** The event that unsubscribes a topic; default {@code unsubscribe}. */
  public String unsubscribeEvent() {
    return unsubscribeEvent;
  }

  /** Whether subscribe events ask the server for an ack; default true. */
  public boolean subscribeAcks() {
    return subscribeAcks;
  }

  /** Which topics an event belongs to; default {@link RoutingRule#matchingParams()}. */
  public RoutingRule routingRule() {
    return routingRule;
  }

  /** The ack timeout of emits that do not give one; default 10 s. */
  public Duration ackTimeout() {
    return ackTimeout;
  }

  /**
   * How many times an at-least-once emit is sent again after its ack timed out; 0 (the default)
   * turns at-least-once delivery off. See {@link Builder#retries(int)}.
   */
  public int retries() {
    return retries;
  }

  /**
   * Whether the client asks the server to restore its session after a lost connection (socket.io
   * connection state recovery); default true.
   */
  public boolean recovery() {
    return recovery;
  }

  /**
   * How long one connection attempt may take from opening the transport to the server's CONNECT
   * reply before it is abandoned and the reconnect backoff applies; default 20 s (as socket.io
   * clients' {@code timeout}). Catches a server that accepts connections but never answers.
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The clock deadlines are measured with; default the system clock. */
  public Clock clock() {
    return clock;
  }

  /** The shared scheduler, if one was given. */
  public Optional<Scheduler> scheduler() {
    return Optional.ofNullable(scheduler);
  }

  /** The shared callback executor, if one was given. */
  public Optional<Executor> callbackExecutor() {
    return Optional.ofNullable(callbackExecutor);
  }

  /** Receives listener exceptions and errors nobody else can be told of. */
  public ErrorHandler errorHandler() {
    return errorHandler;
  }

  /** The shared OkHttp client, if one was given. */
  public Optional<OkHttpClient> httpClient() {
    return Optional.ofNullable(httpClient);
  }

  /** Reads and writes JSON. */
  public ObjectMapper objectMapper() {
    return objectMapper;
  }

  /** The random source of backoff jitter. */
  public RandomGenerator random() {
    return random;
  }

  /**
   * The largest message the client accepts from the server, in bytes: a text frame, or a binary
   * packet's text frame plus all its attachments; default {@value
   * #DEFAULT_MAX_INCOMING_MESSAGE_BYTES} (4 MiB; socket.io servers refuse more than 1 MB from
   * clients by default). See {@link Builder#maxIncomingMessageBytes(int)}.
   */
  public int maxIncomingMessageBytes() {
    return maxIncomingMessageBytes;
  }

  /** The most binary attachments one incoming packet may announce; default 10. */
  public int maxIncomingAttachments() {
    return maxIncomingAttachments;
  }

  /**
   * Whether the client offers WebSocket compression ({@code permessage-deflate}); default false.
   * See {@link Builder#compression(boolean)} for the risk.
   */
  public boolean compression() {
    return compression;
  }

  /**
   * The most incoming events waiting for their listeners; default {@value
   * #DEFAULT_MAX_QUEUED_EVENTS}. See {@link Builder#maxQueuedEvents(int, long)}.
   */
  public int maxQueuedEvents() {
    return maxQueuedEvents;
  }

  /**
   * The most bytes (as received) of incoming events waiting for their listeners; default {@value
   * #DEFAULT_MAX_QUEUED_EVENT_BYTES} (32 MiB).
   */
  public long maxQueuedEventBytes() {
    return maxQueuedEventBytes;
  }

  /**
   * How long incoming events wait for room in a full event queue while the listeners take none,
   * before the client drops and recovers; default {@link #DEFAULT_DELIVERY_STALL_TIMEOUT} (2 s).
   * See {@link Builder#deliveryStallTimeout(Duration)}.
   */
  public Duration deliveryStallTimeout() {
    return deliveryStallTimeout;
  }

  /**
   * The transports in the order the client tries them; default {@code [WEBSOCKET]}. See {@link
   * Builder#transports(RealtimeTransport...)}.
   */
  public List<RealtimeTransport> transports() {
    return transports;
  }

  /** The default of {@link #maxIncomingMessageBytes()}: 4 MiB. */
  public static final int DEFAULT_MAX_INCOMING_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** The default of {@link #maxQueuedEvents()}. */
  public static final int DEFAULT_MAX_QUEUED_EVENTS = 8_192;

  /** The default of {@link #deliveryStallTimeout()}: 2 seconds. */
  public static final Duration DEFAULT_DELIVERY_STALL_TIMEOUT = Duration.ofSeconds(2);

  /** The default of {@link #maxQueuedEventBytes()}: 32 MiB. */
  public static final long DEFAULT_MAX_QUEUED_EVENT_BYTES = 32L * 1024 * 1024;

  @Override
  public String toString() {
    return "RealtimeOptions{"
        + (endpoints.size() == 1
            ? "uri=" + Redaction.url(endpoints.get(0))
            : "endpoints=" + endpoints.stream().map(Redaction::url).toList())
        + ", path="
        + path
        + ", namespace="
        + namespace
        + "}";
  }

  /** Builds {@link RealtimeOptions}. Not thread-safe. */
  public static final class Builder {
    private List<URI> endpoints;
    private String path = "/socket.io/";
    private String namespace = "/";
    private Supplier<?> auth = Map::of;
    private Map<String, String> headers = new LinkedHashMap<>();
    private Map<String, String> queryParams = new LinkedHashMap<>();
    private Backoff reconnectBackoff = Backoff.reconnect();
    private int maxReconnectAttempts = Integer.MAX_VALUE;
    private boolean reconnectAfterConnectError;
    private boolean reconnectAfterServerDisconnect;
    private int sendBufferSize = 1000;
    private String subscribeEvent = "subscribe";
    private String unsubscribeEvent = "unsubscribe";
    private boolean subscribeAcks = true;
    private RoutingRule routingRule = RoutingRule.matchingParams();
    private Duration ackTimeout = Duration.ofSeconds(10);
    private int retries;
    private boolean recovery = true;
    private Duration connectTimeout = Duration.ofSeconds(20);
    private Clock clock = Clock.system();
    private @Nullable Scheduler scheduler;
    private @Nullable Executor callbackExecutor;
    private ErrorHandler errorHandler = ErrorHandler.logging();
    private @Nullable OkHttpClient httpClient;
    private ObjectMapper objectMapper = new ObjectMapper();
    private RandomGenerator random = new SplittableRandom();
    private int maxIncomingMessageBytes = DEFAULT_MAX_INCOMING_MESSAGE_BYTES;
    private int maxIncomingAttachments = 10;
    private boolean compression;
    private int maxQueuedEvents = DEFAULT_MAX_QUEUED_EVENTS;
    private long maxQueuedEventBytes = DEFAULT_MAX_QUEUED_EVENT_BYTES;
    private Duration deliveryStallTimeout = DEFAULT_DELIVERY_STALL_TIMEOUT;
    private List<RealtimeTransport> transports = List.of(RealtimeTransport.WEBSOCKET);

    private Builder(URI uri) {
      this.endpoints = List.of(Objects.requireNonNull(uri, "uri"));
    }

    private Builder(RealtimeOptions o) {
      this.endpoints = o.endpoints;
      this.path = o.path;
      this.namespace = o.namespace;
      this.auth = o.auth;
      this.headers = new LinkedHashMap<>(o.headers);
      this.queryParams = new LinkedHashMap<>(o.queryParams);
      this.reconnectBackoff = o.reconnectBackoff;
      this.maxReconnectAttempts = o.maxReconnectAttempts;
      this.reconnectAfterConnectError = o.reconnectAfterConnectError;
      this.reconnectAfterServerDisconnect = o.reconnectAfterServerDisconnect;
      this.sendBufferSize = o.sendBufferSize;
      this.subscribeEvent = o.subscribeEvent;
      this.unsubscribeEvent = o.unsubscribeEvent;
      this.subscribeAcks = o.subscribeAcks;
      this.routingRule = o.routingRule;
      this.ackTimeout = o.ackTimeout;
      this.retries = o.retries;
      this.recovery = o.recovery;
      this.connectTimeout = o.connectTimeout;
      this.clock = o.clock;
      this.scheduler = o.scheduler;
      this.callbackExecutor = o.callbackExecutor;
      this.errorHandler = o.errorHandler;
      this.httpClient = o.httpClient;
      this.objectMapper = o.objectMapper;
      this.random = o.random;
      this.maxIncomingMessageBytes = o.maxIncomingMessageBytes;
      this.maxIncomingAttachments = o.maxIncomingAttachments;
      this.compression = o.compression;
      this.maxQueuedEvents = o.maxQueuedEvents;
      this.maxQueuedEventBytes = o.maxQueuedEventBytes;
      this.deliveryStallTimeout = o.deliveryStallTimeout;
      this.transports = o.transports;
    }

    /** The server URI; replaces any {@link #endpoints(List) endpoints} set before. */
    public Builder uri(URI uri) {
      this.endpoints = List.of(Objects.requireNonNull(uri, "uri"));
      return this;
    }

    /**
     * The nodes of a scaled-out deployment, in the order to try them; replaces the URI set before.
     * Every node shares this builder's path, namespace, headers, query parameters and auth.
     *
     * <p>How the client moves between them: the first attempt goes to the first endpoint. While a
     * connection to an endpoint works the client stays there; when an established connection is
     * lost, the first reconnect attempt goes to the same endpoint (so that the server can recover
     * the session). Every attempt that fails before the namespace connects (refused, reset, a
     * handshake or CONNECT error, no CONNECT reply within {@link #connectTimeout(Duration)}) moves
     * the next attempt to the next endpoint, round-robin. The reconnect backoff counts attempts
     * across endpoints. {@link ConnectionEvent.Connected#endpoint()} and {@link
     * ConnectionEvent.Reconnecting#endpoint()} say where the client is and is going.
     *
     * <p>Connection state recovery works only if the node that takes over can restore the session
     * (an adapter that shares sessions, such as Redis Streams); otherwise the client gets a new
     * session, every topic is subscribed again, and each subscription reports a {@link
     * TopicEvent.Gap}.
     *
     * @throws IllegalArgumentException if the list is empty (at {@link #build()}, also a URI that
     *     is not an absolute http(s)/ws(s) URI, or one given twice)
     */
    public Builder endpoints(List<URI> endpoints) {
      List<URI> copy = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("endpoints must not be empty");
      }
      this.endpoints = copy;
      return this;
    }

    /** The Engine.IO path; a missing trailing slash is added. */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /** The namespace, starting with {@code /}. */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * Supplies the auth object on every (re)connect: anything Jackson writes as a JSON object (a
     * map, a record). Called on a Quarry thread, never while a lock is held; an exception fails
     * that attempt (reported to the error handler) and the client backs off.
     */
    public Builder auth(Supplier<?> auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** Adds a header to the WebSocket handshake and to every polling request. */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds a query parameter to the WebSocket handshake and to every polling request. */
    public Builder queryParam(String name, String value) {
      queryParams.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * The delays between reconnect attempts; also the delays before a topic's subscribe is sent
     * again after its ack timed out.
     */
    public Builder reconnectBackoff(Backoff backoff) {
      this.reconnectBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** Attempts before giving up; 0 never reconnects; default unlimited. */
    public Builder maxReconnectAttempts(int attempts) {
      this.maxReconnectAttempts = attempts;
      return this;
    }

    /** Reconnect even after the server refused the connection (CONNECT_ERROR). */
    public Builder reconnectAfterConnectError(boolean reconnect) {
      this.reconnectAfterConnectError = reconnect;
      return this;
    }

    /** Reconnect even after the server disconnected the client ({@code io server disconnect}). */
    public Builder reconnectAfterServerDisconnect(boolean reconnect) {
      this.reconnectAfterServerDisconnect = reconnect;
      return this;
    }

    /** The number of emits kept while disconnected; 0 turns buffering off. */
    public Builder sendBufferSize(int size) {
      this.sendBufferSize = size;
      return this;
    }

    /** The event names used by topic subscriptions. */
    public Builder subscriptionEvents(String subscribe, String unsubscribe) {
      this.subscribeEvent = Objects.requireNonNull(subscribe, "subscribe");
      this.unsubscribeEvent = Objects.requireNonNull(unsubscribe, "unsubscribe");
      return this;
    }

    /** Whether subscribe events ask for an ack (servers that never ack: false). */
    public Builder subscribeAcks(boolean acks) {
      this.subscribeAcks = acks;
      return this;
    }

    /** Which topics an incoming event belongs to. */
    public Builder routingRule(RoutingRule rule) {
      this.routingRule = Objects.requireNonNull(rule, "rule");
      return this;
    }

    /**
     * The default ack timeout, also the wait for each subscribe's ack (see {@link
     * TopicSubscription#confirmed()}).
     */
    public Builder ackTimeout(Duration timeout) {
      this.ackTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * At-least-once emits, as socket.io-client's {@code retries} option: with {@code retries > 0}
     * every {@link RealtimeClient#emit emit} and every {@code emitWithAck} without an explicit
     * timeout asks the server for an ack and goes through one queue, in order, one event in flight
     * at a time; an event whose ack does not come within {@link #ackTimeout(Duration)} is sent
     * again, up to {@code retries} more times, then given up (the {@code emitWithAck} future fails
     * with {@link AckTimeoutException}; a plain {@code emit} is reported to the error handler). The
     * server may therefore see an event more than once and must ack every event. Volatile emits and
     * emits with an explicit timeout are not affected. Default 0 (off); at most 1,000 (at build).
     */
    public Builder retries(int retries) {
      this.retries = retries;
      return this;
    }

    /**
     * Whether to ask the server to restore the session after a lost connection (socket.io
     * connection state recovery: same id, same rooms, missed events replayed). With false every
     * reconnect opens a new session: topics are subscribed again and report a {@link
     * TopicEvent.Gap}. Default true; it only matters when the server has recovery enabled.
     */
    public Builder recovery(boolean recovery) {
      this.recovery = recovery;
      return this;
    }

    /** The deadline of one connection attempt, up to the server's CONNECT reply. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * The clock and scheduler of every deadline (heartbeat, ack timeouts, reconnect backoff); for
     * tests, a {@code VirtualTime} for both. Shared: not closed by the client.
     */
    public Builder time(Clock clock, Scheduler scheduler) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Where listeners run; shared: not shut down by the client. Two ordered lanes run on it: the
     * event lane (event and topic listeners, in order) and the control lane (connection listeners,
     * ack and subscription outcomes, the error handler, in order). Without this option each lane
     * has a thread of its own, so a stuck event listener never holds back a connection event; with
     * a single-threaded executor (such as a UI thread) a stuck listener holds back both. A direct
     * executor ({@code Runnable::run}) runs listeners on the thread that decoded the frame: the
     * connection's {@code quarry-realtime-inbound} thread, or, for a lone frame on a quiet
     * connection, the socket's reader thread; a slow listener then delays the connection's pongs.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Receives listener exceptions, malformed frames and other unreported errors. */
    public Builder errorHandler(ErrorHandler handler) {
      this.errorHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** An OkHttp client to share; the client then never shuts it down. */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The JSON mapper for arguments, payloads and auth. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.objectMapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /** The random source of backoff jitter (seed it in tests). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The largest message accepted from the server, in bytes (UTF-8 for text; a binary packet
     * counts its text frame and all its attachments). A larger message is not decoded: the
     * connection is closed, a {@link MessageTooLargeException} goes to the error handler and is the
     * cause of the {@link ConnectionEvent.Reconnecting} event, and the reconnect backoff applies as
     * after any failure. Default 4 MiB.
     *
     * <p>The check is made on what the WebSocket layer hands over: without {@link
     * #compression(boolean) compression} that is the size on the wire, which OkHttp has already
     * read into memory once; the client itself then never copies or parses the message.
     *
     * @param bytes at least 1,024 (at build)
     */
    public Builder maxIncomingMessageBytes(int bytes) {
      this.maxIncomingMessageBytes = bytes;
      return this;
    }

    /**
     * The most binary attachments one incoming packet may announce; a packet announcing more is a
     * {@link ProtocolException} and closes the connection. Default 10, the limit of socket.io's own
     * parser.
     *
     * @param count 1 to 1,000 (at build)
     */
    public Builder maxIncomingAttachments(int count) {
      this.maxIncomingAttachments = count;
      return this;
    }

    /**
     * Whether to offer WebSocket compression ({@code permessage-deflate}) to the server; default
     * false.
     *
     * <p><b>Risk:</b> OkHttp inflates a compressed message completely, with no limit, before the
     * client sees it, so {@link #maxIncomingMessageBytes(int)} can only be checked afterwards: a
     * hostile or broken server can send a small "inflation bomb" (1 MB on the wire, 1 GB inflated)
     * that exhausts the heap on OkHttp's reader thread. Turn compression on only for servers you
     * trust. With compression off (the default) a server that answers the handshake with an
     * extension the client did not offer is refused with a {@link ProtocolException}, and a
     * compressed frame fails the connection the same way.
     */
    public Builder compression(boolean offer) {
      this.compression = offer;
      return this;
    }

    /**
     * Bounds the incoming events waiting for their listeners (on the callback executor): at most
     * {@code events} events and {@code bytes} bytes (their size as received). Connection events,
     * ack completions, subscription confirmations and gaps do not count and are never dropped: they
     * have a lane of their own, and with the client's own executor a thread of their own, so a
     * stuck event listener does not delay them.
     *
     * <p>When an incoming event would pass a bound, the client first <em>holds back</em>: the
     * connection's inbound thread waits for room (holding no lock), the frames behind it wait in
     * the connection's bounded inbound queue (the socket's reader thread still answers pings), and
     * when that is full too the reader stops reading, so the server's writes wait in TCP. A
     * listener that is slower than the server thus paces the connection, and nothing is dropped. If
     * the listeners take no event for {@link #deliveryStallTimeout(Duration)} (a stuck listener),
     * or at once when that is zero, the policy is <em>drop and recover</em>: that event is not
     * queued, the connection is closed with a {@link DeliveryOverflowException} (reported to the
     * error handler with the number of dropped events, and the cause of the {@link
     * ConnectionEvent.Reconnecting} event), and the client reconnects after the backoff. Events
     * queued before it are still delivered. With connection state recovery the server replays what
     * followed the last queued event (its offset was not recorded); without it each topic reports a
     * {@link TopicEvent.Gap} and {@link ConnectionEvent.Connected#recovered()} is false, so nothing
     * is lost silently. Memory stays bounded whatever the server sends. The next attempt starts
     * after the backoff and not before the listeners have taken half of what waits for them, so a
     * stuck listener does not make the client reconnect and overflow in a loop; such a connection
     * counts as a failed attempt for the backoff and {@link #maxReconnectAttempts(int)}. Events a
     * recovered session replays before the server's CONNECT reply are held for it only while they
     * fit in half the queue; beyond that they are queued for delivery at once.
     *
     * <p>Defaults: {@value #DEFAULT_MAX_QUEUED_EVENTS} events, 32 MiB: room for a burst of a fast
     * server while the listener thread is briefly starved (a loaded machine), at under 1 KB of heap
     * per small event (so under 8 MiB for a full queue of them); a waiting event's text is held as
     * its frame arrived, about a byte of heap per byte received for JSON in ASCII (up to two when a
     * frame holds characters beyond Latin-1), so the byte bound is close to the heap a queue of
     * large events holds. A longer burst holds the connection back (see {@link
     * #deliveryStallTimeout(Duration)}) instead of queueing more. A deeper queue buys no
     * throughput: under a flood it stays full, and every young garbage collection copies the events
     * waiting in it. Lower them for small heaps; raise them only with a zero stall timeout, where a
     * full queue drops the connection.
     *
     * @param events at least 1 (at build)
     * @param bytes at least 1,024 (at build)
     */
    public Builder maxQueuedEvents(int events, long bytes) {
      this.maxQueuedEvents = events;
      this.maxQueuedEventBytes = bytes;
      return this;
    }

    /**
     * How long a full event queue may go without the listeners taking an event before the client
     * gives up holding the connection back and drops and recovers (see {@link #maxQueuedEvents(int,
     * long)}); default 2 s, measured on the client's {@link #time scheduler}. {@link Duration#ZERO}
     * drops at once, as soon as an event finds the queue full.
     *
     * @param timeout zero or positive
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public Builder deliveryStallTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException(
            "deliveryStallTimeout must be zero or positive, got " + timeout);
      }
      this.deliveryStallTimeout = timeout;
      return this;
    }

    /**
     * The transports to use, in the order to try them (see {@link RealtimeTransport} for each
     * combination): {@code WEBSOCKET} alone (the default), {@code POLLING} alone, {@code POLLING,
     * WEBSOCKET} (open with HTTP long-polling, then upgrade to a WebSocket) or {@code WEBSOCKET,
     * POLLING} (a WebSocket, falling back to polling when its handshake fails).
     *
     * <p>The default stays a WebSocket only: one connection per session, no HTTP round trip per
     * batch of packets, and every Socket.IO server of the versions this client supports accepts it.
     * Add {@code POLLING} for servers or networks that do not let a WebSocket through.
     *
     * <p>With polling, each long-poll runs on a daemon thread of the client ({@code
     * quarry-realtime-polling-...}, stopped by {@link RealtimeClient#close()}) on the same {@link
     * #httpClient(OkHttpClient) OkHttp client}, without its read and call timeouts (the heartbeat
     * bounds a poll). Cookies the server sets (sticky sessions behind a load balancer) are sent
     * back on every request of the client: the OkHttp client's own cookie jar if it has one, else a
     * bounded in-memory jar of this client. {@link #maxIncomingMessageBytes(int)} bounds each
     * packet of a poll response as it is read (a binary packet by its decoded size); a response is
     * never held in memory whole.
     *
     * <p>Over polling a server ping travels in the next poll response, which the client requests
     * once it has handed over the current one: under a flood the server's {@code pingTimeout} must
     * be longer than the time to process one response (socket.io's default of 20 s is), or the
     * session ends with a ping timeout and reconnects.
     *
     * @param transports one or two distinct transports (at build)
     */
    public Builder transports(RealtimeTransport... transports) {
      List<RealtimeTransport> copy = List.of(Objects.requireNonNull(transports, "transports"));
      this.transports = copy;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException naming the option and value that is invalid
     */
    public RealtimeOptions build() {
      Set<URI> seen = new HashSet<>();
      for (URI uri : endpoints) {
        String scheme =
            uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!Set.of("http", "https", "ws", "wss").contains(scheme) || uri.getHost() == null) {
          throw new IllegalArgumentException(
              (endpoints.size() == 1 ? "uri" : "endpoints")
                  + " must be an absolute http, https, ws or wss URI with a host, got "
                  + Redaction.url(uri));
        }
        if (!seen.add(uri)) {
          throw new IllegalArgumentException("endpoints lists " + Redaction.url(uri) + " twice");
        }
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
      }
      if (!path.endsWith("/")) {
        path = path + "/";
      }
      if (!namespace.startsWith("/") || namespace.contains(",")) {
        throw new IllegalArgumentException(
            "namespace must start with '/' and contain no ',', got '" + namespace + "'");
      }
      if (maxReconnectAttempts < 0) {
        throw new IllegalArgumentException(
            "maxReconnectAttempts must be >= 0, got " + maxReconnectAttempts);
      }
      if (sendBufferSize < 0) {
        throw new IllegalArgumentException("sendBufferSize must be >= 0, got " + sendBufferSize);
      }
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout must be positive, got " + connectTimeout);
      }
      if (ackTimeout.isNegative() || ackTimeout.isZero()) {
        throw new IllegalArgumentException("ackTimeout must be positive, got " + ackTimeout);
      }
      if (retries < 0 || retries > 1000) {
        throw new IllegalArgumentException("retries must be between 0 and 1000, got " + retries);
      }
      if (maxIncomingMessageBytes < 1024) {
        throw new IllegalArgumentException(
            "maxIncomingMessageBytes must be >= 1024, got " + maxIncomingMessageBytes);
      }
      if (maxIncomingAttachments < 1 || maxIncomingAttachments > 1000) {
        throw new IllegalArgumentException(
            "maxIncomingAttachments must be between 1 and 1000, got " + maxIncomingAttachments);
      }
      if (maxQueuedEvents < 1) {
        throw new IllegalArgumentException("maxQueuedEvents must be >= 1, got " + maxQueuedEvents);
      }
      if (maxQueuedEventBytes < 1024) {
        throw new IllegalArgumentException(
            "maxQueuedEventBytes must be >= 1024, got " + maxQueuedEventBytes);
      }
      if (transports.isEmpty() || Set.copyOf(transports).size() != transports.size()) {
        throw new IllegalArgumentException(
            "transports must list one or two distinct transports, got " + transports);
      }
      for (String e : new String[] {subscribeEvent, unsubscribeEvent}) {
        if (e.isEmpty() || RESERVED_EVENTS.contains(e)) {
          throw new IllegalArgumentException(
              "subscription event names must be non-empty and not reserved, got '" + e + "'");
        }
      }
      return new RealtimeOptions(this);
    }
  }
}
