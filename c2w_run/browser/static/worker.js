// The Worker that runs one WASI command module. Started by run.js / terminal.js with
//   {t: "start", config, ring}   config: see c2w_run/browser/driver.py (page_config)
// and answers with messages to the page:
//   {t: "out", fd, data}   bytes the module wrote on fd 1 or 2
//   {t: "fs", index, data} a writable mapped directory as it is at exit (wasi_host.js blob format)
//   {t: "timing", ...}     milliseconds spent fetching + compiling and instantiating
//   {t: "exit", code}      the module's exit status (after every "out" and "fs" message)
//   {t: "error", message}  the module could not run, or trapped (then "exit" 134)
import { RingReader } from "./stdin_ring.js";
import { makeWasi, preopenFromBlob, blobFromPreopen, WASIProcExit } from "./wasi_host.js";

const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function start(config, ringSab) {
  const t0 = performance.now();
  const compiling = WebAssembly.compileStreaming(fetch(config.module));
  const preopens = [];
  for (const d of config.dirs) preopens.push(preopenFromBlob(d.guest, await fetchBytes(d.url), d.readonly));
  const module = await compiling;
  const t1 = performance.now();
  const write = (fd, data) => postMessage({ t: "out", fd, data }, [data.buffer]);
  const w = makeWasi({
    args: config.args.map(b64),
    env: config.env.map(b64),
    ring: new RingReader(ringSab),
    kinds: config.kinds,
    write: (fd, data) => write(fd, data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice()),
    beforeBlock: () => {},
    preopens,
  });
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: w.wasiImport });
  const t2 = performance.now();
  postMessage({ t: "timing", compile_ms: t1 - t0, instantiate_ms: t2 - t1, since_page_ms: t2 });
  let code = 0;
  try {
    w.inst = instance;
    instance.exports._start();
  } catch (e) {
    if (e instanceof WASIProcExit) code = e.code;
    else {
      postMessage({ t: "error", message: `wasm trap: ${e && e.message ? e.message : e}` });
      code = 134;
    }
  }
  config.dirs.forEach((d, index) => {
    if (!d.readonly) {
      const data = blobFromPreopen(preopens[index]);
      postMessage({ t: "fs", index, data }, [data.buffer]);
    }
  });
  postMessage({ t: "exit", code });
}

onmessage = (ev) => {
  if (ev.data.t !== "start") return;
  start(ev.data.config, ev.data.ring).catch((e) => {
    postMessage({ t: "error", message: String(e && e.message ? e.message : e) });
    postMessage({ t: "exit", code: 125 });
  });
};
