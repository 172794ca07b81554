package dev.quarry.spring.boot;

import dev.quarry.Quarry;
import dev.quarry.QuarryBuilder;

/**
 * Changes the {@link QuarryBuilder} of the auto-configured {@link Quarry} after the {@code
 * quarry.*} properties and the picked-up beans were applied: anything the properties do not cover
 * (an HTTP customizer with authorization headers, a connectivity, a clock).
 *
 * <pre>{@code
 * @Bean
 * QuarryBuilderCustomizer bearerToken(TokenSource tokens) {
 *   return builder -> builder.http(h -> h.authorization(() -> Optional.of("Bearer " + tokens.current())));
 * }
 * }</pre>
 *
 * <p>Called once, on the thread that creates the {@code Quarry} bean, in the beans' {@code @Order};
 * an exception fails the bean's creation. Customizers must not call {@code build()}.
 */
@FunctionalInterface
public interface QuarryBuilderCustomizer {
  /** Changes {@code builder}. */
  void customize(QuarryBuilder builder);
}
