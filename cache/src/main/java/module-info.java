/** The query cache: {@code QueryClient}, observers, hydration. */
module dev.quarry.cache {
  requires transitive dev.quarry.core;
  requires com.github.benmanes.caffeine;

  exports dev.quarry.cache;
}
