package dev.quarry.examples.studio;

/**
 * The variables of the rename-episode mutation.
 *
 * @param projectId the episode's project (to find its list in the cache)
 * @param episodeId the episode
 * @param title the new title
 */
public record RenameEpisode(String projectId, String episodeId, String title) {}
