package dev.quarry.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Quarry;
import dev.quarry.core.ErrorHandler;
import dev.quarry.core.QueryKey;
import dev.quarry.micrometer.QuarryMetrics;
import dev.quarry.optimistic.MutationOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class QuarryAutoConfigurationTest {
  static TestHttp http;

  static final AutoConfigurations ALL =
      AutoConfigurations.of(
          QuarryAutoConfiguration.class,
          QuarryHealthAutoConfiguration.class,
          QuarryEndpointAutoConfiguration.class,
          QuarryMetricsAutoConfiguration.class);

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(ALL)
          .withPropertyValues("quarry.base-url=" + http.baseUrl());

  @BeforeAll
  static void startServer() throws Exception {
    http = new TestHttp();
  }

  @AfterAll
  static void stopServer() {
    http.close();
  }

  @Test
  void withoutRealtimeProperties_oneQuarryWithoutRealtime_withItsLifecycleHealthAndMeters() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(Quarry.class);
          Quarry quarry = context.getBean(Quarry.class);
          assertThat(quarry.hasRealtime()).isFalse();
          assertThat(context).hasSingleBean(QuarryLifecycle.class);
          assertThat(context.getBean(QuarryLifecycle.class).isRunning()).isTrue();
          assertThat(context).hasSingleBean(QuarryHealthIndicator.class);
          assertThat(context).hasSingleBean(QuarryMetrics.class);
          // not exposed: the endpoint is not available
          assertThat(context).doesNotHaveBean(QuarryEndpoint.class);
          assertThat(
                  quarry
                      .fetch(
                          quarry.query(QueryKey.of("numbers"), h -> h.get("numbers", int[].class)))
                      .get(10, TimeUnit.SECONDS))
              .containsExactly(1, 2, 3);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnQuarry {
    @Bean
    Quarry myQuarry() {
      return Quarry.builder().build();
    }
  }

  @Test
  void applicationDefinesItsOwnQuarry_theAutoConfigurationBacksOff() {
    runner
        .withUserConfiguration(OwnQuarry.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Quarry.class);
              assertThat(context).hasBean("myQuarry").doesNotHaveBean("quarry");
              // health, endpoint and meters report on the application's Quarry
              assertThat(context).hasSingleBean(QuarryHealthIndicator.class);
            });
  }

  @Test
  void enabledFalse_noQuarry() {
    runner
        .withPropertyValues("quarry.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(Quarry.class);
              assertThat(context).doesNotHaveBean(QuarryLifecycle.class);
              assertThat(context).doesNotHaveBean(QuarryHealthIndicator.class);
            });
  }

  @Test
  void queryProperties_becomeTheClientDefaults() {
    runner
        .withPropertyValues(
            "quarry.query.retry=2", "quarry.query.retry-delay=0s", "quarry.query.stale-time=1h")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              var flaky = quarry.query(QueryKey.of("flaky"), h -> h.get("flaky", int[].class));
              // fetch() does not retry unless the defaults say so: 2 failures, then success
              assertThat(quarry.fetch(flaky).get(10, TimeUnit.SECONDS)).containsExactly(7);
              assertThat(http.count("flaky")).isEqualTo(3);
              // fresh for an hour: served from the cache
              assertThat(quarry.fetch(flaky).get(10, TimeUnit.SECONDS)).containsExactly(7);
              assertThat(http.count("flaky")).isEqualTo(3);
            });
  }

  @Test
  void mutationProperties_becomeTheDefaultsOfEveryKeyedMutation() {
    runner
        .withPropertyValues("quarry.mutation.retry=2", "quarry.mutation.retry-delay=0s")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              var keyed =
                  quarry.mutation(
                      MutationOptions.<String, int[], Void>builder()
                          .mutationKey(QueryKey.of("numbers", "add"))
                          .mutationFn((v, ctx) -> ctx.http().post("flaky-keyed", v, int[].class))
                          .build());
              assertThat(keyed.mutate("x").get(10, TimeUnit.SECONDS)).containsExactly(7);
              assertThat(http.count("flaky-keyed")).isEqualTo(3);

              // a mutation without a key takes only its own options: no retry
              var unkeyed =
                  quarry.mutation(
                      MutationOptions.<String, int[]>of(
                          (v, ctx) -> ctx.http().post("flaky-unkeyed", v, int[].class)));
              CompletableFuture<int[]> failed = unkeyed.mutate("x");
              await().atMost(Duration.ofSeconds(10)).until(failed::isDone);
              assertThat(failed).isCompletedExceptionally();
              assertThat(http.count("flaky-unkeyed")).isEqualTo(1);
            });
  }

  @Test
  void badProperties_failTheStart_namingTheOption() {
    runner
        .withPropertyValues("quarry.base-url=ftp://example.com/")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("baseUrl")
                    .hasMessageContaining("ftp://example.com/"));
    runner
        .withPropertyValues("quarry.query.gc-time=-1s")
        .run(
            context -> assertThat(context).getFailure().rootCause().hasMessageContaining("gcTime"));
    runner
        .withPropertyValues("quarry.mutation.retry=-1")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("quarry.mutation.retry"));
    runner
        .withPropertyValues("quarry.callbacks.executor=bean", "quarry.callbacks.bean-name=nope")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasStackTraceContaining("no java.util.concurrent.Executor bean named 'nope'"));
  }

  static final AtomicInteger INTERCEPTED = new AtomicInteger();
  static final ObjectMapper APP_MAPPER = new ObjectMapper();
  static final List<String> APP_ERRORS = new CopyOnWriteArrayList<>();

  @Configuration(proxyBeanMethods = false)
  static class AppBeans {
    @Bean
    OkHttpClient appHttpClient() {
      return new OkHttpClient.Builder()
          .addInterceptor(
              chain -> {
                INTERCEPTED.incrementAndGet();
                return chain.proceed(chain.request());
              })
          .build();
    }

    @Bean
    ObjectMapper appObjectMapper() {
      return APP_MAPPER;
    }

    @Bean
    ErrorHandler appErrorHandler() {
      return (context, error) -> APP_ERRORS.add(error.getMessage());
    }
  }

  @Test
  void applicationBeans_theObjectMapperOkHttpClientAndErrorHandler_areUsed() {
    int before = INTERCEPTED.get();
    OkHttpClient[] client = new OkHttpClient[1];
    runner
        .withUserConfiguration(AppBeans.class)
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              client[0] = context.getBean(OkHttpClient.class);
              assertThat(quarry.objectMapper()).isSameAs(APP_MAPPER);

              quarry
                  .fetch(quarry.query(QueryKey.of("numbers"), h -> h.get("numbers", int[].class)))
                  .get(10, TimeUnit.SECONDS);
              assertThat(INTERCEPTED.get()).isEqualTo(before + 1);

              quarry
                  .queries()
                  .subscribe(
                      e -> {
                        throw new IllegalStateException("listener broke on " + e.key());
                      });
              quarry.setQueryData(QueryKey.of("n"), 1);
              await()
                  .atMost(Duration.ofSeconds(10))
                  .until(() -> APP_ERRORS.contains("listener broke on [\"n\"]"));
              // the meters' error handler counted it on the way
              assertThat(
                      context
                          .getBean(QuarryMetricsAutoConfiguration.ErrorMetricsCustomizer.class)
                          .errors()
                          .errors())
                  .isGreaterThanOrEqualTo(1);
            });
    // the application owns its OkHttp client: closing the context did not shut it down
    assertThat(client[0].dispatcher().executorService().isShutdown()).isFalse();
  }

  @Configuration(proxyBeanMethods = false)
  static class AppExecutor {
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService uiExecutor() {
      return Executors.newSingleThreadExecutor(r -> new Thread(r, "app-ui"));
    }
  }

  @Test
  void callbackExecutorBean_runsTheCallbacks() {
    runner
        .withUserConfiguration(AppExecutor.class)
        .withPropertyValues(
            "quarry.callbacks.executor=bean", "quarry.callbacks.bean-name=uiExecutor")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              List<String> threads = new CopyOnWriteArrayList<>();
              quarry.queries().subscribe(e -> threads.add(Thread.currentThread().getName()));
              quarry.setQueryData(QueryKey.of("n"), 1);
              await().atMost(Duration.ofSeconds(10)).until(() -> !threads.isEmpty());
              assertThat(threads).containsOnly("app-ui");
            });
  }

  @Test
  void contextStop_waitsForAMutationInFlight() throws Exception {
    CompletableFuture<int[]> result = new CompletableFuture<>();
    runner
        .withPropertyValues("quarry.shutdown.timeout=10s")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              quarry
                  .mutation(
                      MutationOptions.<String, int[]>of(
                          (v, ctx) -> ctx.http().post("slow", v, int[].class)))
                  .mutate("x")
                  .whenComplete(
                      (r, e) -> {
                        if (e != null) {
                          result.completeExceptionally(e);
                        } else {
                          result.complete(r);
                        }
                      });
              await()
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> quarry.mutations().isMutating() == 1);
            });
    // the context closed only after the 300 ms response landed
    assertThat(result).isCompleted();
    assertThat(result.get()).containsExactly(9);
  }

  @Test
  void contextStop_waitsNoLongerThanTheShutdownTimeout() {
    CompletableFuture<int[]> result = new CompletableFuture<>();
    long[] closedAfterNanos = new long[1];
    runner
        .withPropertyValues("quarry.shutdown.timeout=200ms")
        .run(
            context -> {
              Quarry quarry = context.getBean(Quarry.class);
              quarry
                  .mutation(
                      MutationOptions.<String, int[]>of(
                          (v, ctx) -> ctx.http().post("very-slow", v, int[].class)))
                  .mutate("x")
                  .whenComplete((r, e) -> result.complete(r));
              await()
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> quarry.mutations().isMutating() == 1);
              closedAfterNanos[0] = System.nanoTime();
            });
    long took = System.nanoTime() - closedAfterNanos[0];
    // the 5 s response was not waited for; the mutation was failed by close()
    assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(5)).until(result::isDone);
    assertThat(result.getNow(null)).isNull();
  }

  @Test
  void withoutMicrometerOrActuatorOnTheClassPath_theQuarryAloneIsConfigured() {
    runner
        .withClassLoader(
            new FilteredClassLoader(MeterRegistry.class, HealthIndicator.class, Endpoint.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(Quarry.class);
              assertThat(context).doesNotHaveBean(QuarryMetrics.class);
              assertThat(context).doesNotHaveBean(QuarryHealthIndicator.class);
              assertThat(context).doesNotHaveBean(QuarryEndpoint.class);
            });
  }

  @Test
  void metricsAndHealthCanBeTurnedOff() {
    runner
        .withPropertyValues(
            "quarry.metrics.enabled=false", "management.health.quarry.enabled=false")
        .run(
            context -> {
              assertThat(context).hasSingleBean(Quarry.class);
              assertThat(context).doesNotHaveBean(QuarryMetrics.class);
              assertThat(context).doesNotHaveBean(QuarryHealthIndicator.class);
            });
  }
}
