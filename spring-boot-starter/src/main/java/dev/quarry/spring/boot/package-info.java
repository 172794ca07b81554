/**
 * Spring Boot auto-configuration for Quarry.
 *
 * <p>Where to start: add {@code quarry-spring-boot-starter} and set {@code quarry.base-url} (and
 * {@code quarry.realtime.uri} for a realtime connection); inject {@link dev.quarry.Quarry}. {@link
 * dev.quarry.spring.boot.QuarryProperties} lists every property. {@link
 * dev.quarry.spring.boot.QuarryAutoConfiguration} makes one {@code Quarry} bean unless the
 * application defines one, and {@link dev.quarry.spring.boot.QuarryLifecycle} connects it when the
 * context starts and drains it when the context stops. With Actuator, {@link
 * dev.quarry.spring.boot.QuarryHealthIndicator} reports its health and {@link
 * dev.quarry.spring.boot.QuarryEndpoint} serves the inspector's snapshot; with Micrometer and
 * {@code quarry-micrometer}, meters named {@code quarry.*} are registered.
 *
 * <p>Extension points, each picked up as a bean: {@link
 * dev.quarry.spring.boot.QuarryBuilderCustomizer}, {@link
 * dev.quarry.spring.boot.QuarryRealtimeCustomizer}, {@link
 * dev.quarry.spring.boot.QuarryRealtimeAuth}, a Jackson 2 {@code ObjectMapper}, an {@code
 * OkHttpClient} and a {@link dev.quarry.core.ErrorHandler}.
 */
@NullMarked
package dev.quarry.spring.boot;

import org.jspecify.annotations.NullMarked;
