package dev.quarry.examples.studio;

/**
 * Socket.io event {@code notification}, sent to every connected client: something the user should
 * know about (an execution finished, an episode was created).
 *
 * @param id the notification's id
 * @param level {@code info}, {@code success} or {@code error}
 * @param message the text
 */
public record Notification(String id, String level, String message) {}
