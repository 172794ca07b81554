package dev.quarry.realtime.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import okhttp3.Cookie;
import okhttp3.CookieJar;
import okhttp3.HttpUrl;

/**
 * The cookies one realtime client received (the sticky-session cookie of a load balancer, the
 * {@code io} cookie of engine.io), sent back on its later requests; in memory, at most {@value
 * #MAX_COOKIES} cookies (the oldest goes first), expired ones dropped. Thread-safe.
 */
final class SessionCookieJar implements CookieJar {
  static final int MAX_COOKIES = 64;

  private final LinkedList<Cookie> cookies = new LinkedList<>();

  @Override
  public synchronized void saveFromResponse(HttpUrl url, List<Cookie> received) {
    long now = System.currentTimeMillis();
    for (Cookie c : received) {
      cookies.removeIf(
          old ->
              old.name().equals(c.name())
                  && old.domain().equals(c.domain())
                  && old.path().equals(c.path()));
      if (c.expiresAt() > now) {
        cookies.addLast(c);
      }
    }
    while (cookies.size() > MAX_COOKIES) {
      cookies.removeFirst();
    }
  }

  @Override
  public synchronized List<Cookie> loadForRequest(HttpUrl url) {
    long now = System.currentTimeMillis();
    List<Cookie> out = new ArrayList<>();
    for (Iterator<Cookie> it = cookies.iterator(); it.hasNext(); ) {
      Cookie c = it.next();
      if (c.expiresAt() <= now) {
        it.remove();
      } else if (c.matches(url)) {
        out.add(c);
      }
    }
    return out;
  }
}
