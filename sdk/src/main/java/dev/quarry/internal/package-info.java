/**
 * The facade's machinery: topic bindings and live-query tracking, the notification feed, progress
 * streams and the inspector's formatting. Not an API; may change without notice.
 */
@NullMarked
package dev.quarry.internal;

import org.jspecify.annotations.NullMarked;
