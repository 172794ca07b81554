/**
 * An embedded studio backend for the demo and for tests: a small REST API (projects, episodes,
 * characters, scenes, conversations, agent executions) on the JDK's HTTP server and a socket.io
 * server (netty-socketio) that runs scripted agent executions and reports them live.
 *
 * <p>Start it with {@link dev.quarry.examples.backend.StudioBackend#start()}; it listens on
 * 127.0.0.1, random ports, and {@link dev.quarry.examples.backend.StudioBackend#close()} stops
 * every thread it started. {@link dev.quarry.examples.backend.Faults} injects latency and failures.
 */
@NullMarked
package dev.quarry.examples.backend;

import org.jspecify.annotations.NullMarked;
