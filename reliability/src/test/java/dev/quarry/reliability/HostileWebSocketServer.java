package dev.quarry.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;

/**
 * A WebSocket server on raw sockets that does what a well-behaved one never does: it agrees to
 * {@code permessage-deflate} whether or not the client offered it, and its {@link Script} writes
 * any frame it likes (compressed bombs, huge frames, hostile Engine.IO open packets). Each
 * connection runs the script on its own thread, while another thread reads and discards what the
 * client sends. One instance per test; {@link #close()} ends everything.
 */
final class HostileWebSocketServer implements AutoCloseable {
  /** What the server does on one connection after the handshake. */
  interface Script {
    void run(Peer peer) throws IOException;
  }

  /** The server's side of one connection. */
  static final class Peer {
    private final OutputStream out;
    final int index;

    Peer(OutputStream out, int index) {
      this.out = out;
      this.index = index;
    }

    /** Writes one unfragmented text frame. */
    void text(String text) throws IOException {
      frame(0x1, false, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one binary frame. */
    void binary(byte[] data) throws IOException {
      frame(0x2, false, data);
    }

    /**
     * Writes a text frame of {@code prefix}, {@code count} times {@code fill}, then {@code suffix}.
     */
    void hugeText(String prefix, char fill, long count, String suffix) throws IOException {
      byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
      byte[] s = suffix.getBytes(StandardCharsets.UTF_8);
      header(0x1, false, p.length + count + s.length);
      out.write(p);
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) fill);
      long left = count;
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
      out.write(s);
      out.flush();
    }

    /** Writes a text frame with RSV1 set: a message compressed with permessage-deflate. */
    void compressedText(byte[] deflated) throws IOException {
      frame(0x1, true, deflated);
    }

    private void frame(int opcode, boolean rsv1, byte[] payload) throws IOException {
      header(opcode, rsv1, payload.length);
      out.write(payload);
      out.flush();
    }

    private void header(int opcode, boolean rsv1, long length) throws IOException {
      out.write(0x80 | (rsv1 ? 0x40 : 0) | opcode);
      if (length < 126) {
        out.write((int) length);
      } else if (length < 65536) {
        out.write(126);
        out.write((int) (length >>> 8));
        out.write((int) length);
      } else {
        out.write(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          out.write((int) (length >>> shift));
        }
      }
    }
  }

  private final ServerSocket server;
  private final Script script;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> offeredExtensions = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Throwable> scriptErrors = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  HostileWebSocketServer(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "hostile-ws-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URL a realtime client connects to. */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections whose handshake completed. */
  int connections() {
    return connections.get();
  }

  /** The {@code Sec-WebSocket-Extensions} header of each handshake ("" if absent). */
  List<String> offeredExtensions() {
    return List.copyOf(offeredExtensions);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(s);
      Thread t = new Thread(() -> serve(s), "hostile-ws-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      String request = readHead(in);
      String key = headerValue(request, "sec-websocket-key");
      offeredExtensions.add(headerValue(request, "sec-websocket-extensions"));
      String accept =
          Base64.getEncoder()
              .encodeToString(
                  MessageDigest.getInstance("SHA-1")
                      .digest(
                          (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                              .getBytes(StandardCharsets.US_ASCII)));
      OutputStream out = s.getOutputStream();
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Accept: "
                  + accept
                  + "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      int index = connections.incrementAndGet();
      Thread drain = new Thread(() -> discard(in), "hostile-ws-drain");
      drain.setDaemon(true);
      drain.start();
      script.run(new Peer(out, index));
      // Keep the connection until the client ends it.
      drain.join(60_000);
    } catch (IOException e) {
      // The client went away: expected when it refuses what the script sent.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (NoSuchAlgorithmException | RuntimeException e) {
      scriptErrors.add(e);
    }
  }

  private static void discard(InputStream in) {
    byte[] buf = new byte[8192];
    try {
      while (in.read(buf) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    int b;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4 && (b = in.read()) >= 0) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 64 * 1024) {
        throw new IOException("request head too long");
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static String headerValue(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  /**
   * A permessage-deflate payload (raw deflate, sync-flushed, without the final 00 00 FF FF) of
   * {@code prefix}, {@code count} times {@code fill}, then {@code suffix}: a few hundred kB on the
   * wire that inflate to {@code count} bytes.
   */
  static byte[] deflateBomb(String prefix, char fill, long count, String suffix) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    byte[] chunk = new byte[1024 * 1024];
    java.util.Arrays.fill(chunk, (byte) fill);
    deflateAll(deflater, prefix.getBytes(StandardCharsets.UTF_8), buf, out);
    long left = count;
    while (left > 0) {
      int n = (int) Math.min(chunk.length, left);
      deflater.setInput(chunk, 0, n);
      while (!deflater.needsInput()) {
        int k = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
        out.write(buf, 0, k);
      }
      left -= n;
    }
    deflateAll(deflater, suffix.getBytes(StandardCharsets.UTF_8), buf, out);
    int k;
    while ((k = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      out.write(buf, 0, k);
    }
    deflater.end();
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, all.length - 4);
  }

  private static void deflateAll(
      Deflater deflater, byte[] data, byte[] buf, ByteArrayOutputStream out) {
    deflater.setInput(data);
    while (!deflater.needsInput()) {
      int k = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
      out.write(buf, 0, k);
    }
  }

  /** Errors the scripts threw (not I/O): a broken test, not a client outcome. */
  List<Throwable> scriptErrors() {
    return List.copyOf(scriptErrors);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
