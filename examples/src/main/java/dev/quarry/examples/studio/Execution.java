package dev.quarry.examples.studio;

/**
 * An agent execution: an AI agent working on a project, reporting progress over socket.io.
 *
 * @param id the server's id ({@code x1})
 * @param projectId the project
 * @param agent which agent runs, e.g. {@code script-writer}
 * @param status {@code queued}, {@code running}, {@code completed} or {@code failed}
 * @param percent progress from 0 to 100
 * @param events how many agent events it has emitted so far
 */
public record Execution(
    String id, String projectId, String agent, String status, int percent, int events) {

  /** This execution having emitted {@code event}. */
  public Execution withEvent(AgentEvent event) {
    return new Execution(id, projectId, agent, status, percent, Math.max(events, event.seq()));
  }

  /** This execution as a {@link TaskProgress} event reports it. */
  public Execution withProgress(TaskProgress p) {
    String next = p.status().equals("completed") ? "completed" : "running";
    return new Execution(id, projectId, agent, next, p.percent(), events);
  }

  /** Whether the execution has ended. */
  public boolean isDone() {
    return status.equals("completed") || status.equals("failed");
  }
}
