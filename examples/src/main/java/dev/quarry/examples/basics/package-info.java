/**
 * Small examples, one concept each, every one runnable on its own against the embedded studio
 * backend:
 *
 * <ul>
 *   <li>{@link dev.quarry.examples.basics.QueryExample}: a query, cached and deduplicated;
 *   <li>{@link dev.quarry.examples.basics.OptimisticMutationExample}: an optimistic create with
 *       rollback;
 *   <li>{@link dev.quarry.examples.basics.LiveQueryExample}: a query kept fresh by socket.io
 *       events;
 *   <li>{@link dev.quarry.examples.basics.OfflineOutboxExample}: a change made offline, kept on
 *       disk and sent when back online;
 * </ul>
 *
 * <p>A Swing application on Quarry (listeners on the event dispatch thread, the devtools docked) is
 * the desktop studio, {@link dev.quarry.examples.desktop.DesktopStudio}.
 */
@NullMarked
package dev.quarry.examples.basics;

import org.jspecify.annotations.NullMarked;
