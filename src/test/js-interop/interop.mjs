// Drives the official JavaScript client (@pie-project/client 0.5.2) against a Pie engine, normally the
// PieTestServer started by JsClientInteropTest, and prints one JSON line per step on stdout:
//   {"step":"<name>","ok":true,...facts} or {"step":"<name>","ok":false,"error":"<text>"}
// The Java test owns the expectations; this script only observes and reports, so a protocol mismatch shows
// up as a wrong fact in Java rather than as a guess here. The last line is {"step":"done"}.
//
// Usage: node interop.mjs ws://127.0.0.1:<port>
// The programs named below must be registered in the engine (see JsClientInteropTest).

import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { PieClient } from '@pie-project/client';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const uri = process.argv[2] ?? process.env.PIE_URI;
if (!uri) {
    console.error('usage: node interop.mjs <ws-uri>');
    process.exit(2);
}

const IDENTITY = 'acme/alice';
const UPLOADED_PROGRAM = 'interop-upload@1.0.0';
const UPLOAD_SIZE = 300_000; // two 256 KiB chunks
const STREAM_PROGRAM = 'interop-stream@0.1.0';
const FILES_PROGRAM = 'interop-files@0.1.0';
const WAIT_PROGRAM = 'interop-wait@0.1.0';
const TRANSFER_SIZE = 400_000; // two chunks
const STEP_MS = 10_000;
const SILENCE_MS = 1_000;

// The whole run must end well inside the Java test's deadline, even if the engine stops answering.
setTimeout(() => {
    emit({ step: 'watchdog', ok: false, error: 'interop.mjs did not finish within 45 s' });
    process.exit(3);
}, 45_000).unref();

/** The same byte pattern JsClientInteropTest.pattern(len, seed) computes. */
function pattern(length, seed) {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >>> 8)) & 0xff;
    return out;
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const blake3Hex = (bytes) => bytesToHex(blake3(bytes));

function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + '\n');
}

function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one step; a thrown error becomes ok:false so later steps still run and report. */
async function step(name, body) {
    try {
        const facts = await body();
        emit({ step: name, ok: true, ...facts });
        return facts;
    } catch (e) {
        emit({ step: name, ok: false, error: String(e?.message ?? e) });
        return null;
    }
}

/** Runs `body`, which is expected to fail, and reports the failure's message (null if it succeeded). */
async function rejection(body) {
    try {
        await body();
        return { rejected: null };
    } catch (e) {
        return { rejected: String(e?.message ?? e) };
    }
}

/** One event as a JSON-friendly fact; files are summarised by size, hashes and name. */
function describe({ event, value }) {
    if (event === 'file') {
        return {
            event,
            length: value.length,
            sha256: sha256(value),
            blake3: blake3Hex(value),
            name: value.name,
            safeName: value.fileName(),
        };
    }
    return { event, value };
}

const recv = (proc, what) => withTimeout(proc.recv(), STEP_MS, what);

/** Collects a process's events up to and including its terminal event. */
async function drain(proc) {
    const events = [];
    for (;;) {
        const ev = await recv(proc, `event #${events.length} of ${proc.processId}`);
        events.push(describe(ev));
        if (ev.event === 'return' || ev.event === 'error') return events;
    }
}

async function expectMessage(proc, text) {
    const ev = await recv(proc, `message "${text}"`);
    if (ev.event !== 'message' || ev.value !== text) {
        throw new Error(`expected message "${text}", got ${JSON.stringify(describe(ev))}`);
    }
}

const client = new PieClient(uri, { WebSocket, identity: IDENTITY });

await step('connect', async () => {
    await withTimeout(client.connect(), STEP_MS, 'connect');
    return { node: process.version, url: client.serverUri };
});

await step('ping', async () => {
    await withTimeout(client.ping(), STEP_MS, 'ping');
    return {};
});

await step('query_model_status', async () => {
    const { ok, result } = await withTimeout(client.query('model_status', ''), STEP_MS, 'query');
    return { answerOk: ok, keys: Object.keys(JSON.parse(result)).sort() };
});

await step('check_before_install', async () => ({
    installed: await withTimeout(client.checkProgram(UPLOADED_PROGRAM), STEP_MS, 'check_program'),
}));

await step('check_invalid_id', async () =>
    rejection(() => withTimeout(client.checkProgram('bad name@1.0'), STEP_MS, 'check_program')));

const uploadBytes = pattern(UPLOAD_SIZE, 1);
await step('install', async () => {
    const [name, version] = UPLOADED_PROGRAM.split('@');
    const manifest = `[package]\nname = "${name}"\nversion = "${version}"\ndescription = "interop upload"\n`;
    await withTimeout(client.installProgramBytes(uploadBytes, manifest), STEP_MS, 'add_program');
    return { length: uploadBytes.length, sha256: sha256(uploadBytes) };
});

await step('check_after_install', async () => ({
    installed: await withTimeout(client.checkProgram(UPLOADED_PROGRAM), STEP_MS, 'check_program'),
}));

await step('run_uploaded', async () => {
    const proc = await withTimeout(client.launchProcess(UPLOADED_PROGRAM, { x: 1 }), STEP_MS, 'launch');
    return { result: await withTimeout(proc.result(), STEP_MS, 'result') };
});

let streamPid = null;
await step('stream', async () => {
    const proc = await withTimeout(client.launchProcess(STREAM_PROGRAM, { n: 3, text: 'hi' }), STEP_MS, 'launch');
    streamPid = proc.processId;
    // The inferlet holds its output until this signal. JS 0.5.2 creates a process's queue only after the
    // launch reply's promise continuation runs, which can come after frames that arrived in the same read;
    // events meanwhile are kept as orphans, but file chunks are dropped (protocol §6.9, §8.1).
    await proc.signal('go');
    return { processId: proc.processId, events: await drain(proc) };
});

