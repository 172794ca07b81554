// The Kotlin example of README.md, as it stands there: compiled with the tests so it stays true.
package dev.quarry.kotlin.readme

import dev.quarry.Quarry
import dev.quarry.core.QueryKey
import dev.quarry.kotlin.asStateFlow
import dev.quarry.kotlin.awaitFetch
import dev.quarry.kotlin.awaitMutate
import dev.quarry.kotlin.callbackDispatcher
import dev.quarry.kotlin.connectionEvents
import dev.quarry.kotlin.events
import dev.quarry.kotlin.observe
import dev.quarry.kotlin.query
import dev.quarry.optimistic.MutationOptions
import dev.quarry.realtime.ConnectionEvent
import dev.quarry.realtime.Topic
import java.net.URI
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

@JvmRecord data class Episode(val number: Int, val title: String)
@JvmRecord data class AgentEvent(val executionId: String, val seq: Int)
@JvmRecord data class Layout(val sidebarOpen: Boolean, val view: String)

fun main() = runBlocking {
  val ui = CoroutineScope(Dispatchers.Default)
  Quarry.builder()
      .baseUrl("https://studio.example.com/api/")
      .realtime(URI.create("https://studio.example.com")) { it }
      .callbackDispatcher(Dispatchers.Default) // Quarry keeps each listener in order itself
      .build()
      .use { quarry ->
        val key = QueryKey.of("episodes", "p1")
        val episodes = quarry.query<List<Episode>>(key, "projects/p1/episodes") // no Class<T> argument

        // fetchQuery as a suspend function: cached, deduplicated, retried as configured
        val list: List<Episode> = quarry.awaitFetch(episodes)

        // a cold Flow of results: the collection owns the observer, cancelling it closes the observer
        ui.launch { quarry.observe(episodes).collect { r -> r.data().ifPresent { println("${it.size} episodes") } } }

        // a mutation as a suspend function, with its optimistic update and rollback
        val create = quarry.mutation(
            MutationOptions.builder<Episode, Episode, Void>()
                .mutationFn { ep, _ -> quarry.http().post("projects/p1/episodes", ep, Episode::class.java) }
                .optimistic<List<Episode>>({ key }) { old, ep -> old.map { it + ep } }
                .build())
        val saved: Episode = create.awaitMutate(Episode(list.size + 1, "Pilot")) // throws the server's error
        println("saved ${saved.title}")

        // realtime: a topic's events (the collection owns the subscription) and connection events
        ui.launch {
          quarry.realtime()
              .events<AgentEvent>(Topic.of("execution", "executionId", "e1"), "agent-event")
              .collect { println("agent event ${it.seq}") }
        }
        ui.launch { quarry.realtime().connectionEvents().collect { println("connection: $it") } }
        quarry.realtime().connectionEvents().first { it is ConnectionEvent.Connected }

        // a store as a StateFlow that lives as long as its scope
        val layout = quarry.store("layout", Layout(true, "episodes")).asStateFlow(ui)
        println("sidebar open: ${layout.value.sidebarOpen}")

        ui.cancel() // ends every collection: observers closed, topic unsubscribed
      }
}
