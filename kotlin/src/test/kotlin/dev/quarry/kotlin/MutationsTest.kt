package dev.quarry.kotlin

import dev.quarry.Quarry
import dev.quarry.core.QueryKey
import dev.quarry.core.http.HttpStatusException
import dev.quarry.core.http.JsonType
import dev.quarry.optimistic.MutationOptions
import dev.quarry.testing.VirtualTime
import java.util.Optional
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.test.runTest
import mockwebserver3.MockResponse
import mockwebserver3.MockWebServer
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/** Suspend mutations against a real HTTP server. */
class MutationsTest {
  @JvmRecord data class Episode(val number: Int, val title: String)

  private val time = VirtualTime()
  private val server = MockWebServer()
  private val errors = CopyOnWriteArrayList<Throwable>()
  private lateinit var quarry: Quarry
  private val key = QueryKey.of("episodes")

  @BeforeEach
  fun start() {
    server.start()
    quarry =
        Quarry.builder()
            .baseUrl(server.url("/api/").toString())
            .time(time, time)
            .callbackExecutor(VirtualTime.direct())
            .errorHandler { _, e -> errors.add(e) }
            .build()
  }

  @AfterEach
  fun stop() {
    quarry.close()
    server.close()
    assertThat(errors).isEmpty()
  }

  private fun json(body: String, code: Int) =
      MockResponse.Builder()
          .code(code)
          .addHeader("Content-Type", "application/json")
          .body(body)
          .build()

  private fun createEpisode(): MutationOptions<Episode, Episode, Void> =
      MutationOptions.builder<Episode, Episode, Void>()
          .mutationFn { ep, _ -> quarry.http().post("episodes", ep, Episode::class.java) }
          .optimistic<List<Episode>>({ key }) { list, ep -> list.map { it + ep } }
          .build()

  @Test
  fun awaitMutate_returnsTheServersResult_afterShowingTheOptimisticChange() = runTest {
    quarry.setQueryData(key, listOf(Episode(1, "Pilot")))
    server.enqueue(json("""{"number":2,"title":"Two (saved)"}""", 201))

    val created = quarry.mutation(createEpisode()).awaitMutate(Episode(2, "Two"))

    assertThat(created).isEqualTo(Episode(2, "Two (saved)"))
    val request = server.takeRequest(10, TimeUnit.SECONDS)!!
    assertThat(request.method).isEqualTo("POST")
    assertThat(request.body!!.utf8()).contains("\"title\":\"Two\"")
    assertThat(quarry.getQueryData<List<Episode>>(key))
        .describedAs("the optimistic change stays until the next server data")
        .hasValue(listOf(Episode(1, "Pilot"), Episode(2, "Two")))
  }

  @Test
  fun awaitMutate_serverRefuses_throwsItsErrorUnwrapped_afterRollingBack() = runTest {
    quarry.setQueryData(key, listOf(Episode(1, "Pilot")))
    server.enqueue(json("""{"error":"title taken"}""", 422))

    val error = runCatching { quarry.mutation(createEpisode()).awaitMutate(Episode(2, "Two")) }.exceptionOrNull()

    assertThat(error).isInstanceOf(HttpStatusException::class.java)
    assertThat((error as HttpStatusException).status()).isEqualTo(422)
    assertThat(quarry.getQueryData<List<Episode>>(key)).hasValue(listOf(Episode(1, "Pilot")))
    // A failure no onError took is also reported to the error handler, as Quarry does for Java.
    assertThat(errors).containsExactly(error)
    errors.clear()
  }

  @Test
  fun awaitMutateOrNull_givesNullForAVoidResult_andAwaitMutateSaysWhichToUse() = runTest {
    val archive =
        quarry.mutation(
            MutationOptions.of<String, Void> { id, _ ->
              quarry.http().post("episodes/$id/archive", mapOf<String, String>(), JsonType.none())
            })
    server.enqueue(MockResponse.Builder().code(204).build())
    server.enqueue(MockResponse.Builder().code(204).build())

    assertThat(archive.awaitMutateOrNull("e1")).isNull()
    val error = runCatching { archive.awaitMutate("e2") }.exceptionOrNull()
    assertThat(error).isInstanceOf(IllegalStateException::class.java).hasMessageContaining("awaitMutateOrNull")
    assertThat(server.requestCount).describedAs("the mutation ran; only the result was missing").isEqualTo(2)
    assertThat(archive.state().isSuccess).isTrue()
    assertThat(Optional.ofNullable(archive.state().error().orElse(null))).isEmpty()
  }
}
