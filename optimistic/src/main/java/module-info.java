/** Mutations with optimistic updates, rollback and the offline outbox. */
module dev.quarry.optimistic {
  requires transitive dev.quarry.cache;
  requires com.h2database.mvstore;
  requires org.slf4j;

  exports dev.quarry.optimistic;
}
