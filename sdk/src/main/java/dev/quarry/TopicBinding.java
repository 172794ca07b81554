package dev.quarry;

import dev.quarry.core.QueryKey;
import dev.quarry.core.Registration;
import dev.quarry.realtime.Topic;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * Realtime-to-cache rules for one topic, declared once: on event E of the topic, update a query's
 * data with a function of (old data, event), append the event to a list query, or invalidate keys.
 * From {@link Quarry#bind(Topic)}.
 *
 * <pre>{@code
 * TopicBinding exec = quarry.bind(Topic.of("execution", "executionId", id))
 *     .update("agent-status", Status.class, execKey, (Execution ex, Status s) -> ex.withStatus(s))
 *     .append("agent-event", AgentEvent.class, eventsKey)
 *     .invalidate("agent-complete", QueryKey.of("executions"))
 *     .minRefetchInterval(Duration.ofSeconds(2));   // at most one refetch per query per 2 s
 * quarry.observe(eventsOptions, this::render);   // first observer: the topic is subscribed
 * }</pre>
 *
 * <p><b>Live queries.</b> Every key named in a rule (and every key given to {@link #live}) is
 * <em>bound</em>. The topic is subscribed while at least one query whose key starts with a bound
 * key has an observer (or while a {@link #hold()} is open), and unsubscribed when the last such
 * observer leaves; gc of the queries still applies as usual.
 *
 * <p><b>Gaps.</b> When the connection comes back without recovering its session (events may have
 * been missed), every query under a bound key is invalidated: the observed ones refetch once
 * (coalesced like an invalidation rule).
 *
 * <p><b>Coalesced invalidation.</b> The invalidations a binding makes ({@link #invalidate} rules
 * and gaps) are coalesced per query, so that a peer sending events faster than the server answers
 * cannot drive the HTTP load. Each matching query is marked invalidated at once; an active one is
 * refetched at once unless a refetch of it is in flight or started less than {@link
 * #minRefetchInterval(Duration)} ago. In that case the query is marked dirty, and exactly one
 * refetch follows when the fetch has settled and the interval since its start has passed, however
 * many events came meanwhile. A running fetch is never cancelled: if one is running (started by
 * anyone), it is joined, and one refetch follows it, since it may have started before the event. So
 * a storm of events costs at most one request per query per interval, the observers see new data
 * during the storm, and the last refetch starts after the last event: the cache ends on the
 * server's last state. This departs on purpose from TanStack Query's {@code invalidateQueries},
 * whose {@code cancelRefetch} defaults to true (a running fetch is cancelled and restarted), which
 * under a stream of events would restart the fetch on every event and never let one finish. {@link
 * Quarry#invalidate(QueryKey)} and {@code queries().invalidateQueries(...)} keep TanStack's
 * behaviour. The interval is per binding; the coalescing state is per query, shared by every
 * binding of the facade.
 *
 * <p><b>Rules.</b> Updates and appends apply only to a query that has data (before the first fetch
 * the fetch brings the whole state); the event's first argument is decoded with the facade's {@code
 * ObjectMapper}; a decoding error or an exception from an update function is reported to the error
 * handler and the cache is left as it was. Rules run on the callback executor, in the order the
 * events arrived.
 *
 * <p><b>Optimistic changes.</b> What an update or append writes is server data: on a key that shows
 * optimistic changes of pending mutations, the function gets the server data under those changes
 * and its result becomes their new base (they are re-applied on top of it), so a rollback of a
 * failed mutation keeps what the server pushed; changes of succeeded mutations still waiting for
 * server data are folded into the data the function gets (see {@code
 * MutationClient#setQueryDataUnderLayers(QueryKey, Function)}).
 *
 * <p>Thread-safe. Rules may be added at any time. {@link #close()} removes the rules and ends the
 * subscription; idempotent. {@link Quarry#close()} closes every binding.
 */
public interface TopicBinding extends Registration {
  /** The topic. */
  Topic topic();

  /**
   * On {@code event}, replaces the data of the query {@code key} with {@code update(old, payload)}.
   */
  <E, T> TopicBinding update(
      String event, Class<E> type, QueryKey key, BiFunction<T, ? super E, ? extends T> update);

  /** On {@code event}, appends the payload to the {@code List<E>} data of the query {@code key}. */
  <E> TopicBinding append(String event, Class<E> type, QueryKey key);

  /**
   * On {@code event}, invalidates every query under each of {@code prefixes}: they are marked
   * invalidated and the active ones refetch, coalesced per query (see "Coalesced invalidation"
   * above).
   */
  TopicBinding invalidate(String event, QueryKey... prefixes);

  /** The default {@link #minRefetchInterval(Duration)}: one second. */
  Duration DEFAULT_MIN_REFETCH_INTERVAL = Duration.ofSeconds(1);

  /**
   * The least time between the starts of two refetches that this binding's invalidations (rules and
   * gaps) make of one query; see "Coalesced invalidation" above. {@link Duration#ZERO} keeps only
   * the in-flight coalescing (one refetch after the running one, as soon as it settles). Default
   * {@link #DEFAULT_MIN_REFETCH_INTERVAL} (one second). Applies to the events that arrive after the
   * call.
   *
   * @return this binding
   * @throws IllegalArgumentException if {@code interval} is negative, naming the option
   */
  TopicBinding minRefetchInterval(Duration interval);

  /** The current {@link #minRefetchInterval(Duration)}. */
  Duration minRefetchInterval();

  /** Binds more keys: their observers keep the topic subscribed, gaps invalidate them. */
  TopicBinding live(QueryKey... prefixes);

  /** Keeps the topic subscribed, observed or not, until the handle is closed. */
  Registration hold();

  /** Whether the topic is subscribed now. */
  boolean isSubscribed();

  /** Removes the rules and unsubscribes. Idempotent. */
  @Override
  void close();
}
