package com.example.both;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.Quarry;
import dev.quarry.core.http.JsonHttp;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quarry on a class path that holds OkHttp 4.12 and OkHttp 5 at once. */
class TwoOkHttpsTest {

  @Test
  void theBuildResolvedBothOkHttpJars() throws Exception {
    List<URL> copies =
        Collections.list(getClass().getClassLoader().getResources("okhttp3/OkHttpClient.class"));
    assertThat(copies).as("the premise of this project: two OkHttp jars").hasSize(2);
  }

  @Test
  void theFacadeRefusesToStartNamingBothJarsAndTheFix() {
    assertThatThrownBy(() -> Quarry.builder().baseUrl("http://localhost:1/").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OkHttp is on the class path 2 times")
        .hasMessageContaining("okhttp-4.12.0.jar")
        .hasMessageContaining("okhttp-jvm-")
        .hasMessageContaining("excludes com.squareup.okhttp3:okhttp-jvm");
  }

  @Test
  void soDoesAStandaloneHttpClient() {
    assertThatThrownBy(() -> JsonHttp.builder().baseUrl("http://localhost:1/").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("okhttp-4.12.0.jar");
  }
}
