package dev.quarry.examples.studio;

/**
 * Socket.io event {@code task-progress}, sent to the room of the execution.
 *
 * @param executionId the execution
 * @param percent from 0 to 100
 * @param message what the agent is doing
 * @param status {@code running}, or {@code completed} on the last step
 */
public record TaskProgress(String executionId, int percent, String message, String status) {}
