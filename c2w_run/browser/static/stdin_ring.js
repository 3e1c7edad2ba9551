// A single-producer single-consumer byte ring in a SharedArrayBuffer: the page (producer) puts
// stdin bytes in, the Worker running the module (consumer) takes them out and can block on it
// with Atomics.wait. Counters are free-running int32s (wrap at 2^32; CAPACITY divides it).
//   ctl[0] bytes written   ctl[1] bytes read   ctl[2] EOF flag   ctl[3] change counter (waited on)
export const CAPACITY = 1 << 20;
const HEAD = 0, TAIL = 1, EOF = 2, SEQ = 3;

export function newRing() {
  return new SharedArrayBuffer(16 + CAPACITY);
}

export class RingWriter {
  constructor(sab) {
    this.ctl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, 16, CAPACITY);
    this.pending = []; // chunks that did not fit yet
    this.closing = false;
    this.waiting = false;
  }
  push(bytes) {
    if (bytes.length) this.pending.push(bytes);
    this._drain();
  }
  close() {
    this.closing = true;
    this._drain();
  }
  _drain() {
    const ctl = this.ctl;
    while (this.pending.length) {
      const head = Atomics.load(ctl, HEAD);
      const free = CAPACITY - ((head - Atomics.load(ctl, TAIL)) | 0);
      if (free === 0) break;
      const chunk = this.pending[0];
      const n = Math.min(free, chunk.length);
      for (let done = 0; done < n;) {
        const at = (head + done) & (CAPACITY - 1);
        const m = Math.min(n - done, CAPACITY - at);
        this.data.set(chunk.subarray(done, done + m), at);
        done += m;
      }
      Atomics.store(ctl, HEAD, (head + n) | 0);
      if (n === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(n);
      this._notify();
    }
    if (this.pending.length) {
      this._waitForRoom();
    } else if (this.closing && !Atomics.load(ctl, EOF)) {
      Atomics.store(ctl, EOF, 1);
      this._notify();
    }
  }
  _notify() {
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
  }
  _waitForRoom() { // the page's thread may not block: wait asynchronously for the reader
    if (this.waiting) return;
    this.waiting = true;
    const tail = Atomics.load(this.ctl, TAIL);
    const r = Atomics.waitAsync(this.ctl, TAIL, tail, 1000);
    const again = () => { this.waiting = false; this._drain(); };
    if (r.async) r.value.then(again); else again();
  }
}

export class RingReader {
  constructor(sab) {
    this.ctl = new Int32Array(sab, 0, 4);
    this.data = new Uint8Array(sab, 16, CAPACITY);
  }
  available() {
    return (Atomics.load(this.ctl, HEAD) - Atomics.load(this.ctl, TAIL)) | 0;
  }
  eof() { // true once every byte is read and the writer closed
    return Atomics.load(this.ctl, EOF) === 1 && this.available() === 0;
  }
  seq() {
    return Atomics.load(this.ctl, SEQ);
  }
  read(max) {
    const ctl = this.ctl;
    const tail = Atomics.load(ctl, TAIL);
    const n = Math.min(max, this.available());
    const out = new Uint8Array(n);
    for (let done = 0; done < n;) {
      const at = (tail + done) & (CAPACITY - 1);
      const m = Math.min(n - done, CAPACITY - at);
      out.set(this.data.subarray(at, at + m), done);
      done += m;
    }
    Atomics.store(ctl, TAIL, (tail + n) | 0);
    Atomics.notify(ctl, TAIL);
    return out;
  }
  // Block until the ring changes after `seen` (a seq() value) or timeoutMs passes.
  wait(seen, timeoutMs) {
    Atomics.wait(this.ctl, SEQ, seen, timeoutMs);
  }
}
