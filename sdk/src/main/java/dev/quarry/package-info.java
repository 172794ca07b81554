/**
 * The Quarry facade: one embeddable client, {@link dev.quarry.Quarry}, that composes the query
 * cache, mutations, client-state stores and the realtime connection, and wires them together
 * (realtime keeps the cache fresh, reconnects resume mutations before queries refetch).
 *
 * <p>Start with {@link dev.quarry.Quarry#builder()}. The small types beside it are what the facade
 * adds on top of the modules: {@link dev.quarry.TopicBinding} (realtime-to-cache bindings and live
 * queries), {@link dev.quarry.KeyPrefixView} (a key-prefixed view), {@link
 * dev.quarry.Notifications} (a notification feed), {@link dev.quarry.Progress} and {@link
 * dev.quarry.ProgressStream} (task progress) and {@link dev.quarry.Inspector} (the devtools
 * snapshot).
 */
@NullMarked
package dev.quarry;

import org.jspecify.annotations.NullMarked;
