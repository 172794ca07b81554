package dev.quarry.spring.boot;

import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.RefetchMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code quarry.*} properties of the auto-configured {@link dev.quarry.Quarry}. Unset values
 * keep Quarry's defaults (TanStack Query's for queries and mutations).
 *
 * <pre>
 * quarry.base-url=https://studio.example.com/api/
 * quarry.realtime.uri=https://studio.example.com
 * quarry.query.stale-time=5m
 * quarry.query.gc-time=30m
 * quarry.query.retry=3
 * quarry.persistence.directory=/var/lib/studio-bff/quarry
 * quarry.shutdown.timeout=10s
 * </pre>
 *
 * <p>A mutable bean for Spring's binder; read by the auto-configuration once, when the {@code
 * Quarry} bean is created (later changes have no effect). Bad values (a negative duration, a base
 * URL that is not http(s)) fail the context's start with an exception naming the option.
 */
@ConfigurationProperties("quarry")
public class QuarryProperties {
  /** Whether to auto-configure a Quarry bean at all. */
  private boolean enabled = true;

  /** The base URL that query and mutation functions' HTTP paths resolve against, ending in '/'. */
  private @Nullable String baseUrl;

  private final Realtime realtime = new Realtime();
  private final Query query = new Query();
  private final Mutation mutation = new Mutation();
  private final Persistence persistence = new Persistence();
  private final Callbacks callbacks = new Callbacks();
  private final Shutdown shutdown = new Shutdown();
  private final Actuator actuator = new Actuator();
  private final Metrics metrics = new Metrics();

  /** Whether to auto-configure a Quarry bean. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether to auto-configure a Quarry bean. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The base URL, if set. */
  public @Nullable String getBaseUrl() {
    return baseUrl;
  }

