package dev.quarry.kotlin.readme

import java.nio.file.Files
import java.nio.file.Path
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/** The README's Kotlin example is the compiled ReadmeExample.kt, word for word. */
class ReadmeExampleTest {
  @Test
  fun readmeKotlinExample_isTheCompiledExample() {
    val readme = Files.readString(Path.of("..", "README.md"))
    val section = readme.indexOf("## Kotlin: coroutines and Flows")
    assertThat(section).describedAs("README has the Kotlin section").isGreaterThan(0)
    val start = readme.indexOf("```kotlin\n", section) + "```kotlin\n".length
    val block = readme.substring(start, readme.indexOf("```\n", start))
    val source =
        Files.readString(Path.of("src/test/kotlin/dev/quarry/kotlin/readme/ReadmeExample.kt"))
    assertThat(source.substringAfter("package dev.quarry.kotlin.readme\n\n")).isEqualTo(block)
  }
}
