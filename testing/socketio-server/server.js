"use strict";
// A socket.io 4.8.4 server for Quarry's tests, with an HTTP control API on a second loopback port.
//
// Started by dev.quarry.testing.socketio.SocketIoTestServer as `node server.js '<config json>'`.
// Prints `READY <port> <controlPort>` on stdout once both ports listen (and, in cluster mode, both
// Redis clients are connected), and nothing else on stdout.
// Exits when its stdin reaches end of file, so a JVM that dies without closing it leaves no server.
//
// Config (all optional): port (0 = any), pingInterval, pingTimeout, connectTimeout (ms),
// maxHttpBufferSize (bytes), recovery (boolean, default true), maxDisconnectionDuration (ms),
// authToken (string), path (default "/socket.io/"), namespaces (extra namespaces, e.g. ["/admin"]),
// nodeId (string: names this node in /control/state and in stderr messages),
// redisUrl (e.g. "redis://127.0.0.1:6380": cluster mode, see below),
// transports (engine.io's, default ["polling", "websocket"]; ["polling"] refuses WebSocket),
// cookie (a cookie name: engine.io sets it to the session id on the handshake response),
// refuseWebSocket (boolean: every WebSocket upgrade request is answered HTTP 400 while the open
// packet still offers the upgrade, as behind a proxy that does not pass upgrades).
//
// Cluster mode (redisUrl set): the server uses @socket.io/redis-adapter 8.3.0 over two `redis`
// 4.7.1 clients (publish, subscribe), so an emit to a room reaches the room's sockets on every
// node sharing that Redis. Startup fails (exit code 2) if a connection to Redis fails or Redis
// does not answer within 10 s.
// Connection state recovery cannot restore sessions with this adapter (recovered is always false):
// a client that reconnects, to this node or another, gets a new session without rooms.
// Without redisUrl the server keeps everything in memory, as a single node.
//
// Socket.IO behaviour, on "/" and every extra namespace:
//   subscribe(obj, ack?)    joins the room named by the canonical JSON of obj, acks {ok:true, room}
//   unsubscribe(obj, ack?)  leaves that room, acks {ok:true, room}; a non-object payload acks {ok:false, error}
//   echo(...args, ack?)     acks all its arguments back; without an ack, emits "echo" with them
//   ping-me({event, args})  emits `event` with `args` and an ack callback; the client's ack is recorded
//   flaky({id, failTimes}, ack?)  ignores the first failTimes receipts of id (per server), then acks
//                           {id, tries} (tries: receipts so far), for at-least-once retry tests
//   anything else           is recorded and never acked (for ack time-out tests)
//
// Control API (JSON in and out, 127.0.0.1:<controlPort>); sockets, counters and logs are this node's:
//   GET  /control/state    {nodeId, cluster, sockets, handshakes, engineHandshakes, acks, received,
//                           disconnects}
//   POST /control/emit     {namespace?, room?, sid?, event, args?, count?, seq?, binary?(base64)}
//                          reaches every node in cluster mode; replies once Redis has the events
//   POST /control/flood    {room, event, base, count}  writes count events event(base + {seq: i % 1000}: a seq
//                          in base is replaced) to
//                          each WebSocket socket in room of "/" as WebSocket text frames encoded here
//                          (1,000 to a buffer) and written to its TCP socket, bypassing socket.io and
//                          engine.io (no adapter, no recovery offset), waiting while the TCP socket is
//                          backed up; replies {ok, written, sockets} once all are written. For
//                          throughput measurements. This node only (refused in cluster mode).
//   POST /control/kick     {namespace?, sid?}   socket.disconnect(true): not recoverable
//   POST /control/drop     {namespace?, sid?}   socket.conn.close(): a transport close, recoverable
//   POST /control/refuse   {on}                 refuse (WebSocket upgrade: HTTP 400) or accept new handshakes
//   POST /control/refuse-websocket {on}         answer every WebSocket upgrade request with HTTP 400, or not
//   GET  /control/http     {requests, refusedUpgrades}: the Engine.IO HTTP requests (polling GETs and
//                          POSTs, WebSocket upgrades), each {method, transport, sid, cookie}, at most 10,000
// Each socket in /control/state also names its Engine.IO transport ("polling" or "websocket").
//   POST /control/reset    {}                   clears counters and logs

