package dev.quarry.examples.studio;

/**
 * One token of an agent's draft, as the studio streams it over server-sent events.
 *
 * @param index the token's position, from 1; also its event ID
 * @param text the token's text, with its leading space
 */
public record DraftToken(int index, String text) {}
