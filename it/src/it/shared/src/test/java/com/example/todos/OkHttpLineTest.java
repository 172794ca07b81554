package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exactly one OkHttp is on the class path, the one the consumer chose: its jar and version come
 * from the system properties {@code expected.okhttp.jar} and {@code expected.okhttp.version} that
 * each consumer's pom sets (OkHttp 5's {@code okhttp-jvm}, or OkHttp 4.12 with Quarry's {@code
 * okhttp-jvm} excluded).
 */
class OkHttpLineTest {
  @Test
  void exactlyOneOkHttpOnTheClassPath_theOneDeclared() throws Exception {
    List<URL> copies =
        Collections.list(getClass().getClassLoader().getResources("okhttp3/OkHttpClient.class"));
    List<String> okhttpJars =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> new File(entry).getName().startsWith("okhttp"))
            .map(entry -> new File(entry).getName())
            .toList();

    assertThat(copies).as("copies of okhttp3.OkHttpClient").hasSize(1);
    assertThat(okhttpJars).containsExactly(System.getProperty("expected.okhttp.jar"));
    assertThat(okhttp3.OkHttp.VERSION).isEqualTo(System.getProperty("expected.okhttp.version"));
  }
}
