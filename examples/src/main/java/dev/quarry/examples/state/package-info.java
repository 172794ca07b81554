/**
 * The studio's client state, kept in {@link dev.quarry.store.Store}s as the web plan keeps it in
 * Zustand stores: {@link dev.quarry.examples.state.Layout} (sidebar, current view, selected
 * project), {@link dev.quarry.examples.state.Orchestrator} (the agent orchestrator's mode and
 * messages) and {@link dev.quarry.examples.state.UiState} (modal, toasts, offline banner).
 *
 * <p>Every state is an immutable record; changes return a new record ({@code withView(...)}), so
 * {@code store.update(l -> l.withView("episodes"))} is atomic and listeners see whole values.
 */
@NullMarked
package dev.quarry.examples.state;

import org.jspecify.annotations.NullMarked;
