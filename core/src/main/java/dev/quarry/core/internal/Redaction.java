package dev.quarry.core.internal;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one rule for keeping secrets out of text: every URL that Quarry writes into a log line, an
 * exception message, a {@code toString}, an error-handler context or the inspector goes through
 * {@link #url(String)} first.
 *
 * <p>The rule: the user info of the authority ({@code user:password@}) becomes {@code REDACTED@};
 * the value of every query parameter (and of every {@code name=value} pair of the fragment, where
 * OAuth's implicit flow puts tokens) whose name {@linkplain #isSecretName looks like a secret}
 * becomes {@code REDACTED}. Everything else (scheme, host, port, path, other parameters) is kept,
 * so the text still says which request it was. Headers and auth payloads are never written into
 * such text at all.
 *
 * <p>Pure functions, thread-safe; never throw, whatever the input (a malformed URL is redacted as
 * far as it can be read).
 */
public final class Redaction {
  /** What a secret is replaced with. */
  public static final String MASK = "REDACTED";

  /** Names that are secrets wherever they appear in a parameter name (separators ignored). */
  private static final List<String> SECRET_PARTS =
      List.of(
          "token",
          "secret",
          "passw",
          "pwd",
          "auth",
          "apikey",
          "accesskey",
          "privatekey",
          "credential",
          "signature",
          "session",
          "cookie",
          "jwt",
          "hmac");

  /**
   * Names that are secrets when they are a whole word of the name ({@code api_key}, {@code sig}).
   */
  private static final List<String> SECRET_WORDS =
      List.of("key", "sig", "pass", "code", "sid", "otp");

  private Redaction() {}

  /**
   * {@code url} with its user info and secret-looking parameter values replaced by {@link #MASK}. A
   * relative reference ({@code items?token=abc}) has its parameters redacted too.
   */
  public static String url(String url) {
    int authorityStart = authorityStart(url);
    int queryOrFragment = indexOfAny(url, "?#", Math.max(authorityStart, 0));
    StringBuilder out = null;
    if (authorityStart >= 0) {
      int authorityEnd = indexOfAny(url, "/?#", authorityStart);
      int end = authorityEnd < 0 ? url.length() : authorityEnd;
      int at = url.lastIndexOf('@', end - 1);
      if (at >= authorityStart) {
        out = new StringBuilder(url.length());
        out.append(url, 0, authorityStart).append(MASK).append(url, at, end);
        if (queryOrFragment < 0) {
          out.append(url, end, url.length());
          return out.toString();
        }
        out.append(url, end, queryOrFragment);
      }
    }
    if (queryOrFragment < 0) {
      return out == null ? url : out.toString();
    }
    String rest = url.substring(queryOrFragment);
    String redacted = parameters(rest);
    if (out == null) {
      if (redacted.equals(rest)) {
        return url;
      }
      return url.substring(0, queryOrFragment) + redacted;
    }
    return out.append(redacted).toString();
  }

  /** {@link #url(String)} of a {@link URI}, as a URI; the same instance when nothing is secret. */
  public static URI uri(URI uri) {
    String text = uri.toString();
    String redacted = url(text);
    if (redacted.equals(text)) {
      return uri;
    }
    try {
      return URI.create(redacted);
    } catch (IllegalArgumentException e) {
      // Cannot happen for a URI that parsed (only ASCII letters were put in), but never leak.
      return URI.create(uri.getScheme() + "://" + MASK);
    }
  }

  /** {@link #url(String)} of the text of {@code uri}. */
  public static String url(URI uri) {
    return url(uri.toString());
  }

  /**
   * Whether a query parameter named {@code name} carries a secret: its name (case and the
   * separators {@code - _ .} ignored) contains token, secret, passw(ord), pwd, auth, apikey,
   * accesskey, privatekey, credential, signature, session, cookie, jwt or hmac, or one of its words
   * (split at separators and camel case) is key, sig, pass, code, sid or otp.
   */
  public static boolean isSecretName(String name) {
    String decoded = decode(name);
    StringBuilder compact = new StringBuilder(decoded.length());
    StringBuilder word = new StringBuilder();
    boolean wordMatched = false;
    for (int i = 0; i < decoded.length(); i++) {
      char c = decoded.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        wordMatched |= isSecretWord(word);
        continue;
      }
      if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(decoded.charAt(i - 1))) {
        wordMatched |= isSecretWord(word); // camel case: apiKey is api + key
      }
      char lower = Character.toLowerCase(c);
      compact.append(lower);
      word.append(lower);
    }
    if (wordMatched || isSecretWord(word)) {
      return true;
    }
    String joined = compact.toString();
    for (String part : SECRET_PARTS) {
      if (joined.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the word is a secret word; empties it for the next one. */
  private static boolean isSecretWord(StringBuilder word) {
    boolean secret = word.length() > 0 && SECRET_WORDS.contains(word.toString());
    word.setLength(0);
    return secret;
  }

  /** Redacts the pairs of a {@code ?query#fragment} tail (starting with {@code ?} or {@code #}). */
  private static String parameters(String tail) {
    StringBuilder out = new StringBuilder(tail.length());
    int i = 0;
    while (i < tail.length()) {
      char sep = tail.charAt(i);
      out.append(sep); // '?', '#', '&' or ';'
      int end = i + 1;
      while (end < tail.length() && "&;#".indexOf(tail.charAt(end)) < 0) {
        end++;
      }
      String pair = tail.substring(i + 1, end);
      int eq = pair.indexOf('=');
      if (eq > 0 && isSecretName(pair.substring(0, eq))) {
        out.append(pair, 0, eq + 1).append(MASK);
      } else {
        out.append(pair);
      }
      i = end;
    }
    return out.toString();
  }

  /** Where the authority starts ({@code scheme://}), or -1 when there is none. */
  private static int authorityStart(String url) {
    int colon = url.indexOf("://");
    if (colon < 0) {
      return -1;
    }
    for (int i = 0; i < colon; i++) {
      char c = url.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
        return -1;
      }
    }
    return colon + 3;
  }

  private static int indexOfAny(String s, String chars, int from) {
    for (int i = from; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static String decode(String name) {
    if (name.indexOf('%') < 0 && name.indexOf('+') < 0) {
      return name;
    }
    try {
      return URLDecoder.decode(name, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return name;
    }
  }
}
