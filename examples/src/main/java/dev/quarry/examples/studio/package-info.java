/**
 * The studio's domain: the JSON shapes that the studio backend serves and that the demo and the
 * small examples read and write. Projects hold episodes, characters and conversations; episodes
 * hold scenes; agent executions run against a project and report over socket.io ({@link
 * dev.quarry.examples.studio.AgentEvent}, {@link dev.quarry.examples.studio.TaskProgress}, {@link
 * dev.quarry.examples.studio.AgentComplete}, {@link dev.quarry.examples.studio.Notification}).
 *
 * <p>Every type is an immutable record that Jackson reads and writes as is.
 */
@NullMarked
package dev.quarry.examples.studio;

import org.jspecify.annotations.NullMarked;
