package dev.quarry.examples.studio;

/**
 * The body of a rename-episode request ({@code PATCH episodes/{id}}).
 *
 * @param title the new title
 */
public record EpisodePatch(String title) {}
