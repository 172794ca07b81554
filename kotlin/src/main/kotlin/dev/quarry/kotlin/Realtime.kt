package dev.quarry.kotlin

import com.fasterxml.jackson.core.type.TypeReference
import dev.quarry.core.Registration
import dev.quarry.realtime.ConnectionEvent
import dev.quarry.realtime.ConnectionState
import dev.quarry.realtime.EventListener
import dev.quarry.realtime.RealtimeClient
import dev.quarry.realtime.RealtimeException
import dev.quarry.realtime.Topic
import dev.quarry.realtime.TopicEvent
import dev.quarry.realtime.TopicSubscription
import java.lang.reflect.Proxy
import kotlin.reflect.KClass
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/**
 * The default number of events a realtime flow holds for a collector that has not taken them yet;
 * see [EventFlowOverflowException] for what happens beyond it.
 */
public const val DEFAULT_EVENT_BUFFER: Int = 1024

/**
 * A realtime flow's buffer was full: the collector fell more than `capacity` events behind. The
 * event that did not fit was not delivered; the events buffered before it were, and then the flow
 * failed with this exception. The client itself is unaffected and keeps receiving.
 *
 * This follows the client's own policy at its bound (`RealtimeOptions.Builder.maxQueuedEvents`):
 * drop what does not fit and say so, never grow without limit and never drop quietly. Collect
 * again (for example with `retry`) to resume, and refetch what the lost events would have changed;
 * or apply `conflate()` / `buffer(n, BufferOverflow.DROP_OLDEST)` to the flow when skipping events
 * is acceptable (those replace this policy).
 *
 * Immutable; thread-safe.
 *
 * @property what the events the flow carried, e.g. `event 'agent-event'`
 * @property capacity the flow's buffer size
 */
public class EventFlowOverflowException(public val what: String, public val capacity: Int) :
    RealtimeException(
        "the collector of the flow of $what fell more than $capacity events behind: the next " +
            "event was dropped and the flow ended (collect again and refetch, or give the flow a " +
            "larger capacity)") {
  private companion object {
    private const val serialVersionUID: Long = 1L
  }
}

/**
 * Every [event] of the client, its first argument decoded into [T] (generic arguments included),
 * as a cold flow: each collection adds a listener and cancelling the collection removes it. The
 * flow completes when the client is closed (at once if it already was); events still queued for
 * it then may not be emitted.
 *
 * **Start.** The listener is added when the flow's producer coroutine first runs on the
 * collector's dispatcher, shortly after `collect` is called; events that arrive before are not
 * seen. Start collecting before `connect()` (and let the collector's dispatcher run) when the
 * first events matter.
 *
 * **Threads.** Events are produced on the client's callback executor (its event lane) and
 * collected on the collector's dispatcher, in the order they arrived.
 *
 * **Buffering.** At most [capacity] events wait for the collector; one more fails the flow with
 * [EventFlowOverflowException] (see there).
 *
 * **Nullness and errors.** An event without arguments decodes as JSON null: a flow of a nullable
 * type (`events<Progress?>("progress")`) emits `null`; a flow of a non-null type reports it to the
 * client's error handler, as a payload that does not decode is, and goes on.
 *
 * ```kotlin
 * client.events<AgentComplete>("agent-complete").collect { done(it) }
 * ```
 *
 * @throws IllegalArgumentException at once if the name is reserved or [capacity] is below 1
 */
public inline fun <reified T> RealtimeClient.events(
    event: String,
    capacity: Int = DEFAULT_EVENT_BUFFER,
): Flow<T> = events(event, typeReferenceOf<T>(), null is T, capacity)

/** The non-inline part of [events]; public because inline functions call it. */
@PublishedApi
internal fun <T> RealtimeClient.events(
    event: String,
    type: TypeReference<T & Any>,
    nullable: Boolean,
    capacity: Int,
): Flow<T> {
  require(event.isNotEmpty()) { "event must not be empty" }
  return realtimeFlow(this, "event '$event'", capacity) { emit, _ ->
    on(event, type, nullTolerant { payload -> emit(checkPayload<T>(payload, nullable, event, type.type.typeName)) })
  }
}

/**
 * The [event]s routed to [topic], decoded into [T], as a cold flow that owns its subscription:
 * collecting subscribes to the topic (the client sends the subscribe event and repeats it after
 * reconnects, as [RealtimeClient.subscribe] does), cancelling the collection closes that handle
 * (the last handle of the topic unsubscribes). Completes when the client is closed.
 *
 * [T] must be a class, not a generic type (`List<X>` would lose `X`): wrap lists in a record or use
 * [topicEvents]. Threads, buffering and nullness as [events].
 *
 * ```kotlin
 * client.events<AgentEvent>(Topic.of("execution", "executionId", id), "agent-event")
 *     .collect { show(it) }
 * ```
 *
 * @throws IllegalArgumentException at once if [T] is generic or [capacity] is below 1
 */
public inline fun <reified T> RealtimeClient.events(
    topic: Topic,
    event: String,
    capacity: Int = DEFAULT_EVENT_BUFFER,
): Flow<T> {
  val type = typeReferenceOf<T>()
  require(type.type is Class<*>) {
    "events($topic, '$event'): ${type.type.typeName} is generic and topic listeners decode into a " +
        "class; wrap it in a record or collect topicEvents($topic) and decode the payload"
  }
  return typedTopicEvents(topic, event, T::class, null is T, capacity)
}

