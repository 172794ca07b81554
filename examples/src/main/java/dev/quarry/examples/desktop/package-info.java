/**
 * The desktop studio: a Swing window on Quarry with the web studio's layout (project sidebar,
 * episodes with optimistic creates, a live agent execution, an offline banner, a notification
 * center) and the devtools in a collapsible dock. {@link dev.quarry.examples.desktop.DesktopStudio}
 * starts it against the embedded studio backend; {@link dev.quarry.examples.desktop.StudioWindow}
 * is its content, a panel the tests render without a display.
 */
@NullMarked
package dev.quarry.examples.desktop;

import org.jspecify.annotations.NullMarked;
