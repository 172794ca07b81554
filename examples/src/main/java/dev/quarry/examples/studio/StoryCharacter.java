package dev.quarry.examples.studio;

/**
 * A character of a project.
 *
 * @param id the server's id
 * @param projectId the project
 * @param name the character's name
 * @param role a short description of the role
 */
public record StoryCharacter(String id, String projectId, String name, String role) {}
