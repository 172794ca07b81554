package dev.quarry.spring.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.Quarry;
import dev.quarry.core.ErrorHandler;
import java.util.concurrent.Executor;
import okhttp3.OkHttpClient;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures one {@link Quarry} bean from {@link QuarryProperties}, and a {@link
 * QuarryLifecycle} that connects it when the context starts and drains it when it stops.
 *
 * <p>Backs off when the application defines its own {@code Quarry} bean (the lifecycle then drives
 * that one, if it is the only one) or sets {@code quarry.enabled=false}. The {@code Quarry} uses,
 * when the context has exactly one of each: a Jackson 2 {@link ObjectMapper} (Spring Boot 4's
 * default JSON is Jackson 3: add {@code spring-boot-jackson2} or define one to share it; otherwise
 * Quarry's own mapper, which ignores unknown properties), an {@link OkHttpClient} (the application
 * owns it; Quarry does not shut it down), an {@link ErrorHandler}, a {@link QuarryRealtimeAuth};
 * and every {@link QuarryRealtimeCustomizer} and {@link QuarryBuilderCustomizer}, in order. With
 * {@code quarry.callbacks.executor=bean}, callbacks run on the named {@link Executor} bean.
 *
 * <p>The bean's destroy method is {@link Quarry#close()}: after the context closes no thread the
 * facade started is left. Bad properties fail the context's start with an exception naming the
 * option.
 */
@AutoConfiguration
@ConditionalOnClass(Quarry.class)
@EnableConfigurationProperties(QuarryProperties.class)
public class QuarryAutoConfiguration {

  /** Creates the auto-configuration; Spring calls it. */
  public QuarryAutoConfiguration() {}

  /** The {@code Quarry}, built but not connected; {@link QuarryLifecycle} connects it. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "quarry", name = "enabled", matchIfMissing = true)
  public Quarry quarry(
      QuarryProperties properties,
      ObjectProvider<ObjectMapper> objectMapper,
      ObjectProvider<OkHttpClient> httpClient,
      ObjectProvider<ErrorHandler> errorHandler,
      ObjectProvider<QuarryRealtimeAuth> realtimeAuth,
      ObjectProvider<QuarryRealtimeCustomizer> realtimeCustomizers,
      ObjectProvider<QuarryBuilderCustomizer> builderCustomizers,
      BeanFactory beanFactory) {
    Executor executor = null;
    if (properties.getCallbacks().getExecutor() == QuarryProperties.CallbackExecutor.BEAN) {
      String name = properties.getCallbacks().getBeanName();
      try {
        executor = beanFactory.getBean(name, Executor.class);
      } catch (BeansException e) {
        throw new IllegalStateException(
            "quarry.callbacks.executor=bean but there is no java.util.concurrent.Executor bean named '"
                + name
                + "' (quarry.callbacks.bean-name)",
            e);
      }
    }
    return QuarryFactory.create(
        properties,
        new QuarryFactory.Beans(
            objectMapper.getIfUnique(),
            httpClient.getIfUnique(),
            errorHandler.getIfUnique(),
            realtimeAuth.getIfUnique(),
            executor,
            realtimeCustomizers.orderedStream().toList(),
            builderCustomizers.orderedStream().toList()));
  }

  /** Connects the {@code Quarry} when the context starts and drains it when it stops. */
  @Bean
  @ConditionalOnSingleCandidate(Quarry.class)
  @ConditionalOnMissingBean
  public QuarryLifecycle quarryLifecycle(Quarry quarry, QuarryProperties properties) {
    return new QuarryLifecycle(
        quarry,
        properties.getRealtime().isConnectOnStart(),
        properties.getPersistence().isResumeOnStart(),
        properties.getShutdown().getTimeout());
  }
}
