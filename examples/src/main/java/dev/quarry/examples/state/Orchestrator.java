package dev.quarry.examples.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent orchestrator: what the assistant is doing and what it said.
 *
 * @param mode {@code idle}, {@code running} or {@code reviewing}
 * @param executionId the execution being followed, or {@code ""}
 * @param messages the agent's output messages, oldest first (the last few)
 */
public record Orchestrator(String mode, String executionId, List<String> messages) {
  /** How many messages are kept. */
  public static final int MAX_MESSAGES = 5;

  /** Idle, nothing followed. */
  public static final Orchestrator INITIAL = new Orchestrator("idle", "", List.of());

  /** Copies the messages. */
  public Orchestrator {
    messages = List.copyOf(messages);
  }

  /** Following {@code id}. */
  public Orchestrator running(String id) {
    return new Orchestrator("running", id, List.of());
  }

  /** With one more message (the oldest dropped beyond {@link #MAX_MESSAGES}). */
  public Orchestrator withMessage(String message) {
    List<String> next = new ArrayList<>(messages);
    next.add(message);
    while (next.size() > MAX_MESSAGES) {
      next.remove(0);
    }
    return new Orchestrator(mode, executionId, next);
  }

  /** The execution ended; the result waits for review. */
  public Orchestrator reviewing() {
    return new Orchestrator("reviewing", executionId, messages);
  }
}
