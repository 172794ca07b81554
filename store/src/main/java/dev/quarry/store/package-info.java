/**
 * Client state: {@link dev.quarry.store.Store}, an observable store over an immutable state value
 * (a record), with selectors, batching and optional JSON persistence ({@link
 * dev.quarry.store.StorePersistence}). It plays the part Zustand stores play in a web app (layout,
 * orchestrator and UI state) with the same threading and notification model as the rest of Quarry:
 * listeners run on the callback executor, in order, never under a lock, and their exceptions go to
 * the {@link dev.quarry.core.ErrorHandler}.
 *
 * <p>A {@link dev.quarry.store.StoreRegistry} lists the stores of an application and their current
 * state, for an inspector.
 *
 * <p>Everything here is non-null unless annotated {@code @Nullable}.
 */
@NullMarked
package dev.quarry.store;

import org.jspecify.annotations.NullMarked;
