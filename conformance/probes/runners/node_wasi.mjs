// Minimal node:wasi (preview1) runner for the probes.
// usage: node --no-warnings node_wasi.mjs [--dir HOST::GUEST]... [--env KEY=VALUE]...
//        [--] FILE.wasm [ARG...]
// argv seen by the guest: FILE.wasm ARG...; stdio is the process's fds 0/1/2.
// Exit status: the guest's proc_exit code; 1 on a trap (message on stderr);
// 2 on bad usage.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let i = 0;
for (; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') { i++; break; }
  if (a === '--dir' || a === '--env') {
    const v = argv[++i];
    if (v === undefined) { console.error(`node_wasi: ${a} needs a value`); process.exit(2); }
    if (a === '--dir') {
      const k = v.indexOf('::');
      if (k < 0) preopens[v] = v; else preopens[v.slice(k + 2)] = v.slice(0, k);
    } else {
      const k = v.indexOf('=');
      if (k < 1) { console.error(`node_wasi: --env needs KEY=VALUE, got '${v}'`); process.exit(2); }
      env[v.slice(0, k)] = v.slice(k + 1);
    }
  } else if (a.startsWith('--')) {
    console.error(`node_wasi: unknown option '${a}'`); process.exit(2);
  } else break;
}
if (i >= argv.length) { console.error('node_wasi: no wasm file given'); process.exit(2); }
const file = argv[i];
const wasi = new WASI({ version: 'preview1', args: argv.slice(i), env, preopens, returnOnExit: true });
let code;
try {
  const mod = await WebAssembly.compile(await readFile(file));
  const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
  code = wasi.start(inst);
} catch (e) {
  console.error(`node_wasi: ${e && e.message ? e.message : e}`);
  code = 1;
}
process.exitCode = code ?? 0;
