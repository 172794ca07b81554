package dev.quarry.core.internal;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks once per JVM that exactly one OkHttp of a supported line is on the class path, so that an
 * application whose build resolved two OkHttp jars (OkHttp 4's {@code okhttp} and OkHttp 5's {@code
 * okhttp-jvm} carry the same {@code okhttp3} package under different artifact names, so Maven keeps
 * both) fails when its first Quarry client is built, with a message naming the jars and the fix,
 * instead of whenever the two happen to disagree.
 *
 * <p>Thread-safe. The verdict is computed on first use and kept.
 */
public final class OkHttpCheck {
  /** The oldest OkHttp Quarry runs on. */
  public static final String OLDEST_SUPPORTED = "4.12.0";

  private static final String CLIENT_CLASS = "okhttp3/OkHttpClient.class";

  /** Empty when fine, else the message; null until first checked. */
  private static volatile @Nullable String verdict;

  private OkHttpCheck() {}

  /**
   * Passes if one supported OkHttp is on the class path.
   *
   * @throws IllegalStateException naming the OkHttp jars found, their versions and the fix, if
   *     there are two or more, or if the one found is older than {@value #OLDEST_SUPPORTED}
   */
  public static void requireSupported() {
    String v = verdict;
    if (v == null) {
      v = problem(OkHttpCheck.class.getClassLoader(), runtimeVersion());
      verdict = v;
    }
    if (!v.isEmpty()) {
      throw new IllegalStateException(v);
    }
  }

  /**
   * What is wrong with the OkHttp that {@code loader} sees, whose loaded version is {@code
   * version}; empty if nothing.
   */
  static String problem(@Nullable ClassLoader loader, String version) {
    List<String> copies = copies(loader);
    if (copies.size() > 1) {
      return "OkHttp is on the class path "
          + copies.size()
          + " times: "
          + String.join(", ", copies)
          + " (the loaded one is "
          + version
          + "). Keep exactly one: an application on OkHttp 4.12 excludes"
          + " com.squareup.okhttp3:okhttp-jvm from every Quarry dependency; otherwise remove"
          + " com.squareup.okhttp3:okhttp 4.x and let Quarry bring OkHttp 5"
          + " (README.md, \"Which OkHttp\")";
    }
    if (compare(version, OLDEST_SUPPORTED) < 0) {
      return "OkHttp "
          + version
          + " is on the class path but Quarry requires OkHttp "
          + OLDEST_SUPPORTED
          + " or later (4.12 or 5.x); align com.squareup.okhttp3 (README.md, \"Which OkHttp\")";
    }
    return "";
  }

  /** Where each copy of OkHttp's client class comes from, as jar (or folder) names. */
  private static List<String> copies(@Nullable ClassLoader loader) {
    ClassLoader l = loader != null ? loader : ClassLoader.getSystemClassLoader();
    Set<String> places = new LinkedHashSet<>();
    try {
      for (URL url : Collections.list(l.getResources(CLIENT_CLASS))) {
        places.add(place(url));
      }
    } catch (IOException e) {
      return List.of(); // cannot tell: do not block the application for it
    }
    return new ArrayList<>(places);
  }

  /** {@code okhttp-4.12.0.jar} from {@code jar:file:/m2/.../okhttp-4.12.0.jar!/okhttp3/...}. */
  static String place(URL url) {
    String s = url.toString();
    int bang = s.indexOf("!/");
    String container = bang >= 0 ? s.substring(0, bang) : s;
    int slash = container.lastIndexOf('/', container.length() - 2);
    return slash >= 0 ? container.substring(slash + 1) : container;
  }

  /** The version of the OkHttp that is loaded, read at run time (the constant would be inlined). */
  private static String runtimeVersion() {
    try {
      Object v = Class.forName("okhttp3.OkHttp").getField("VERSION").get(null);
      return String.valueOf(v);
    } catch (ReflectiveOperationException | LinkageError e) {
      return OLDEST_SUPPORTED; // OkHttp before 4 has no such class and fails far earlier anyway
    }
  }

  /** Compares dotted versions by their leading numbers ({@code 5.0.0-alpha.14} is 5.0.0). */
  static int compare(String a, String b) {
    int[] x = numbers(a);
    int[] y = numbers(b);
    for (int i = 0; i < 3; i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return 0;
  }

  private static int[] numbers(String version) {
    int[] n = new int[3];
    String[] parts = version.split("[.-]", 4);
    for (int i = 0; i < 3 && i < parts.length; i++) {
      try {
        n[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        break;
      }
    }
    return n;
  }
}
