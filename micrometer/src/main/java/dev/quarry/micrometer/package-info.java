/**
 * Micrometer meters for a {@link dev.quarry.Quarry} facade.
 *
 * <p>Where to start: {@link dev.quarry.micrometer.QuarryMetrics}, a {@code MeterBinder} that turns
 * the facade's cache, mutation and connection events and its inspector's numbers into meters named
 * {@code quarry.*}; {@link dev.quarry.micrometer.QuarryErrorMetrics}, an error handler to build the
 * facade with, which counts reported errors and dropped realtime events. Tag values are bounded:
 * query and mutation keys are turned into tags by a {@link dev.quarry.micrometer.KeyTags key-to-tag
 * function} (default: the key's first part), never used raw.
 *
 * <p>Micrometer itself is not a dependency of this module: the application brings {@code
 * micrometer-core} (any application with a {@code MeterRegistry} has it).
 */
@NullMarked
package dev.quarry.micrometer;

import org.jspecify.annotations.NullMarked;
