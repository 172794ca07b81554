package dev.quarry.store;

/** A state and the number of changes that led to it; compare-and-set swaps these as a unit. */
record Versioned<S>(S value, long version) {}