/** The non-inline part of [events] on a topic; public because inline functions call it. */
@PublishedApi
internal fun <T> RealtimeClient.typedTopicEvents(
    topic: Topic,
    event: String,
    type: KClass<*>,
    nullable: Boolean,
    capacity: Int,
): Flow<T> {
  @Suppress("UNCHECKED_CAST") val cls = type.java as Class<Any>
  return realtimeFlow(this, "event '$event' of $topic", capacity) { emit, _ ->
    val sub = subscribe(topic)
    try {
      val listener =
          sub.on(event, cls, nullTolerant { payload -> emit(checkPayload<T>(payload, nullable, event, cls.name)) })
      Registration {
        listener.close()
        sub.close()
      }
    } catch (e: RuntimeException) {
      sub.close()
      throw e
    }
  }
}

/**
 * Every [TopicEvent] of [topic] (each routed message with its raw JSON arguments, and a
 * [TopicEvent.Gap] when events may have been missed) as a cold flow that owns its subscription,
 * like [events] on a topic. Threads, buffering and completion as [events].
 *
 * @throws IllegalArgumentException at once if [capacity] is below 1
 */
public fun RealtimeClient.topicEvents(
    topic: Topic,
    capacity: Int = DEFAULT_EVENT_BUFFER,
): Flow<TopicEvent> =
    realtimeFlow(this, "events of $topic", capacity) { emit, _ ->
      val sub: TopicSubscription = subscribe(topic)
      try {
        val listener = sub.listen { e -> emit(e) }
        Registration {
          listener.close()
          sub.close()
        }
      } catch (e: RuntimeException) {
        sub.close()
        throw e
      }
    }

/**
 * The client's [ConnectionEvent]s after collection starts, as a cold flow; it emits
 * [ConnectionEvent.Closed] and completes when the client is closed (completes at once if it
 * already was). Produced on the client's control lane, so a slow event listener does not delay
 * them; collected on the collector's dispatcher. Start and buffering as [events]: collect before
 * `connect()` to see `Connecting`.
 *
 * ```kotlin
 * client.connectionEvents().collect { e -> if (e is ConnectionEvent.Connected) banner.hide() }
 * ```
 *
 * @throws IllegalArgumentException at once if [capacity] is below 1
 */
public fun RealtimeClient.connectionEvents(
    capacity: Int = DEFAULT_EVENT_BUFFER
): Flow<ConnectionEvent> =
    realtimeFlow(this, "connection events", capacity) { emit, end ->
      onConnectionEvent { e ->
        emit(e)
        if (e is ConnectionEvent.Closed) {
          end()
        }
      }
    }

/**
 * A listener that accepts the JSON null the client passes for an event without arguments. A Kotlin
 * implementation of `EventListener<T>` checks its parameter against null before its body runs, so
 * [checkPayload] could not say what happened; a proxy has no such check.
 */
private fun <T : Any> nullTolerant(handle: (Any?) -> Unit): EventListener<T> {
  val proxy =
      Proxy.newProxyInstance(EventListener::class.java.classLoader, arrayOf(EventListener::class.java)) {
          self,
          method,
          args ->
        when (method.name) {
          "onEvent" -> handle(args?.getOrNull(0)).let { null }
          "equals" -> self === args?.getOrNull(0)
          "hashCode" -> System.identityHashCode(self)
          "toString" -> "event flow listener"
          else -> throw UnsupportedOperationException(method.toString())
        }
      }
  @Suppress("UNCHECKED_CAST")
  return proxy as EventListener<T>
}

@PublishedApi
internal fun <T> checkPayload(payload: Any?, nullable: Boolean, event: String, type: String): T {
  if (payload == null && !nullable) {
    throw IllegalArgumentException(
        "event '$event' arrived without a payload (JSON null) but its flow's type $type is not " +
            "nullable; collect events<$type?> to receive it")
  }
  @Suppress("UNCHECKED_CAST")
  return payload as T
}

/**
 * A bounded flow fed by a listener that [register] adds: `emit` hands one item to the collector
 * (or fails the flow with [EventFlowOverflowException] when the buffer is full), `end` completes
 * the flow. The flow completes when the client closes, and removes the listener when collection
 * ends.
 */
private fun <T> realtimeFlow(
    client: RealtimeClient,
    what: String,
    capacity: Int,
    register: (emit: (T) -> Unit, end: () -> Unit) -> Registration,
): Flow<T> {
  require(capacity >= 1) { "capacity must be at least 1 but was $capacity ($what)" }
  return callbackFlow {
        val emit: (T) -> Unit = { item ->
          val result = trySend(item)
          if (result.isFailure && !result.isClosed) {
            channel.close(EventFlowOverflowException(what, capacity))
          }
        }
        val end: () -> Unit = { channel.close() }
        val handle = register(emit, end)
        // Registered after the flow's own listener, so that a connection flow emits Closed first.
        val closedWatch =
            try {
              client.onConnectionEvent { e ->
                if (e is ConnectionEvent.Closed) {
                  end()
                }
              }
            } catch (e: RuntimeException) {
              handle.close()
              throw e
            }
        // A client closed before the watch was added sends no Closed any more.
        if (client.state() == ConnectionState.CLOSED) {
          end()
        }
        awaitClose {
          handle.close()
          closedWatch.close()
        }
      }
      .buffer(capacity)
}