  /** Sets the base URL. */
  public void setBaseUrl(@Nullable String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** The realtime connection. */
  public Realtime getRealtime() {
    return realtime;
  }

  /** Client-wide query defaults. */
  public Query getQuery() {
    return query;
  }

  /** Defaults for every mutation that has a key. */
  public Mutation getMutation() {
    return mutation;
  }

  /** Durable state. */
  public Persistence getPersistence() {
    return persistence;
  }

  /** Where callbacks run. */
  public Callbacks getCallbacks() {
    return callbacks;
  }

  /** How the context's shutdown drains Quarry. */
  public Shutdown getShutdown() {
    return shutdown;
  }

  /** The Actuator endpoint. */
  public Actuator getActuator() {
    return actuator;
  }

  /** The Micrometer meters. */
  public Metrics getMetrics() {
    return metrics;
  }

  /** {@code quarry.realtime.*}: the Socket.IO connection (none unless {@code uri} is set). */
  public static class Realtime {
    /** The Socket.IO server's URI (http, https, ws or wss); no realtime connection if unset. */
    private @Nullable URI uri;

    /** The Engine.IO path. */
    private String path = "/socket.io/";

    /** The Socket.IO namespace. */
    private String namespace = "/";

    /** Whether to connect when the application context starts. */
    private boolean connectOnStart = true;

    /** The deadline of one connection attempt, up to the server's CONNECT reply. */
    private @Nullable Duration connectTimeout;

    /** The acknowledgement timeout of emits that do not give one. */
    private @Nullable Duration ackTimeout;

    /** Reconnect attempts before giving up (0: never reconnect); unlimited if unset. */
    private @Nullable Integer maxReconnectAttempts;

    /** The server URI, if set. */
    public @Nullable URI getUri() {
      return uri;
    }

    /** Sets the server URI. */
    public void setUri(@Nullable URI uri) {
      this.uri = uri;
    }

    /** The Engine.IO path. */
    public String getPath() {
      return path;
    }

    /** Sets the Engine.IO path. */
    public void setPath(String path) {
      this.path = path;
    }

    /** The namespace. */
    public String getNamespace() {
      return namespace;
    }

    /** Sets the namespace. */
    public void setNamespace(String namespace) {
      this.namespace = namespace;
    }

    /** Whether to connect when the context starts. */
    public boolean isConnectOnStart() {
      return connectOnStart;
    }

    /** Sets whether to connect when the context starts. */
    public void setConnectOnStart(boolean connectOnStart) {
      this.connectOnStart = connectOnStart;
    }

    /** The connect timeout, if set. */
    public @Nullable Duration getConnectTimeout() {
      return connectTimeout;
    }

    /** Sets the connect timeout. */
    public void setConnectTimeout(@Nullable Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    /** The ack timeout, if set. */
    public @Nullable Duration getAckTimeout() {
      return ackTimeout;
    }

    /** Sets the ack timeout. */
    public void setAckTimeout(@Nullable Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
    }

    /** The reconnect attempts, if set. */
    public @Nullable Integer getMaxReconnectAttempts() {
      return maxReconnectAttempts;
    }

    /** Sets the reconnect attempts. */
    public void setMaxReconnectAttempts(@Nullable Integer maxReconnectAttempts) {
      this.maxReconnectAttempts = maxReconnectAttempts;
    }
  }

  /** {@code quarry.query.*}: client-wide query defaults; unset ones keep TanStack's. */
  public static class Query {
    /** How long data stays fresh (TanStack's default: 0, stale at once). */
    private @Nullable Duration staleTime;

    /** How long an unobserved query stays cached (default 5 minutes). */
    private @Nullable Duration gcTime;

    /** Retries of a failed fetch (default 3 for observed queries, none for fetch()). */
    private @Nullable Integer retry;

    /** A constant delay between retries (default exponential backoff). */
    private @Nullable Duration retryDelay;

    /** When fetches may run with respect to connectivity (default online). */
    private @Nullable NetworkMode networkMode;

    /** Whether observed queries refetch when connectivity comes back (default if-stale). */
    private @Nullable RefetchMode refetchOnReconnect;

    /** The staleTime, if set. */
    public @Nullable Duration getStaleTime() {
      return staleTime;
    }

    /** Sets the staleTime. */
    public void setStaleTime(@Nullable Duration staleTime) {
      this.staleTime = staleTime;
    }

    /** The gcTime, if set. */
    public @Nullable Duration getGcTime() {
      return gcTime;
    }

    /** Sets the gcTime. */
    public void setGcTime(@Nullable Duration gcTime) {
      this.gcTime = gcTime;
    }

    /** The retries, if set. */
    public @Nullable Integer getRetry() {
      return retry;
    }

    /** Sets the retries. */
    public void setRetry(@Nullable Integer retry) {
      this.retry = retry;
    }

    /** The retry delay, if set. */
    public @Nullable Duration getRetryDelay() {
      return retryDelay;
    }

    /** Sets the retry delay. */
    public void setRetryDelay(@Nullable Duration retryDelay) {
      this.retryDelay = retryDelay;
    }

    /** The network mode, if set. */
    public @Nullable NetworkMode getNetworkMode() {
      return networkMode;
    }

    /** Sets the network mode. */
    public void setNetworkMode(@Nullable NetworkMode networkMode) {
      this.networkMode = networkMode;
    }

    /** Refetch on reconnect, if set. */
    public @Nullable RefetchMode getRefetchOnReconnect() {
      return refetchOnReconnect;
    }

    /** Sets refetch on reconnect. */
    public void setRefetchOnReconnect(@Nullable RefetchMode refetchOnReconnect) {
      this.refetchOnReconnect = refetchOnReconnect;
    }
  }

  /**
   * {@code quarry.mutation.*}: defaults registered for every mutation that has a mutation key (the
   * empty key prefix matches them all); a mutation without a key takes only its own options.
   */
  public static class Mutation {
    /** Retries of a failed mutation (default none; persistent ones retry retryable failures). */
    private @Nullable Integer retry;

    /** A constant delay between retries. */
    private @Nullable Duration retryDelay;

    /** When mutations may run with respect to connectivity (default online). */
    private @Nullable NetworkMode networkMode;

    /** How long a settled mutation stays in the mutation cache (default 5 minutes). */
    private @Nullable Duration gcTime;

    /** The retries, if set. */
    public @Nullable Integer getRetry() {
      return retry;
    }

    /** Sets the retries. */
    public void setRetry(@Nullable Integer retry) {
      this.retry = retry;
    }

    /** The retry delay, if set. */
    public @Nullable Duration getRetryDelay() {
      return retryDelay;
    }

    /** Sets the retry delay. */
    public void setRetryDelay(@Nullable Duration retryDelay) {
      this.retryDelay = retryDelay;
    }

    /** The network mode, if set. */
    public @Nullable NetworkMode getNetworkMode() {
      return networkMode;
    }

    /** Sets the network mode. */
    public void setNetworkMode(@Nullable NetworkMode networkMode) {
      this.networkMode = networkMode;
    }

    /** The gc time, if set. */
    public @Nullable Duration getGcTime() {
      return gcTime;
    }

    /** Sets the gc time. */
    public void setGcTime(@Nullable Duration gcTime) {
      this.gcTime = gcTime;
    }

    /** Whether any mutation default is set. */
    boolean isSet() {
      return retry != null || retryDelay != null || networkMode != null || gcTime != null;
    }
  }

  /** {@code quarry.persistence.*}: durable state (the mutation outbox and persisted stores). */
  public static class Persistence {
    /** The directory of the outbox (outbox.mv) and persisted stores; in memory only if unset. */
    private @Nullable Path directory;

    /** Whether to send, when the context starts, what the outbox kept from the last run. */
    private boolean resumeOnStart = true;

    /** The directory, if set. */
    public @Nullable Path getDirectory() {
      return directory;
    }

    /** Sets the directory. */
    public void setDirectory(@Nullable Path directory) {
      this.directory = directory;
    }

    /** Whether to resume the outbox when the context starts. */
    public boolean isResumeOnStart() {
      return resumeOnStart;
    }

    /** Sets whether to resume the outbox when the context starts. */
    public void setResumeOnStart(boolean resumeOnStart) {
      this.resumeOnStart = resumeOnStart;
    }
  }

  /** Which executor runs Quarry's callbacks. */
  public enum CallbackExecutor {
    /** One daemon thread quarry-callbacks-N that the Quarry owns and stops. */
    QUARRY,
    /**
     * The application's {@code java.util.concurrent.Executor} bean named by {@code
     * quarry.callbacks.bean-name}; the application owns and stops it.
     */
    BEAN
  }

  /** {@code quarry.callbacks.*}: where listeners, observers and mutation callbacks run. */
  public static class Callbacks {
    /** Which executor runs callbacks. */
    private CallbackExecutor executor = CallbackExecutor.QUARRY;

    /** The name of the Executor bean used when executor=bean. */
    private String beanName = "applicationTaskExecutor";

    /** Which executor runs callbacks. */
    public CallbackExecutor getExecutor() {
      return executor;
    }

    /** Sets which executor runs callbacks. */
    public void setExecutor(CallbackExecutor executor) {
      this.executor = executor;
    }

    /** The Executor bean's name. */
    public String getBeanName() {
      return beanName;
    }

    /** Sets the Executor bean's name. */
    public void setBeanName(String beanName) {
      this.beanName = beanName;
    }
  }

  /** {@code quarry.shutdown.*}: draining when the context stops. */
  public static class Shutdown {
    /** How long the context's stop waits for mutations in flight to settle before closing. */
    private Duration timeout = Duration.ofSeconds(10);

    /** The drain timeout. */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets the drain timeout. */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** {@code quarry.actuator.*}: the {@code quarry} Actuator endpoint. */
  public static class Actuator {
    /**
     * Whether the endpoint shows the states of client-state stores (otherwise their names only).
     */
    private boolean showStoreState = false;

    /** Whether store states are shown. */
    public boolean isShowStoreState() {
      return showStoreState;
    }

    /** Sets whether store states are shown. */
    public void setShowStoreState(boolean showStoreState) {
      this.showStoreState = showStoreState;
    }
  }

  /** {@code quarry.metrics.*}: the Micrometer meters. */
  public static class Metrics {
    /**
     * Whether to register the quarry.* meters when Micrometer and quarry-micrometer are present.
     */
    private boolean enabled = true;

    /** Realtime event names counted in quarry.realtime.events (tag event). */
    private List<String> events = new ArrayList<>();

    /** Whether meters are registered. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether meters are registered. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The counted event names. */
    public List<String> getEvents() {
      return events;
    }

    /** Sets the counted event names. */
    public void setEvents(List<String> events) {
      this.events = events;
    }
  }
}
