package dev.quarry.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OkHttpCheckTest {
  @TempDir Path dir;

  @Test
  void thisBuildHasOneSupportedOkHttp() {
    assertThatCode(OkHttpCheck::requireSupported).doesNotThrowAnyException();
  }

  @Test
  void oneOkHttpOfASupportedLineIsFine() throws IOException {
    try (URLClassLoader loader = loaderOver("okhttp-jvm-5.5.1.jar")) {
      assertThat(OkHttpCheck.problem(loader, "5.5.1")).isEmpty();
    }
    try (URLClassLoader loader = loaderOver("okhttp-4.12.0.jar")) {
      assertThat(OkHttpCheck.problem(loader, "4.12.0")).isEmpty();
    }
  }

  @Test
  void twoOkHttpJarsAreRefusedNamingBothAndTheFix() throws IOException {
    try (URLClassLoader loader = loaderOver("okhttp-4.12.0.jar", "okhttp-jvm-5.5.1.jar")) {
      assertThat(OkHttpCheck.problem(loader, "4.12.0"))
          .contains("2 times")
          .contains("okhttp-4.12.0.jar")
          .contains("okhttp-jvm-5.5.1.jar")
          .contains("the loaded one is 4.12.0")
          .contains("excludes com.squareup.okhttp3:okhttp-jvm");
    }
  }

  @Test
  void anOkHttpOlderThan412IsRefusedNamingFoundAndRequired() throws IOException {
    try (URLClassLoader loader = loaderOver("okhttp-4.11.0.jar")) {
      assertThat(OkHttpCheck.problem(loader, "4.11.0"))
          .contains("OkHttp 4.11.0 is on the class path")
          .contains("requires OkHttp 4.12.0 or later");
    }
  }

  @Test
  void versionsCompareByTheirNumbers() {
    assertThat(OkHttpCheck.compare("5.0.0-alpha.14", "4.12.0")).isPositive();
    assertThat(OkHttpCheck.compare("4.9.3", "4.12.0")).isNegative();
    assertThat(OkHttpCheck.compare("4.12.0", "4.12.0")).isZero();
    assertThat(OkHttpCheck.compare("3.14", "4.12.0")).isNegative();
  }

  @Test
  void aPlaceIsTheJarName() throws IOException {
    assertThat(
            OkHttpCheck.place(
                new URL("jar:file:/m2/com/squareup/okhttp-4.12.0.jar!/okhttp3/OkHttpClient.class")))
        .isEqualTo("okhttp-4.12.0.jar");
  }

  /** A loader without parent over jars that each hold an {@code okhttp3/OkHttpClient.class}. */
  private URLClassLoader loaderOver(String... jarNames) throws IOException {
    URL[] urls = new URL[jarNames.length];
    for (int i = 0; i < jarNames.length; i++) {
      Path jar = dir.resolve(jarNames[i]);
      try (OutputStream out = Files.newOutputStream(jar);
          JarOutputStream j = new JarOutputStream(out)) {
        j.putNextEntry(new JarEntry("okhttp3/OkHttpClient.class"));
        j.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
        j.closeEntry();
      }
      urls[i] = jar.toUri().toURL();
    }
    return new URLClassLoader(urls, null);
  }
}
