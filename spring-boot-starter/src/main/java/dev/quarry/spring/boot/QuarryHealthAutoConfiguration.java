package dev.quarry.spring.boot;

import dev.quarry.Quarry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Registers {@link QuarryHealthIndicator} as the health contributor {@code quarry} when Spring
 * Boot's health support is on the class path and the context has one {@link Quarry}; {@code
 * management.health.quarry.enabled=false} turns it off.
 */
@AutoConfiguration(after = QuarryAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, Quarry.class})
@ConditionalOnSingleCandidate(Quarry.class)
@ConditionalOnEnabledHealthIndicator("quarry")
public class QuarryHealthAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public QuarryHealthAutoConfiguration() {}

  /** The health indicator; closed with the context. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(name = "quarryHealthIndicator")
  public QuarryHealthIndicator quarryHealthIndicator(Quarry quarry) {
    return new QuarryHealthIndicator(quarry);
  }
}
