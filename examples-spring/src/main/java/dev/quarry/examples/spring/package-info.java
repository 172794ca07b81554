/**
 * A small Spring Boot backend-for-frontend on the studio backend, through {@code
 * quarry-spring-boot-starter}: REST endpoints that serve the studio's data from Quarry's cache
 * (fetched once, deduplicated, fresh for a minute), an optimistic, durable episode create, and a
 * live count of agent events that arrive over socket.io. Start at {@link
 * dev.quarry.examples.spring.StudioBffApplication}.
 */
@NullMarked
package dev.quarry.examples.spring;

import org.jspecify.annotations.NullMarked;
