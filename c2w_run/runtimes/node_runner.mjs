// Runs a WASI preview1 command module under node:wasi.
// usage: node node_runner.mjs [--dir=GUEST=HOST]... [--env=K=V]... -- MODULE [ARG...]
// The module's exit code becomes the process exit code.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
// No import of "node:process": its ESM namespace evaluates every getter, and process.stdin's
// getter switches fd 0 to O_NONBLOCK, so the module's fd_read on a pipe would fail with EAGAIN.
const { argv, exit } = process;
const stderr = { write: (s) => process.stderr.write(s) };

const preopens = {};
const env = {};
let i = 2;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--") { i++; break; }
  if (a.startsWith("--dir=")) {
    const spec = a.slice(6);
    const eq = spec.indexOf("=");
    preopens[spec.slice(0, eq)] = spec.slice(eq + 1);
  } else if (a.startsWith("--env=")) {
    const kv = a.slice(6);
    const eq = kv.indexOf("=");
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  } else {
    stderr.write(`node_runner: unknown option ${a}\n`);
    exit(2);
  }
}
const modulePath = argv[i];
if (!modulePath) {
  stderr.write("node_runner: no module given\n");
  exit(2);
}
const wasi = new WASI({
  version: "preview1",
  args: [modulePath, ...argv.slice(i + 1)],
  env,
  preopens,
  returnOnExit: true,
});
let code;
try {
  const module = await WebAssembly.compile(await readFile(modulePath));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance);
} catch (e) {
  stderr.write(`node_runner: ${e && e.message ? e.message : e}\n`);
  code = 134;
}
exit(code ?? 0);
