package dev.quarry.examples.studio;

/**
 * The body of a start-execution request ({@code POST executions}).
 *
 * @param projectId the project
 * @param agent which agent to run
 * @param prompt what to ask it
 */
public record NewExecution(String projectId, String agent, String prompt) {}
