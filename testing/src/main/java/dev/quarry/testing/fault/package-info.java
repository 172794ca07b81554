/**
 * Network fault injection for tests: {@link dev.quarry.testing.fault.FaultProxy}, a loopback TCP
 * proxy placed between a client and a real server that can add latency, cut bandwidth, black-hole
 * traffic, reset connections and refuse new ones while a test runs.
 */
@NullMarked
package dev.quarry.testing.fault;

import org.jspecify.annotations.NullMarked;
