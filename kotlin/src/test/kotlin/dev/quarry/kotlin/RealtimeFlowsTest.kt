@file:OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)

package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.realtime.ConnectionEvent
import dev.quarry.realtime.ConnectionState
import dev.quarry.realtime.Topic
import dev.quarry.realtime.TopicEvent
import dev.quarry.testing.socketio.SocketIoTestServer
import java.net.URI
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test

/** Realtime events and connection events as flows, against the real Node socket.io server. */
class RealtimeFlowsTest {
  @JvmRecord data class AgentEvent(val executionId: String, val seq: Int)

  companion object {
    private lateinit var server: SocketIoTestServer

    @BeforeAll
    @JvmStatic
    fun startServer() {
      server = SocketIoTestServer.start()
    }

    @AfterAll
    @JvmStatic
    fun stopServer() {
      server.close()
    }
  }

  private val errors = CopyOnWriteArrayList<Throwable>()
  private val topic = Topic.of("execution", "executionId", "e1")
  private val room = SocketIoTestServer.roomOf(mapOf("executionId" to "e1"))
  private var quarry: Quarry? = null

  private fun quarry(): Quarry =
      Quarry.builder()
          .realtime(URI.create(server.url())) { it }
          .connectRealtime(false)
          .errorHandler { _, e -> errors.add(e) }
          .build()
          .also { quarry = it }

  @AfterEach
  fun close() {
    quarry?.close()
  }

  @Test
  fun topicEvents_collectLiveEventsInOrder_ownTheSubscription_andEndWhenTheClientCloses() =
      runTest(timeout = 60.seconds) {
        val q = quarry()
        val client = q.realtime()
        val connection = async(start = CoroutineStart.UNDISPATCHED) { client.connectionEvents().toList() }
        val events =
            async(start = CoroutineStart.UNDISPATCHED) {
              client.events<AgentEvent>(topic, "agent-event").take(50).toList()
            }
        runCurrent() // the flows' producers start and add their listeners
        client.connect()
        awaitReal { server.state().inRoom(room).size == 1 }

        server.emitSequence(room, "agent-event", mapOf("executionId" to "e1"), 50)

        assertThat(events.await().map { it.seq }).containsExactlyElementsOf(0 until 50)
        assertThat(events.await().map { it.executionId }).containsOnly("e1")
        // take(50) ended the collection, which closed the flow's topic handle: unsubscribed.
        awaitReal { server.state().inRoom(room).isEmpty() }

        q.close()
        val log = connection.await() // completes with the client
        assertThat(log.map { it.state() })
            .containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.CLOSED)
        assertThat((log[1] as ConnectionEvent.Connected).recovered()).isFalse()
        assertThat(errors).isEmpty()
      }

  @Test
  fun events_aCollectorThatFallsBehindTheCapacity_failsWithOverflow_whileTheClientAndOtherFlowsGoOn() =
      runTest(timeout = 60.seconds) {
        val q = quarry()
        val client = q.realtime()
        val capacity = 8
        val emitted = 100
        // Held by the test so the topic stays subscribed after the flow below has taken its events.
        val held = client.subscribe(topic)
        val gate = CompletableDeferred<Unit>()
        val slowSeen = CopyOnWriteArrayList<Int>()
        val firstHeld = CompletableDeferred<Unit>()
        val slow =
            async(start = CoroutineStart.UNDISPATCHED) {
              runCatching {
                client.events<AgentEvent>("agent-event", capacity).collect {
                  slowSeen.add(it.seq)
                  firstHeld.complete(Unit)
                  gate.await()
                }
              }
            }
        val all = async(start = CoroutineStart.UNDISPATCHED) { client.topicEvents(topic).take(emitted).toList() }
        runCurrent()
        client.connect()
        awaitReal { server.state().inRoom(room).size == 1 }

        // One event that the slow collector takes and holds; then the rest, faster than it takes.
        server.emit(room, "agent-event", mapOf("executionId" to "e1", "seq" to -1))
        firstHeld.await()
        server.emitSequence(room, "agent-event", mapOf("executionId" to "e1"), emitted - 1)
        val everything = all.await()
        assertThat(everything).hasSize(emitted).allMatch { it is TopicEvent.Message }
        assertThat(everything.map { (it as TopicEvent.Message).payload().get("seq").asInt() })
            .isEqualTo(listOf(-1) + (0 until emitted - 1).toList())

        gate.complete(Unit)
        val failure = slow.await().exceptionOrNull()
        assertThat(failure).isInstanceOf(EventFlowOverflowException::class.java)
        assertThat((failure as EventFlowOverflowException).capacity).isEqualTo(capacity)
        // Delivered: the held event and a full buffer, in order; the rest was dropped and said so.
        val delivered = slowSeen.size
        val lost = emitted - delivered
        println("RELIABILITY | EventFlowOverflow | injected=$emitted | survived=$delivered | lost=$lost | capacity=$capacity")
        assertThat(delivered).isEqualTo(1 + capacity)
        assertThat(slowSeen).isEqualTo(listOf(-1) + (0 until capacity).toList())
        assertThat(client.state()).isEqualTo(ConnectionState.CONNECTED)
        // The client still delivers to a new collector.
        val again = async(start = CoroutineStart.UNDISPATCHED) { client.events<AgentEvent>("agent-event").first() }
        runCurrent()
        server.emit(room, "agent-event", mapOf("executionId" to "e1", "seq" to 1000))
        assertThat(again.await().seq).isEqualTo(1000)
        held.close()
        assertThat(errors).isEmpty()
      }

  @Test
  fun events_withoutAPayload_areNullInANullableFlow_andReportedWithoutEndingANonNullOne() =
      runTest(timeout = 60.seconds) {
        val q = quarry()
        val client = q.realtime()
        val held = client.subscribe(topic)
        val nullable = async(start = CoroutineStart.UNDISPATCHED) { client.events<AgentEvent?>("maybe").take(2).toList() }
        val strict = async(start = CoroutineStart.UNDISPATCHED) { client.events<AgentEvent>("maybe").take(1).toList() }
        runCurrent()
        client.connect()
        awaitReal { server.state().inRoom(room).size == 1 }

        server.emit(room, "maybe") // no arguments: JSON null
        server.emit(room, "maybe", mapOf("executionId" to "e1", "seq" to 7))

        assertThat(nullable.await()).containsExactly(null, AgentEvent("e1", 7))
        assertThat(strict.await()).containsExactly(AgentEvent("e1", 7))
        assertThat(errors).hasSize(1)
        val reported = generateSequence(errors[0]) { it.cause }.map { it.message.orEmpty() }.joinToString(" / ")
        assertThat(reported).contains("event 'maybe' arrived without a payload").contains("events<")
        errors.clear()
        held.close()
      }
}