const http = require("node:http");
const { Server } = require("socket.io");

const config = JSON.parse(process.argv[2] || "{}");
const LOG_LIMIT = 100000;
const HTTP_LOG_LIMIT = 10000;
const REDIS_CONNECT_TIMEOUT_MS = 10000;
const label = config.nodeId !== undefined ? `quarry test server ${config.nodeId}` : "quarry test server";

const state = {
  handshakes: 0,
  engineHandshakes: 0,
  refuse: false,
  acks: [],
  received: [],
  disconnects: [],
  refuseWebSocket: config.refuseWebSocket === true,
  refusedUpgrades: 0,
  httpRequests: [],
};

function fail(message) {
  process.stderr.write(`${label}: ${message}\n`);
  process.exit(2);
}

function record(list, entry) {
  if (list.length < LOG_LIMIT) list.push(entry);
}

// JSON with object keys sorted recursively and no spaces: the room name of a topic.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// Buffers become {"$binary": base64} so that logs and acks can be reported as JSON.
function toJson(value) {
  if (Buffer.isBuffer(value)) return { $binary: value.toString("base64") };
  if (value instanceof ArrayBuffer) return { $binary: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return value === undefined ? null : value;
}

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !Buffer.isBuffer(value);
}

// flaky: receipts per id, kept across connections.
const flakyTries = new Map();

const namespaces = ["/", ...(config.namespaces || []).filter((n) => n !== "/")];
const recovery = config.recovery !== false;

const httpServer = http.createServer();
const options = {
  path: config.path || "/socket.io/",
  serveClient: false,
  allowRequest: (req, callback) => {
    state.engineHandshakes++;
    callback(state.refuse ? "handshakes are refused" : null, !state.refuse);
  },
};
if (config.pingInterval !== undefined) options.pingInterval = config.pingInterval;
if (config.pingTimeout !== undefined) options.pingTimeout = config.pingTimeout;
if (config.connectTimeout !== undefined) options.connectTimeout = config.connectTimeout;
if (config.maxHttpBufferSize !== undefined) options.maxHttpBufferSize = config.maxHttpBufferSize;
if (Array.isArray(config.transports)) options.transports = config.transports;
if (typeof config.cookie === "string") {
  options.cookie = { name: config.cookie, path: "/", httpOnly: true, sameSite: "lax" };
}
if (recovery) {
  options.connectionStateRecovery = {
    maxDisconnectionDuration: config.maxDisconnectionDuration ?? 2 * 60 * 1000,
    skipMiddlewares: true,
  };
}
const io = new Server(httpServer, options);

// Every Engine.IO HTTP request (polling and upgrades), with the cookie it carried.
io.engine.use((req, res, next) => {
  const query = new URL(req.url, "http://localhost").searchParams;
  if (state.httpRequests.length < HTTP_LOG_LIMIT) {
    state.httpRequests.push({
      method: req.method,
      transport: query.get("transport"),
      sid: query.get("sid") !== null,
      cookie: req.headers.cookie ?? null,
    });
  }
  next();
});

