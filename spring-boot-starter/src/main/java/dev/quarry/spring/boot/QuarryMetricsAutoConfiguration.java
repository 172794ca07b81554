package dev.quarry.spring.boot;

import dev.quarry.Quarry;
import dev.quarry.QuarryBuilder;
import dev.quarry.core.ErrorHandler;
import dev.quarry.micrometer.KeyTags;
import dev.quarry.micrometer.QuarryErrorMetrics;
import dev.quarry.micrometer.QuarryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Registers Quarry's Micrometer meters when Micrometer and {@code quarry-micrometer} are on the
 * class path: a {@link QuarryMetrics} binder for the context's one {@link Quarry} (key tags from a
 * {@link KeyTags} bean if there is one, else the key's first part; realtime events named in {@code
 * quarry.metrics.events} counted; the outbox's size on disk when {@code
 * quarry.persistence.directory} is set), and, for the auto-configured {@code Quarry}, an error
 * handler that counts {@code quarry.errors} before handing each error to the application's {@link
 * ErrorHandler} bean (or the logging one). Spring Boot's metrics support binds both to every {@link
 * MeterRegistry}. {@code quarry.metrics.enabled=false} turns it off.
 */
@AutoConfiguration(after = QuarryAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, QuarryMetrics.class, Quarry.class})
@ConditionalOnProperty(prefix = "quarry.metrics", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(QuarryProperties.class)
public class QuarryMetricsAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public QuarryMetricsAutoConfiguration() {}

  /** The binder of the {@code quarry.*} meters; closed with the context. */
  @Bean(destroyMethod = "close")
  @ConditionalOnSingleCandidate(Quarry.class)
  @ConditionalOnMissingBean
  public QuarryMetrics quarryMetrics(
      Quarry quarry, QuarryProperties properties, ObjectProvider<KeyTags> keyTags) {
    return QuarryMetrics.builder(quarry)
        .keyTags(keyTags.getIfUnique(KeyTags::firstPart))
        .countEvents(properties.getMetrics().getEvents().toArray(String[]::new))
        .build();
  }

  /**
   * Counts errors for the auto-configured {@code Quarry}: a builder customizer (first in order, so
   * an application customizer that sets its own error handler replaces it) and a meter binder.
   */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  @ConditionalOnMissingBean
  ErrorMetricsCustomizer quarryErrorMetricsCustomizer(ObjectProvider<ErrorHandler> errorHandler) {
    return new ErrorMetricsCustomizer(
        new QuarryErrorMetrics(errorHandler.getIfUnique(ErrorHandler::logging)));
  }

  /** Sets the counting error handler on the builder and binds its meters. */
  static final class ErrorMetricsCustomizer implements QuarryBuilderCustomizer, MeterBinder {
    private final QuarryErrorMetrics errors;

    ErrorMetricsCustomizer(QuarryErrorMetrics errors) {
      this.errors = errors;
    }

    @Override
    public void customize(QuarryBuilder builder) {
      builder.errorHandler(errors);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
      errors.bindTo(registry);
    }

    QuarryErrorMetrics errors() {
      return errors;
    }
  }
}
