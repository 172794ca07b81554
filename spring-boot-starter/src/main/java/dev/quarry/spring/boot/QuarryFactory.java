package dev.quarry.spring.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Quarry;
import dev.quarry.QuarryBuilder;
import dev.quarry.cache.NetworkMode;
import dev.quarry.cache.QueryDefaults;
import dev.quarry.cache.RefetchMode;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.core.RetryPolicy;
import dev.quarry.optimistic.MutationOptions;
import dev.quarry.realtime.RealtimeOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/** Builds the auto-configured {@link Quarry} from the properties and the picked-up beans. */
final class QuarryFactory {
  private QuarryFactory() {}

  /** What the application context offers; each may be absent. */
  record Beans(
      @Nullable ObjectMapper objectMapper,
      @Nullable OkHttpClient httpClient,
      @Nullable ErrorHandler errorHandler,
      @Nullable QuarryRealtimeAuth realtimeAuth,
      @Nullable Executor callbackExecutor,
      List<QuarryRealtimeCustomizer> realtimeCustomizers,
      List<QuarryBuilderCustomizer> builderCustomizers) {}

  static Quarry create(QuarryProperties props, Beans beans) {
    QuarryBuilder b = Quarry.builder();
    String baseUrl = props.getBaseUrl();
    if (baseUrl != null) {
      b.baseUrl(baseUrl);
    }
    ObjectMapper mapper = beans.objectMapper();
    if (mapper != null) {
      b.objectMapper(mapper);
    }
    OkHttpClient http = beans.httpClient();
    if (http != null) {
      b.httpClient(http);
    }
    ErrorHandler handler = beans.errorHandler();
    b.errorHandler(handler != null ? handler : ErrorHandler.logging());
    Executor executor = beans.callbackExecutor();
    if (executor != null) {
      b.callbackExecutor(executor);
    }
    b.queryDefaults(queryDefaults(props.getQuery()));
    URI uri = props.getRealtime().getUri();
    if (uri != null) {
      b.realtime(realtimeOptions(uri, props.getRealtime(), beans));
    }
    // QuarryLifecycle connects once the context has started, not while beans are being created.
    b.connectRealtime(false);
    Path dir = props.getPersistence().getDirectory();
    if (dir != null) {
      b.persistence(dir);
    }
    for (QuarryBuilderCustomizer c : beans.builderCustomizers()) {
      c.customize(b);
    }
    Quarry quarry = b.build();
    try {
      if (props.getMutation().isSet()) {
        quarry
            .mutations()
            .setMutationDefaults(QueryKey.empty(), mutationDefaults(props.getMutation()));
      }
    } catch (RuntimeException e) {
      quarry.close();
      throw e;
    }
    return quarry;
  }

  static QueryDefaults queryDefaults(QuarryProperties.Query q) {
    QueryDefaults.Builder d = QueryDefaults.builder();
    Duration staleTime = q.getStaleTime();
    if (staleTime != null) {
      d.staleTime(staleTime);
    }
    Duration gcTime = q.getGcTime();
    if (gcTime != null) {
      d.gcTime(gcTime);
    }
    Integer retry = q.getRetry();
    if (retry != null) {
      d.retry(retry);
    }
    Duration retryDelay = q.getRetryDelay();
    if (retryDelay != null) {
      d.retryDelay(retryDelay);
    }
    NetworkMode networkMode = q.getNetworkMode();
    if (networkMode != null) {
      d.networkMode(networkMode);
    }
    RefetchMode refetchOnReconnect = q.getRefetchOnReconnect();
    if (refetchOnReconnect != null) {
      d.refetchOnReconnect(refetchOnReconnect);
    }
    return d.build();
  }

  static MutationOptions<Object, Object, Object> mutationDefaults(QuarryProperties.Mutation m) {
    MutationOptions.Builder<Object, Object, Object> o = MutationOptions.builder();
    Integer retry = m.getRetry();
    if (retry != null) {
      if (retry < 0) {
        throw new IllegalArgumentException(
            "quarry.mutation.retry must not be negative but was " + retry);
      }
      o.retry(retry == 0 ? RetryPolicy.never() : RetryPolicy.times(retry));
    }
    Duration delay = m.getRetryDelay();
    if (delay != null) {
      o.retryDelay(delay);
    }
    NetworkMode networkMode = m.getNetworkMode();
    if (networkMode != null) {
      o.networkMode(networkMode);
    }
    Duration gc = m.getGcTime();
    if (gc != null) {
      o.gcTime(gc);
    }
    return o.build();
  }

  static RealtimeOptions realtimeOptions(URI uri, QuarryProperties.Realtime r, Beans beans) {
    RealtimeOptions.Builder rb =
        RealtimeOptions.builder(uri).path(r.getPath()).namespace(r.getNamespace());
    Duration connectTimeout = r.getConnectTimeout();
    if (connectTimeout != null) {
      rb.connectTimeout(connectTimeout);
    }
    Duration ackTimeout = r.getAckTimeout();
    if (ackTimeout != null) {
      rb.ackTimeout(ackTimeout);
    }
    Integer attempts = r.getMaxReconnectAttempts();
    if (attempts != null) {
      rb.maxReconnectAttempts(attempts);
    }
    QuarryRealtimeAuth auth = beans.realtimeAuth();
    if (auth != null) {
      rb.auth(auth::handshakeAuth);
    }
    for (QuarryRealtimeCustomizer c : beans.realtimeCustomizers()) {
      c.customize(rb);
    }
    return rb.build();
  }
}
