/**
 * Devtools for Swing applications: {@link dev.quarry.devtools.swing.QuarryDevtools}, a component
 * that shows a {@link dev.quarry.Quarry}'s queries, mutations, realtime connection, stores and
 * outbox live, with React Query Devtools' actions (refetch, invalidate, reset, remove a query; go
 * offline and back online).
 *
 * <p>Where to start: add {@code QuarryDevtools.create(quarry)} to any container, or open it in a
 * window of its own with {@link dev.quarry.devtools.swing.QuarryDevtools#openWindow}. It reads
 * everything through {@link dev.quarry.Quarry#inspector()}, runs on the event dispatch thread, and
 * listens and re-reads only while it is displayable. {@link
 * dev.quarry.devtools.swing.DevtoolsOptions} sets how often it re-reads and which scheduler drives
 * that (virtual time in tests). Everything else in this package is package-private.
 */
@NullMarked
package dev.quarry.devtools.swing;

import org.jspecify.annotations.NullMarked;
