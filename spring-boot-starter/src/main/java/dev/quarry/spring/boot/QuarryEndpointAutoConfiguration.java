package dev.quarry.spring.boot;

import dev.quarry.Quarry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Registers the read-only Actuator endpoint {@link QuarryEndpoint} ({@code quarry}) when Actuator
 * is on the class path, the context has one {@link Quarry} and the endpoint is available (enabled
 * and exposed, e.g. {@code management.endpoints.web.exposure.include=health,quarry}).
 */
@AutoConfiguration(after = QuarryAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class, Quarry.class})
@ConditionalOnSingleCandidate(Quarry.class)
@EnableConfigurationProperties(QuarryProperties.class)
public class QuarryEndpointAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public QuarryEndpointAutoConfiguration() {}

  /** The endpoint. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(QuarryEndpoint.class)
  public QuarryEndpoint quarryEndpoint(Quarry quarry, QuarryProperties properties) {
    return new QuarryEndpoint(quarry, properties.getActuator().isShowStoreState());
  }
}