await step('terminate_finished', async () =>
    rejection(() => withTimeout(client.terminateProcess(streamPid), STEP_MS, 'terminate')));

await step('launch_unknown', async () =>
    rejection(() => withTimeout(client.launchProcess('missing-program@9.9.9'), STEP_MS, 'launch')));

await step('transfer_file', async () => {
    const proc = await withTimeout(client.launchProcess(FILES_PROGRAM, { attempts: 5, waitMs: 2000 }), STEP_MS, 'launch');
    const file = pattern(TRANSFER_SIZE, 2);
    // The inferlet says "ready" each time it starts waiting; a file that arrives before the wait is
    // thrown away by the engine (protocol §6.8), so every "ready" gets the file again.
    let sent = 0;
    for (;;) {
        const ev = await recv(proc, 'ready or return');
        if (ev.event === 'message' && ev.value === 'ready') {
            await proc.transferFile(file);
            sent++;
        } else {
            return { sent, length: file.length, sha256: sha256(file), final: describe(ev) };
        }
    }
});

// JS 0.5.2 converts program bytes to a Buffer before upload but not file bytes: msgpack-lite writes a
// plain Uint8Array as an ext value, not bin, and the engine drops such a frame (protocol §1.4). The
// inferlet waits once, briefly, and reports whether anything arrived.
await step('transfer_uint8array', async () => {
    const proc = await withTimeout(client.launchProcess(FILES_PROGRAM, { attempts: 1, waitMs: SILENCE_MS }), STEP_MS, 'launch');
    await expectMessage(proc, 'ready');
    await proc.transferFile(new Uint8Array(pattern(1000, 4)));
    return { events: await drain(proc) };
});

await step('invalid_ids', async () => ({
    launch: (await rejection(() => withTimeout(client.launchProcess('no-version'), STEP_MS, 'launch'))).rejected,
    attach: (await rejection(() => withTimeout(client.attachProcess('not-a-uuid'), STEP_MS, 'attach'))).rejected,
    terminate: (await rejection(() => withTimeout(client.terminateProcess('not-a-uuid'), STEP_MS, 'terminate'))).rejected,
}));

await step('signal', async () => {
    const proc = await withTimeout(client.launchProcess(WAIT_PROGRAM, { tag: 'signal' }), STEP_MS, 'launch');
    await expectMessage(proc, 'waiting');
    await proc.signal('hello from js');
    return { events: await drain(proc) };
});

await step('list_and_terminate', async () => {
    const proc = await withTimeout(client.launchProcess(WAIT_PROGRAM, { tag: 'term' }), STEP_MS, 'launch');
    await expectMessage(proc, 'waiting');
    const before = await withTimeout(client.listProcesses(), STEP_MS, 'list before');
    // The launching session is already attached, so attaching again is refused (protocol §6.3).
    const reattach = await rejection(() => withTimeout(client.attachProcess(proc.processId), STEP_MS, 'attach'));
    const terminated = await rejection(() => withTimeout(proc.terminate(), STEP_MS, 'terminate'));
    const events = await drain(proc);
    const after = await withTimeout(client.listProcesses(), STEP_MS, 'list after');
    return {
        processId: proc.processId, before, reattachRejected: reattach.rejected,
        terminateRejected: terminated.rejected, events, after,
    };
});

await step('reattach_after_disconnect', async () => {
    const other = new PieClient(uri, { WebSocket, identity: IDENTITY });
    await withTimeout(other.connect(), STEP_MS, 'second connect');
    const proc = await withTimeout(other.launchProcess(WAIT_PROGRAM, { tag: 'reattach' }), STEP_MS, 'launch');
    await expectMessage(proc, 'waiting');
    await withTimeout(other.close(), STEP_MS, 'close');
    // The engine learns of the close a moment after the client does; until then the process is still
    // attached to the old session and attach answers "Process not found". Retry within a deadline.
    const deadline = Date.now() + STEP_MS;
    let attempts = 0;
    let attached = null;
    let lastError = null;
    while (attached === null && Date.now() < deadline) {
        attempts++;
        try {
            attached = await withTimeout(client.attachProcess(proc.processId), STEP_MS, 'attach');
        } catch (e) {
            lastError = String(e?.message ?? e);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }
    if (attached === null) throw new Error(`attach never succeeded: ${lastError}`);
    await attached.signal('again');
    return { attempts, events: await drain(attached) };
});

// Without the header a 0.5 gateway refuses the upgrade; a 0.4-style engine accepts it but answers nothing
// before authentication (protocol §4.4). Either way the anonymous client must get no answer.
await step('no_identity_is_unauthenticated', async () => {
    const anonymous = new PieClient(uri, { WebSocket });
    const connect = await rejection(() => withTimeout(anonymous.connect(), STEP_MS, 'connect'));
    if (connect.rejected !== null) return { connected: false, connectError: connect.rejected };
    const ping = await rejection(() => withTimeout(anonymous.ping(), SILENCE_MS, 'anonymous ping'));
    await withTimeout(anonymous.close(), STEP_MS, 'close');
    return { connected: true, ping: ping.rejected };
});

await step('close', async () => {
    await withTimeout(client.close(), STEP_MS, 'close');
    return {};
});

emit({ step: 'done', ok: true });
process.exit(0);
