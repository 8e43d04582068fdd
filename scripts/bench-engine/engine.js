'use strict';
// A stand-in Pie engine for scripts/bench. It speaks only what the benchmark needs (protocol.md §2,
// Appendix A) and is built to outrun any client: every outgoing WebSocket frame is written straight to the
// socket (server frames are unmasked, so a frame is just a header and the MessagePack bytes), frames that
// repeat are encoded once and written as large batches, and writes made while handling one read are corked
// into one system call. Measure its ceiling with BenchProbe (scripts/bench does, as the "engine" column).
//
// Inferlets (input is JSON text):
//   bench-stream@0.1.0  {"events": N}  N stdout events of 16 bytes, then return "done"
//   bench-file@0.1.0    {"bytes": M}   one file of M random bytes in 256 KiB chunks with its BLAKE3, then return
//   bench-tokens@0.1.0  {"events": N, "intervalMs": I, "startMs": S}   N stdout events of 16 bytes, one every
//                       I ms, the first S ms plus a random fraction of I after the launch (so that concurrent
//                       processes spread over the interval, as independent generations do), then return.
//                       Each event is stamped as it is written: 12 hex digits of the send time in µs on the
//                       host's monotonic clock (see sendTimeMicros) and 4 hex digits of its sequence number.
//   bench-clock@0.1.0   returns sendTimeMicros() in decimal, so a client can check it shares the clock
// Requests: auth_identify / auth_by_token (authentication disabled), ping, launch_process, add_program
// (chunks are checked for order and counted, then "Program installed successfully"), check_program,
// list_processes. Anything else gets ok=false so a caller never waits for its timeout.
//
// Usage: node engine.js [--port 0] [--host 127.0.0.1] [--parent-pipe] [--selftest]
// Prints "LISTENING <port>" once ready. With --parent-pipe it exits when its stdin closes, so it never
// outlives the benchmark that started it.

const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');
const { Decoder } = require('@msgpack/msgpack');
const { createBLAKE3 } = require('hash-wasm');

const CHUNK = 262144;
const TOKEN = Buffer.from('0123456789abcdef'); // the 16-byte stdout event
const HIGH_WATER = 2 << 20; // bytes queued in Node before a stream waits for the socket to drain
const MAX_PAYLOAD = 80 << 20; // above the protocol's 64 MiB message cap plus a chunk's envelope

// ------------------------------------------------------------------ MessagePack, the engine's exact form

function str(s) {
  const b = Buffer.from(s, 'utf8');
  const n = b.length;
  let h;
  if (n < 32) h = Buffer.from([0xa0 | n]);
  else if (n < 0x100) h = Buffer.from([0xd9, n]);
  else if (n < 0x10000) h = Buffer.from([0xda, n >> 8, n & 0xff]);
  else { h = Buffer.alloc(5); h[0] = 0xdb; h.writeUInt32BE(n, 1); }
  return Buffer.concat([h, b]);
}

function uint(v) {
  if (v < 0x80) return Buffer.from([v]);
  if (v < 0x100) return Buffer.from([0xcc, v]);
  if (v < 0x10000) return Buffer.from([0xcd, v >> 8, v & 0xff]);
  if (v < 0x100000000) { const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); return b; }
  const b = Buffer.alloc(9); b[0] = 0xcf; b.writeBigUInt64BE(BigInt(v), 1); return b;
}

