package dev.quarry.examples.studio;

/**
 * A series in production.
 *
 * @param id the server's id, e.g. {@code p1}
 * @param title the series title
 * @param description a line about it
 */
public record Project(String id, String title, String description) {}
