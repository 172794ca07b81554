package dev.quarry.core.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The one place where Quarry's default JSON mapper and default HTTP client are made, so that every
 * client and the facade agree on them.
 */
public final class Defaults {
  private Defaults() {}

  /**
   * A new {@link ObjectMapper} for a client the application gave none: unknown properties are
   * ignored (a server that adds a field must not break its clients; a missing one still fails where
   * a record needs it), and the Jackson modules found on the class path are registered (for example
   * {@code java.time} support when {@code jackson-datatype-jsr310} is present).
   */
  public static ObjectMapper objectMapper() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .findAndAddModules()
        .build();
  }

  /**
   * A new OkHttp client for a client the application gave none, owned by {@code owner}: OkHttp's
   * defaults, with a dispatcher of the same pool shape as OkHttp's own whose daemon threads are
   * named {@code quarry-http-...}. {@code owner} stops it when it closes.
   */
  public static OkHttpClient okHttpClient(Owned owner) {
    return owner.okHttp(okHttpClientBuilder(owner.threadFactory("http")).build());
  }

  /**
   * A builder of the default OkHttp client whose dispatcher threads come from {@code threads}, for
   * an owner that stops the client its own way; {@link #okHttpClient(Owned)} is the usual choice.
   *
   * @throws IllegalStateException if the class path has two OkHttp jars or one older than 4.12
   *     ({@link OkHttpCheck})
   */
  public static OkHttpClient.Builder okHttpClientBuilder(ThreadFactory threads) {
    OkHttpCheck.requireSupported();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), threads);
    return new OkHttpClient.Builder().dispatcher(new Dispatcher(executor));
  }
}
