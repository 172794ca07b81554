package dev.quarry.realtime.internal;

import dev.quarry.core.Scheduler;
import dev.quarry.realtime.RealtimeOptions;
import dev.quarry.realtime.RealtimeTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import okhttp3.CookieJar;
import okhttp3.OkHttpClient;

/** Chooses the {@link Transport.Factory} of a client from {@link RealtimeOptions#transports()}. */
final class Transports {
  private Transports() {}

  /**
   * The factory for {@code options}: OkHttp WebSockets alone for the default; otherwise polling,
   * the upgrade from polling to WebSocket, and the fallback from one transport to the next, on
   * {@code http} with a cookie jar of this client unless {@code http} has its own. Polling threads
   * come from {@code threads}; the probe timeout runs on {@code scheduler}.
   */
  static Transport.Factory factory(
      RealtimeOptions options, OkHttpClient http, Scheduler scheduler, ThreadFactory threads) {
    List<RealtimeTransport> kinds = options.transports();
    if (kinds.equals(List.of(RealtimeTransport.WEBSOCKET))) {
      return OkHttpTransport.factory(http, options.compression());
    }
    OkHttpClient client =
        http.cookieJar() == CookieJar.NO_COOKIES
            ? http.newBuilder().cookieJar(new SessionCookieJar()).build()
            : http;
    Transport.Factory websockets = OkHttpTransport.factory(client, options.compression());
    OkHttpClient pollClient =
        client.newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).build();
    int max = options.maxIncomingMessageBytes();
    List<Transport.Factory> chain = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < kinds.size(); i++) {
      RealtimeTransport kind = kinds.get(i);
      names.add(kind.name().toLowerCase(Locale.ROOT));
      if (kind == RealtimeTransport.WEBSOCKET) {
        chain.add(websockets);
      } else if (kinds.subList(i + 1, kinds.size()).contains(RealtimeTransport.WEBSOCKET)) {
        chain.add(
            UpgradingTransport.factory(
                (url, headers, listener) ->
                    PollingTransport.open(client, pollClient, threads, url, headers, listener, max),
                websockets,
                scheduler));
      } else {
        chain.add(
            (url, headers, listener) ->
                PollingTransport.open(client, pollClient, threads, url, headers, listener, max));
      }
    }
    return chain.size() == 1 ? chain.get(0) : FallbackTransport.factory(chain, names);
  }
}
