package dev.quarry.examples.studio;

/**
 * A scene of an episode.
 *
 * @param id the server's id
 * @param episodeId the episode
 * @param order its position in the episode, from 1
 * @param title a slug line
 */
public record Scene(String id, String episodeId, int order, String title) {}