// With refuseWebSocket on, upgrade requests never reach engine.io: HTTP 400, as from a proxy.
const upgradeListeners = httpServer.listeners("upgrade");
httpServer.removeAllListeners("upgrade");
httpServer.on("upgrade", (req, socket, head) => {
  if (state.refuseWebSocket) {
    state.refusedUpgrades++;
    const body = "websocket upgrades are refused";
    socket.end(
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n" +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return;
  }
  for (const listener of upgradeListeners) listener.call(httpServer, req, socket, head);
});

function onConnection(socket) {
  // Recovered sessions skip the middleware, so they are counted here.
  if (socket.recovered) state.handshakes++;

  socket.onAny((event, ...args) => {
    record(state.received, {
      sid: socket.id,
      namespace: socket.nsp.name,
      event,
      args: toJson(args.filter((a) => typeof a !== "function")),
    });
  });

  const membership = (join) => (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    if (!isPlainObject(payload)) {
      reply({ ok: false, error: `payload must be a JSON object, got ${canonical(toJson(payload))}` });
      return;
    }
    const room = canonical(payload);
    if (join) socket.join(room);
    else socket.leave(room);
    reply({ ok: true, room });
  };
  socket.on("subscribe", membership(true));
  socket.on("unsubscribe", membership(false));

  socket.on("echo", (...args) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args.pop();
      last(...args);
    } else {
      socket.emit("echo", ...args);
    }
  });

  socket.on("ping-me", (request, ack) => {
    if (!isPlainObject(request) || typeof request.event !== "string") {
      if (typeof ack === "function") ack({ ok: false, error: "expected {event, args}" });
      return;
    }
    const event = request.event;
    const args = Array.isArray(request.args) ? request.args : [];
    socket.emit(event, ...args, (...response) => {
      record(state.acks, { sid: socket.id, namespace: socket.nsp.name, event, args: toJson(response) });
    });
    if (typeof ack === "function") ack({ ok: true });
  });

  socket.on("flaky", (request, ack) => {
    if (!isPlainObject(request) || typeof request.id !== "string") return;
    const tries = (flakyTries.get(request.id) ?? 0) + 1;
    flakyTries.set(request.id, tries);
    if (tries > (request.failTimes ?? 0) && typeof ack === "function") ack({ id: request.id, tries });
  });

  socket.on("disconnect", (reason) => {
    record(state.disconnects, { sid: socket.id, namespace: socket.nsp.name, reason });
  });
}

for (const name of namespaces) {
  const nsp = io.of(name);
  nsp.use((socket, next) => {
    state.handshakes++;
    const auth = socket.handshake.auth || {};
    if (config.authToken !== undefined && auth.token !== config.authToken) {
      const err = new Error("unauthorized");
      err.data = { code: "AUTH", reason: "bad token" };
      next(err);
      return;
    }
    next();
  });
  nsp.on("connection", onConnection);
}

// ---- control API ----

function socketsOf(body) {
  const names = body.namespace !== undefined ? [body.namespace] : namespaces;
  const out = [];
  for (const name of names) {
    if (!namespaces.includes(name)) throw new Error(`unknown namespace ${name}`);
    for (const socket of io.of(name).sockets.values()) {
      if (body.sid === undefined || body.sid === socket.id) out.push(socket);
    }
  }
  return out;
}

// The event names socket.io refuses to emit (its emit throws for them); a flood refuses them too.
const RESERVED_EVENTS = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

// A flood's chunk: the events encoded into one buffer and written to a socket at once.
const FLOOD_CHUNK = 1000;

// An unmasked, unfragmented WebSocket text frame (RFC 6455 5.2), as a server sends it.
function webSocketTextFrame(text) {
  const payload = Buffer.from(text, "utf8");
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 65536) {
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(n, 2);
  } else if (n >= 65536) {
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([header, payload]);
}

// Resolves once the TCP socket raw has written what it buffered, or is closed.
function drained(raw) {
  return new Promise((resolve) => {
    const done = () => {
      raw.removeListener("drain", done);
      raw.removeListener("close", done);
      resolve();
    };
    raw.on("drain", done);
    raw.on("close", done);
  });
}

function describe(socket) {
  return {
    id: socket.id,
    namespace: socket.nsp.name,
    rooms: [...socket.rooms].filter((r) => r !== socket.id),
    recovered: socket.recovered === true,
    transport: socket.conn.transport.name,
    auth: toJson(socket.handshake.auth || {}),
  };
}

