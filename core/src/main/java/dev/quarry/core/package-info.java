/**
 * The shared vocabulary of every Quarry module: {@link dev.quarry.core.QueryKey keys}, injected
 * time ({@link dev.quarry.core.Clock}, {@link dev.quarry.core.Scheduler}), {@link
 * dev.quarry.core.Backoff backoff} and {@link dev.quarry.core.RetryPolicy retry}, {@link
 * dev.quarry.core.Connectivity connectivity}, JSON over HTTP, the {@link
 * dev.quarry.core.QuarryException exception root}, the {@link dev.quarry.core.ErrorHandler error
 * handler} and {@link dev.quarry.core.Registration handles}.
 *
 * <p>Everything here is non-null unless annotated {@code @Nullable}. Types in {@code
 * dev.quarry.core.internal} are machinery shared by Quarry's own modules and are not API.
 */
@NullMarked
package dev.quarry.core;

import org.jspecify.annotations.NullMarked;
