package dev.quarry.benchmarks.realtime;

/**
 * The payload of the harness's {@code tick} events, as the test server sends it: the control call's
 * base object ({@code bench}, {@code kind}, {@code text}, where {@code text} is padded to the
 * chosen payload size) plus the server's {@code seq}, the event's index within its control call.
 * Decoded by Jackson with its defaults: a field the record does not have fails the decode.
 *
 * @param bench always {@code "flood"}
 * @param kind always {@code "token"}
 * @param text the padding text
 * @param seq the index of the event in its control call, from 0
 */
public record TickRecord(String bench, String kind, String text, int seq) {}