// Cluster mode: the Redis publish client, used by /control/emit to wait until Redis has the events.
let redisPub;

const routes = {
  "GET /control/state": () => ({
    nodeId: config.nodeId ?? null,
    cluster: redisPub !== undefined,
    sockets: namespaces.flatMap((name) => [...io.of(name).sockets.values()].map(describe)),
    handshakes: state.handshakes,
    engineHandshakes: state.engineHandshakes,
    acks: state.acks,
    received: state.received,
    disconnects: state.disconnects,
  }),
  "POST /control/emit": (body) => {
    if (typeof body.event !== "string" || body.event === "") throw new Error("event must be a non-empty string");
    const name = body.namespace ?? "/";
    if (!namespaces.includes(name)) throw new Error(`unknown namespace ${name}`);
    const args = body.args ?? [];
    if (!Array.isArray(args)) throw new Error("args must be a JSON array");
    const count = body.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
    const seq = body.seq === true || count > 1;
    if (seq && args.length > 0 && !isPlainObject(args[0])) throw new Error("with seq, args[0] must be an object");
    const binary = typeof body.binary === "string" ? Buffer.from(body.binary, "base64") : undefined;
    let target = io.of(name);
    if (body.room !== undefined) target = target.to(body.room);
    if (body.sid !== undefined) target = target.to(body.sid);
    for (let i = 0; i < count; i++) {
      const eventArgs = seq ? [{ ...(args[0] ?? {}), seq: i }, ...args.slice(1)] : [...args];
      if (binary !== undefined) eventArgs.push(binary);
      target.emit(body.event, ...eventArgs);
    }
    const reply = { ok: true, emitted: count };
    // The adapter publishes without waiting; commands on one Redis connection run in order, so
    // once this PING is answered Redis has passed every event above on to the other nodes.
    return redisPub === undefined ? reply : redisPub.ping().then(() => reply);
  },
  "POST /control/flood": async (body) => {
    if (redisPub !== undefined) throw new Error("flood writes to this node's sockets: not in cluster mode");
    if (typeof body.event !== "string" || body.event === "") throw new Error("event must be a non-empty string");
    if (RESERVED_EVENTS.has(body.event)) throw new Error(`"${body.event}" is a reserved event name`);
    if (typeof body.room !== "string") throw new Error("room must be a string");
    const count = body.count;
    if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);
    const base = body.base ?? {};
    if (!isPlainObject(base)) throw new Error("base must be a JSON object");
    const nsp = io.of("/");
    const ids = nsp.adapter.rooms.get(body.room) ?? new Set();
    const raws = [...ids]
      .map((id) => nsp.sockets.get(id))
      .filter((s) => s !== undefined && s.conn.transport.name === "websocket")
      .map((s) => s.conn.transport.socket._socket);
    const { seq: _replaced, ...fields } = base;
    const object = JSON.stringify(fields);
    const head = `42[${JSON.stringify(body.event)},${object.slice(0, -1)}${object === "{}" ? "" : ","}"seq":`;
    for (let from = 0; from < count; from += FLOOD_CHUNK) {
      const frames = [];
      for (let i = from; i < Math.min(count, from + FLOOD_CHUNK); i++) {
        frames.push(webSocketTextFrame(`${head}${i % FLOOD_CHUNK}}]`));
      }
      const chunk = Buffer.concat(frames);
      for (const raw of raws) {
        if (!raw.destroyed && !raw.write(chunk)) await drained(raw);
      }
    }
    return { ok: true, written: count, sockets: raws.length };
  },
  "POST /control/kick": (body) => {
    const sockets = socketsOf(body);
    sockets.forEach((s) => s.disconnect(true));
    return { ok: true, count: sockets.length };
  },
  "POST /control/drop": (body) => {
    const sockets = socketsOf(body);
    sockets.forEach((s) => s.conn.close());
    return { ok: true, count: sockets.length };
  },
  "POST /control/refuse": (body) => {
    state.refuse = body.on === true;
    return { ok: true, refuse: state.refuse };
  },
  "POST /control/refuse-websocket": (body) => {
    state.refuseWebSocket = body.on === true;
    return { ok: true, refuseWebSocket: state.refuseWebSocket };
  },
  "GET /control/http": () => ({ requests: state.httpRequests, refusedUpgrades: state.refusedUpgrades }),
  "POST /control/reset": () => {
    state.handshakes = 0;
    state.engineHandshakes = 0;
    state.acks = [];
    state.received = [];
    state.disconnects = [];
    state.httpRequests = [];
    state.refusedUpgrades = 0;
    return { ok: true };
  },
};

