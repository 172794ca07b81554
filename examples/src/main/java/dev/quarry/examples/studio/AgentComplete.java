package dev.quarry.examples.studio;

/**
 * Socket.io event {@code agent-complete}: the execution ended; sent to its room.
 *
 * @param executionId the execution
 * @param status {@code completed} or {@code failed}
 * @param summary what came out of it
 * @param events how many agent events it emitted in all
 */
public record AgentComplete(String executionId, String status, String summary, int events) {}
