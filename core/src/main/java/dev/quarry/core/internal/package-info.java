/**
 * Machinery shared by Quarry's modules: thread factories, serial executors, listener sets and the
 * retryer. Not API: anything here may change in any release.
 */
@NullMarked
package dev.quarry.core.internal;

import org.jspecify.annotations.NullMarked;
