/** Machinery behind {@code dev.quarry.optimistic}: not API, may change without notice. */
@NullMarked
package dev.quarry.optimistic.internal;

import org.jspecify.annotations.NullMarked;
