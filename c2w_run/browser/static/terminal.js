// `c2w-run serve`: the container image in an xterm.js terminal. The module runs in a Worker
// (worker.js) with a terminal on stdio: keys go into the stdin ring, output goes to the screen.
// window.c2w exposes the terminal and the run's state (for tests).
import { Terminal } from "./vendor/xterm/xterm.mjs";
import { FitAddon } from "./vendor/xterm/addon-fit.mjs";
import { newRing, RingWriter } from "./stdin_ring.js";

const status = document.getElementById("status");
const term = new Terminal({ fontSize: 14, cursorBlink: true, scrollback: 5000 });
const fit = new FitAddon();
term.loadAddon(fit);
term.open(document.getElementById("term"));
fit.fit();
term.focus();
window.c2w = { term, state: "loading", exitCode: null, text: () => screenText() };

function screenText() {
  const buf = term.buffer.active;
  const lines = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i).translateToString(true));
  return lines.join("\n");
}

async function main() {
  if (!crossOriginIsolated) throw new Error("the page is not cross-origin isolated (no SharedArrayBuffer)");
  const config = await (await fetch("/config.json")).json();
  config.env.push(btoa(`C2W_WINSIZE=${term.rows}x${term.cols}`));
  const sab = newRing();
  const ring = new RingWriter(sab);
  const enc = new TextEncoder();
  term.onData((d) => ring.push(enc.encode(d)));
  const worker = new Worker("/static/worker.js", { type: "module" });
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m.t === "out") term.write(m.data);
    else if (m.t === "timing") {
      status.textContent = `running (compiled in ${Math.round(m.compile_ms)} ms)`;
      window.c2w.state = "running";
    } else if (m.t === "error") term.write(`\r\n[${m.message}]\r\n`);
    else if (m.t === "exit") {
      status.textContent = `exited with status ${m.code}; reload to start again`;
      window.c2w.state = "exited";
      window.c2w.exitCode = m.code;
      term.write(`\r\n[exited with status ${m.code}]\r\n`);
    }
  };
  worker.onerror = (ev) => { status.textContent = `worker failed: ${ev.message}`; };
  worker.postMessage({ t: "start", config, ring: sab });
}

main().catch((e) => {
  status.textContent = `failed: ${e && e.message ? e.message : e}`;
  window.c2w.state = "failed";
});
