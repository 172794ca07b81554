/**
 * Quarry's foundation: query keys, time, backoff, connectivity, JSON over HTTP, errors and handles.
 *
 * <p>{@code dev.quarry.core.internal} is machinery shared by Quarry's own modules and is exported
 * to them only; it is not API.
 */
module dev.quarry.core {
  requires transitive com.fasterxml.jackson.databind;
  requires transitive okhttp3;
  requires transitive org.jspecify;
  requires org.slf4j;

  exports dev.quarry.core;
  exports dev.quarry.core.http;
  exports dev.quarry.core.internal to
      dev.quarry.testing,
      dev.quarry.cache,
      dev.quarry.realtime,
      dev.quarry.store,
      dev.quarry.optimistic,
      dev.quarry.sdk;
}
