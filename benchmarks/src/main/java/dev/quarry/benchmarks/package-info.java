/**
 * JMH benchmarks of Quarry against its peers (raw Caffeine, raw OkHttp + Jackson,
 * socket.io-client-java, a hand-written Engine.IO client), and harnesses for what JMH measures
 * badly (realtime throughput and latency, retained heap). See the module's README for the command.
 */
@NullMarked
package dev.quarry.benchmarks;

import org.jspecify.annotations.NullMarked;