function binHeader(n) {
  if (n < 0x100) return Buffer.from([0xc4, n]);
  if (n < 0x10000) return Buffer.from([0xc5, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5); b[0] = 0xc6; b.writeUInt32BE(n, 1); return b;
}

const mapHeader = (n) => Buffer.from([0x80 | n]);
const bool = (v) => Buffer.from([v ? 0xc3 : 0xc2]);

/** The header of an unmasked, final, binary WebSocket frame carrying n payload bytes. */
function wsHeader(n) {
  if (n < 126) return Buffer.from([0x82, n]);
  if (n < 0x10000) return Buffer.from([0x82, 126, n >> 8, n & 0xff]);
  const b = Buffer.alloc(10); b[0] = 0x82; b[1] = 127; b.writeBigUInt64BE(BigInt(n), 2); return b;
}

function frame(payload) {
  return Buffer.concat([wsHeader(payload.length), payload]);
}

const RESPONSE_HEAD = Buffer.concat([mapHeader(4), str('type'), str('response'), str('corr_id')]);
const responseTails = new Map(); // "ok|result" -> the bytes after corr_id; results repeat, so keep them

function responseFrame(corrId, ok, result) {
  const key = (ok ? '1' : '0') + result;
  let tail = responseTails.get(key);
  if (tail === undefined) {
    tail = Buffer.concat([str('ok'), bool(ok), str('result'), str(result)]);
    if (responseTails.size < 64) responseTails.set(key, tail);
  }
  return frame(Buffer.concat([RESPONSE_HEAD, uint(corrId), tail]));
}

function eventFrame(processId, event, value) {
  return frame(Buffer.concat([mapHeader(4), str('type'), str('process_event'), str('process_id'), str(processId),
    str('event'), str(event), str('value'), str(value)]));
}

/** Everything of a file chunk frame up to its bin payload, which is written after it from the shared file. */
function fileChunkPrefix(processId, hash, index, total, len) {
  const body = Buffer.concat([mapHeader(6), str('type'), str('file'), str('process_id'), str(processId),
    str('file_hash'), str(hash), str('chunk_index'), uint(index), str('total_chunks'), uint(total),
    str('chunk_data'), binHeader(len)]);
  return Buffer.concat([wsHeader(body.length + len), body]);
}

// ------------------------------------------------------------------ inferlet outputs

/**
 * Microseconds on CLOCK_MONOTONIC: process.hrtime reads it through libuv on Linux, as System.nanoTime() does
 * in HotSpot, so a Java client on the same host can subtract this from its own clock to get the latency of
 * an event (bench-clock lets it check that). A wall clock would do too, but Node's performance.now() is the
 * monotonic clock offset by a wall-clock reading taken at start-up, which drifts from Java's wall clock as
 * NTP slews one and not the other; the monotonic clock is the same for both and never steps.
 */
const sendTimeMicros = () => Number(process.hrtime.bigint() / 1000n);
const STAMP_MOD = 2 ** 48; // 12 hex digits: 8.9 years of microseconds since boot

/** The 16 ASCII bytes of a token event: send time (12 hex digits) and sequence number (4 hex digits). */
function stamp(seq) {
  return (sendTimeMicros() % STAMP_MOD).toString(16).padStart(12, '0') + (seq % 65536).toString(16).padStart(4, '0');
}

let hasher; // hash-wasm BLAKE3; created once at start-up, synchronous afterwards
const files = new Map(); // size -> {data, hash}: each size is generated and hashed once

function fileOfSize(size) {
  let f = files.get(size);
  if (f === undefined) {
    const data = crypto.randomBytes(size);
    f = { data, hash: hasher.init().update(data).digest('hex') };
    if (files.size >= 4) files.clear();
    files.set(size, f);
  }
  return f;
}

/** N stdout events then a return; writes batches of one pre-encoded frame repeated. */
class StreamOutput {
  constructor(processId, events) {
    this.frame = eventFrame(processId, 'stdout', TOKEN.toString('latin1'));
    this.end = eventFrame(processId, 'return', 'done');
    this.left = events;
    this.batch = null;
  }

  /** Writes up to `max` events (the return after the last); true while more remain. */
  writeSome(conn, max) {
    if (this.left > 0) {
      const n = Math.min(this.left, max);
      if (this.batch === null || this.batch.length < n * this.frame.length) {
        this.batch = Buffer.alloc(Math.min(this.left, Math.max(max, 1024)) * this.frame.length, this.frame);
      }
      conn.write(n * this.frame.length === this.batch.length ? this.batch : this.batch.subarray(0, n * this.frame.length));
      this.left -= n;
    }
    if (this.left > 0) return true;
    conn.write(this.end);
    return false;
  }
}

/** One file in 256 KiB chunks (back to back, as the engine sends them) then a return. */
class FileOutput {
  constructor(processId, size) {
    const f = fileOfSize(size);
    this.processId = processId;
    this.file = f;
    this.total = Math.ceil(size / CHUNK);
    this.next = 0;
    this.end = eventFrame(processId, 'return', 'done');
  }

  writeSome(conn, max) {
    const chunks = Math.max(1, Math.floor(max / 64));
    for (let k = 0; k < chunks && this.next < this.total; k++, this.next++) {
      const off = this.next * CHUNK;
      const len = Math.min(CHUNK, this.file.data.length - off);
      conn.write(fileChunkPrefix(this.processId, this.file.hash, this.next, this.total, len));
      conn.write(this.file.data.subarray(off, off + len));
    }
    if (this.next < this.total) return true;
    conn.write(this.end);
    return false;
  }
}

/**
 * Token events on a timer, as a generation streams them. One TokenClock per connection keeps every live
 * token process in a heap by due time and wakes once for all that are due, so that the writes of one wake-up
 * leave in one system call, as an engine that decodes a batch of sequences sends their tokens.
 */
class TokenOutput {
  constructor(processId, events, intervalMs, startMs) {
    this.template = eventFrame(processId, 'stdout', '0'.repeat(16)); // the stamp is the frame's last 16 bytes
    this.end = eventFrame(processId, 'return', 'done');
    this.events = events;
    this.intervalMs = intervalMs;
    this.seq = 0;
    this.due = performance.now() + startMs + Math.random() * intervalMs;
  }

  /** Writes the next event (and the return after the last); true while more remain. */
  writeNext(conn) {
    if (this.seq < this.events) {
      const f = Buffer.from(this.template);
      f.write(stamp(this.seq), f.length - 16, 'latin1');
      conn.write(f);
      this.seq++;
      this.due += this.intervalMs;
    }
    if (this.seq < this.events) return true;
    conn.write(this.end);
    return false;
  }
}

class TokenClock {
  constructor(conn) {
    this.conn = conn;
    this.heap = []; // TokenOutputs, the one due first at [0]
    this.timer = null;
    this.wake = () => { this.timer = null; this.run(); };
  }

  add(output) {
    this.push(output);
    this.schedule();
  }

  run() {
    if (this.conn.closed) { this.heap = []; return; }
    const now = performance.now();
    while (this.heap.length > 0 && this.heap[0].due <= now) {
      const o = this.pop();
      if (o.writeNext(this.conn)) this.push(o);
    }
    this.schedule();
  }

  schedule() {
    if (this.heap.length === 0) return;
    const wait = Math.max(0, this.heap[0].due - performance.now());
    if (this.timer !== null) {
      if (this.timerDue <= this.heap[0].due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = this.heap[0].due;
    this.timer = setTimeout(this.wake, wait);
  }

  push(o) {
    const h = this.heap;
    let i = h.push(o) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].due <= h[i].due) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && h[l].due < h[m].due) m = l;
        if (r < h.length && h[r].due < h[m].due) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

const INFERLETS = {
  'bench-stream@0.1.0': (id, input) => new StreamOutput(id, nonNegative(input.events, 'events')),
  'bench-file@0.1.0': (id, input) => new FileOutput(id, nonNegative(input.bytes, 'bytes')),
  'bench-tokens@0.1.0': (id, input) => new TokenOutput(id, nonNegative(input.events, 'events'),
    nonNegative(input.intervalMs, 'intervalMs'), nonNegative(input.startMs ?? 0, 'startMs')),
};

function nonNegative(v, name) {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`input.${name} must be a non-negative integer`);
  return v;
}

// ------------------------------------------------------------------ one connection

class Connection {
  constructor(ws, socket) {
    this.ws = ws;
    this.socket = socket;
    this.authenticated = false;
    this.uploads = new Map(); // program_hash -> {total, next, bytes}
    this.streams = []; // outputs still being written, served round-robin like concurrent processes
    this.tokens = new TokenClock(this);
    this.corked = false;
    this.pumpQueued = false;
    this.waitingDrain = false;
    this.closed = false;
    this.decoder = new Decoder();
    this.uncork = () => { this.corked = false; this.socket.uncork(); };
    this.pump = () => this.pumpStreams();
  }

  /** Writes one or more whole frames; writes made in the same tick leave in one system call. */
  write(buf) {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(buf);
  }

  reply(corrId, ok, result) {
    this.write(responseFrame(corrId, ok, result));
  }

  onMessage(data, isBinary) {
    if (!isBinary) return; // the engine skips text messages
    let m;
    try {
      m = this.decoder.decode(data);
    } catch (e) {
      if (verbose) console.error(`undecodable frame dropped: ${e.message}`);
      return;
    }
    if (m === null || typeof m !== 'object' || typeof m.type !== 'string') return;
    const corrId = m.corr_id;
    switch (m.type) {
      case 'auth_identify':
      case 'auth_by_token':
        if (this.authenticated) this.reply(corrId, true, 'Already authenticated');
        else {
          this.authenticated = true;
          this.reply(corrId, true, m.type === 'auth_identify' ? 'Authenticated (Engine disabled authentication)' : 'Authenticated');
        }
        return;
      case 'auth_prove':
        this.reply(corrId, false, this.authenticated ? 'Already authenticated' : 'No pending authentication');
        return;
    }
    if (!this.authenticated) return; // the engine drops every other request before authentication
    switch (m.type) {
      case 'ping': this.reply(corrId, true, 'Pong'); return;
      case 'launch_process': this.launch(m); return;
      case 'add_program': this.addProgram(m); return;
      case 'check_program': this.reply(corrId, true, 'false'); return;
      case 'list_processes': this.reply(corrId, true, '[]'); return;
      case 'signal_process': case 'transfer_file': case 'mcp_response': return; // fire-and-forget
      default:
        if (typeof corrId === 'number') this.reply(corrId, false, `the bench engine does not implement ${m.type}`);
    }
  }

  launch(m) {
    if (m.inferlet === 'bench-clock@0.1.0') {
      const id = crypto.randomUUID();
      this.reply(m.corr_id, true, m.capture_outputs ? id : '');
      if (m.capture_outputs) this.write(eventFrame(id, 'return', String(sendTimeMicros())));
      return;
    }
    const make = INFERLETS[m.inferlet];
    if (make === undefined) {
      this.reply(m.corr_id, false, `Failed to download manifest: the bench engine has no inferlet ${m.inferlet}`);
      return;
    }
    const id = crypto.randomUUID();
    let output;
    try {
      output = make(id, JSON.parse(m.input));
    } catch (e) {
      // A real engine would start the process and report the failure as its error event.
      this.reply(m.corr_id, true, m.capture_outputs ? id : '');
      if (m.capture_outputs) this.write(eventFrame(id, 'error', `Call error: ${e.message}`));
      return;
    }
    if (!m.capture_outputs) { this.reply(m.corr_id, true, ''); return; }
    this.reply(m.corr_id, true, id); // the answer goes out before any of the process's events
    if (output instanceof TokenOutput) { this.tokens.add(output); return; }
    this.streams.push(output);
    this.schedulePump();
  }

  addProgram(m) {
    const hash = m.program_hash;
    let up = this.uploads.get(hash);
    if (up === undefined) {
      if (m.chunk_index !== 0) { this.reply(m.corr_id, false, 'First chunk index must be 0'); return; }
      up = { total: m.total_chunks, next: 0, bytes: 0 };
      this.uploads.set(hash, up);
    }
    if (m.total_chunks !== up.total) {
      this.uploads.delete(hash);
      this.reply(m.corr_id, false, `Chunk count mismatch: expected ${up.total}, got ${m.total_chunks}`);
      return;
    }
    if (m.chunk_index !== up.next) {
      this.uploads.delete(hash);
      this.reply(m.corr_id, false, `Out-of-order chunk: expected ${up.next}, got ${m.chunk_index}`);
      return;
    }
    up.next++;
    up.bytes += m.chunk_data ? m.chunk_data.length : 0;
    if (up.next === up.total) {
      this.uploads.delete(hash);
      this.reply(m.corr_id, true, 'Program installed successfully');
    }
  }

  schedulePump() {
    if (this.pumpQueued || this.waitingDrain) return;
    this.pumpQueued = true;
    setImmediate(this.pump);
  }

  /** Writes the live outputs round-robin until Node holds HIGH_WATER bytes, then waits for 'drain'. */
  pumpStreams() {
    this.pumpQueued = false;
    if (this.closed) { this.streams = []; return; }
    // One stream alone gets large batches; many share the socket in small slices, as concurrent processes do.
    while (this.streams.length > 0 && this.socket.writableLength < HIGH_WATER) {
      const max = this.streams.length === 1 ? 4096 : 32;
      let kept = 0;
      for (let i = 0; i < this.streams.length; i++) {
        const s = this.streams[i];
        if (s.writeSome(this, max)) this.streams[kept++] = s;
      }
      this.streams.length = kept;
    }
    if (this.streams.length === 0) return;
    if (this.socket.writableNeedDrain) {
      this.waitingDrain = true;
      this.socket.once('drain', () => { this.waitingDrain = false; this.pumpStreams(); });
    } else {
      this.schedulePump();
    }
  }
}

// ------------------------------------------------------------------ start-up

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const verbose = args.includes('--verbose');

function selftest() {
  const d = new Decoder();
  const unframe = (f) => {
    const n = f[1] & 0x7f;
    return f.subarray(n < 126 ? 2 : n === 126 ? 4 : 10);
  };
  const check = (cond, what) => { if (!cond) throw new Error(`selftest failed: ${what}`); };
  for (const c of [0, 127, 128, 255, 256, 65535, 65536, 4294967295]) {
    const r = d.decode(unframe(responseFrame(c, true, 'Pong')));
    check(r.type === 'response' && r.corr_id === c && r.ok === true && r.result === 'Pong', `response ${c}`);
  }
  const id = crypto.randomUUID();
  const e = d.decode(unframe(eventFrame(id, 'stdout', TOKEN.toString('latin1'))));
  check(e.type === 'process_event' && e.process_id === id && e.value === '0123456789abcdef', 'process_event');
  const t = new TokenOutput(id, 2, 1, 0);
  const written = [];
  const sink = { write: (b) => written.push(b) };
  t.writeNext(sink);
  t.writeNext(sink);
  const tok = d.decode(unframe(written[1]));
  check(tok.process_id === id && tok.event === 'stdout' && /^[0-9a-f]{12}0001$/.test(tok.value), 'token stamp');
  check(d.decode(unframe(written[2])).event === 'return', 'token return');
  const long = 'x'.repeat(70000);
  check(d.decode(unframe(eventFrame(id, 'stdout', long))).value === long, 'long event');
  const data = crypto.randomBytes(1000);
  const prefix = fileChunkPrefix(id, 'ab'.repeat(32), 3, 4, data.length);
  const f = d.decode(unframe(Buffer.concat([prefix, data])));
  check(f.type === 'file' && f.chunk_index === 3 && f.total_chunks === 4 && Buffer.from(f.chunk_data).equals(data), 'file');
  // BLAKE3 of the empty input, from the BLAKE3 specification's test vectors.
  check(hasher.init().update(Buffer.alloc(0)).digest('hex')
    === 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'blake3');
  console.log('selftest ok');
}

async function main() {
  hasher = await createBLAKE3();
  if (args.includes('--selftest')) { selftest(); return; }
  const wss = new WebSocketServer({
    host: opt('--host', '127.0.0.1'),
    port: Number(opt('--port', '0')),
    perMessageDeflate: false, // the engine offers no extensions
    maxPayload: MAX_PAYLOAD,
    clientTracking: false,
  });
  wss.on('connection', (ws, req) => {
    const conn = new Connection(ws, req.socket);
    ws.on('message', (data, isBinary) => conn.onMessage(data, isBinary));
    ws.on('close', () => { conn.closed = true; conn.streams = []; });
    ws.on('error', (e) => { if (verbose) console.error(`connection error: ${e.message}`); });
  });
  wss.on('listening', () => console.log(`LISTENING ${wss.address().port}`));
  if (args.includes('--parent-pipe')) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('close', () => process.exit(0));
    process.stdin.resume();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
