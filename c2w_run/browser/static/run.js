// The page `c2w-run --runtime browser` opens: it relays between the host driver
// (c2w_run/browser/driver.py, one WebSocket) and the Worker running the module (worker.js).
// WebSocket messages are binary, one type byte first:
//   host -> page: 0 stdin bytes, 1 stdin EOF
//   page -> host: 1 stdout bytes, 2 stderr bytes, 3 exit (u32 LE status), 4 directory at exit
//                 (u32 LE index + blob), 5 error (UTF-8 text), 6 timings (JSON)
import { newRing, RingWriter } from "./stdin_ring.js";

const enc = new TextEncoder();
function frame(type, body) {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
}

const sab = newRing();
const ring = new RingWriter(sab);
const ws = new WebSocket(`ws://${location.host}/ws`);
ws.binaryType = "arraybuffer";
ws.onmessage = (ev) => { // at once: the host sends stdin as soon as we connect
  const m = new Uint8Array(ev.data);
  if (m[0] === 0) ring.push(m.slice(1));
  else if (m[0] === 1) ring.close();
};
const opened = new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = () => reject(new Error("WebSocket to the host failed"));
});

async function main() {
  await opened;
  if (!crossOriginIsolated) throw new Error("the page is not cross-origin isolated (no SharedArrayBuffer)");
  const config = await (await fetch("/config.json")).json();
  const worker = new Worker("/static/worker.js", { type: "module" });
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m.t === "out") ws.send(frame(m.fd === 2 ? 2 : 1, m.data));
    else if (m.t === "fs") {
      const body = new Uint8Array(4 + m.data.length);
      new DataView(body.buffer).setUint32(0, m.index, true);
      body.set(m.data, 4);
      ws.send(frame(4, body));
    } else if (m.t === "timing") ws.send(frame(6, enc.encode(JSON.stringify(m))));
    else if (m.t === "error") ws.send(frame(5, enc.encode(m.message)));
    else if (m.t === "exit") {
      const body = new Uint8Array(4);
      new DataView(body.buffer).setUint32(0, m.code >>> 0, true);
      ws.send(frame(3, body));
    }
  };
  worker.onerror = (ev) => {
    ws.send(frame(5, enc.encode(`worker: ${ev.message || "failed to load"}`)));
    ws.send(frame(3, new Uint8Array([125, 0, 0, 0])));
  };
  worker.postMessage({ t: "start", config, ring: sab });
}

main().catch((e) => {
  const msg = enc.encode(String(e && e.message ? e.message : e));
  if (ws.readyState === WebSocket.OPEN) {
    ws.send(frame(5, msg));
    ws.send(frame(3, new Uint8Array([125, 0, 0, 0])));
  }
});
