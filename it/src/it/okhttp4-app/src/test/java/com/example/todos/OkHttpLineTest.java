package com.example.todos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With OkHttp 4.12 declared and Quarry's okhttp-jvm excluded, one OkHttp is left: 4.12.0. */
class OkHttpLineTest {
  @Test
  void exactlyOneOkHttpOnTheClassPath_version4_12() throws Exception {
    List<URL> copies =
        Collections.list(getClass().getClassLoader().getResources("okhttp3/OkHttpClient.class"));
    List<String> okhttpJars =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> new File(entry).getName().startsWith("okhttp"))
            .map(entry -> new File(entry).getName())
            .toList();

    assertThat(copies).as("copies of okhttp3.OkHttpClient").hasSize(1);
    assertThat(okhttpJars).containsExactly("okhttp-4.12.0.jar");
    assertThat(okhttp3.OkHttp.VERSION).isEqualTo("4.12.0");
  }
}
