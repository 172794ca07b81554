package dev.quarry.examples.studio;

import java.util.List;

/**
 * A conversation with the studio's assistant about a project.
 *
 * @param id the server's id
 * @param projectId the project
 * @param title what it is about
 * @param messages the messages, oldest first
 */
public record Conversation(String id, String projectId, String title, List<String> messages) {
  /** Copies the messages. */
  public Conversation {
    messages = List.copyOf(messages);
  }
}