const control = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const route = routes[`${req.method} ${req.url}`];
    const answer = (status, reply) => {
      const json = JSON.stringify(reply);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(json),
        connection: "close",
      });
      res.end(json);
    };
    if (route === undefined) {
      answer(404, { ok: false, error: `no route ${req.method} ${req.url}` });
      return;
    }
    new Promise((resolve) => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = text === "" ? {} : JSON.parse(text);
      if (!isPlainObject(body)) throw new Error("request body must be a JSON object");
      resolve(route(body));
    }).then(
      (reply) => answer(200, reply),
      (e) => answer(400, { ok: false, error: e.message }),
    );
  });
});

// ---- start ----

// After a SIGKILLed predecessor the port can stay busy for a moment: retry for up to 5 s.
function listen(server, port, attempt, done) {
  const onError = (err) => {
    if (err.code === "EADDRINUSE" && port !== 0 && attempt < 50) {
      setTimeout(() => listen(server, port, attempt + 1, done), 100);
    } else {
      fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
    }
  };
  server.once("error", onError);
  server.listen(port, "127.0.0.1", () => {
    server.removeListener("error", onError);
    done(server.address().port);
  });
}

// Cluster mode: connects a publish and a subscribe client (bounded), then installs the adapter.
// A connection error before that ends the process. Later on the clients reconnect by themselves;
// their errors are reported on stderr, once per distinct message until a connection is ready again.
function useRedis(url, done) {
  const { createAdapter } = require("@socket.io/redis-adapter");
  const { createClient } = require("redis");
  let lastError = "no answer";
  let connected = false;
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const [name, client] of [["publish", pub], ["subscribe", sub]]) {
    let reported;
    client.on("error", (err) => {
      lastError = err && err.message ? err.message : String(err);
      if (!connected) fail(`cannot connect to Redis at ${url} (${name} client): ${lastError}`);
      if (reported !== lastError) {
        reported = lastError;
        process.stderr.write(`${label}: redis ${name} client: ${lastError}\n`);
      }
    });
    client.on("ready", () => {
      reported = undefined;
    });
  }
  const timer = setTimeout(
    () => fail(`cannot connect to Redis at ${url} within ${REDIS_CONNECT_TIMEOUT_MS} ms: ${lastError}`),
    REDIS_CONNECT_TIMEOUT_MS,
  );
  Promise.all([pub.connect(), sub.connect()]).then(
    () => {
      clearTimeout(timer);
      connected = true;
      io.adapter(createAdapter(pub, sub));
      redisPub = pub;
      done();
    },
    (err) => fail(`cannot connect to Redis at ${url}: ${err && err.message ? err.message : err}`),
  );
}

process.on("uncaughtException", (err) => {
  process.stderr.write(`${label}: uncaught ${err && err.stack ? err.stack : err}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();

function start() {
  listen(httpServer, config.port ?? 0, 0, (port) => {
    listen(control, 0, 0, (controlPort) => {
      process.stdout.write(`READY ${port} ${controlPort}\n`);
    });
  });
}

if (typeof config.redisUrl === "string" && config.redisUrl !== "") useRedis(config.redisUrl, start);
else start();
