/**
 * Machinery shared by the testing module's launchers (the socket.io and Redis test servers). Not
 * API: it may change in any release.
 */
@NullMarked
package dev.quarry.testing.internal;

import org.jspecify.annotations.NullMarked;
