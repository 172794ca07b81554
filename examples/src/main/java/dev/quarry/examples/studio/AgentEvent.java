package dev.quarry.examples.studio;

/**
 * Socket.io event {@code agent-event}: one step of an agent execution, sent to the room of the
 * execution.
 *
 * @param executionId the execution
 * @param seq the event's number within the execution, from 1
 * @param type {@code thought}, {@code tool} or {@code output}
 * @param message what happened
 */
public record AgentEvent(String executionId, int seq, String type, String message) {}
