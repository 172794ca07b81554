package dev.quarry.fixturea.internal;

/** A planted internal type for {@code ArchitectureTest}. */
public final class Engine {}
