/**
 * Test support for code that uses Quarry, and for Quarry's own tests: {@link
 * dev.quarry.testing.VirtualTime} (a clock and scheduler that only move when a test advances them)
 * and {@link dev.quarry.testing.RecordingListener} (a listener that queues what it receives and
 * checks at the end that nothing unexpected is left).
 */
@NullMarked
package dev.quarry.testing;

import org.jspecify.annotations.NullMarked;
