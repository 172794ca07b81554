package dev.quarry.examples.studio;

/**
 * The body of a create-episode request.
 *
 * @param projectId the project to add the episode to
 * @param title the title
 */
public record NewEpisode(String projectId, String title) {}
