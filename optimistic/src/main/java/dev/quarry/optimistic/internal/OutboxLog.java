package dev.quarry.optimistic.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** DEBUG lines of the outbox's resumes, under {@code dev.quarry.outbox}; loaded on first use. */
final class OutboxLog {
  private static final Logger LOG = LoggerFactory.getLogger("dev.quarry.outbox");

  private OutboxLog() {}

  /** A resume of the outbox took up {@code restored} records written by an earlier run. */
  static void resumed(int restored) {
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "outbox resumed: {} records of an earlier run restored, paused ones retried", restored);
    }
  }
}
