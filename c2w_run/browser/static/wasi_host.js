// WASI preview1 for one command module in a Worker: @bjorn3/browser_wasi_shim (vendored) for the
// in-memory file system and the generic calls, with our own
//   - stdio: fd 0 reads a SharedArrayBuffer ring (blocking, or EAGAIN when set non-blocking),
//     fds 1 and 2 hand each write to a callback;
//   - poll_oneoff: any number of subscriptions (fd 0 read, fd writes, clocks), sleeping in
//     Atomics.wait until stdin changes or the earliest clock is due (the shim takes one clock
//     subscription only and busy-waits it);
//   - args/environ as exact bytes (the shim sizes them in UTF-16 units);
//   - clock_time_get with sub-millisecond real time; sock_accept and friends as errors, not throws;
//   - the shim's Filestat layout fixed (it writes atim/mtim/ctim at wrong offsets, nlink 0).
import { WASI, WASIProcExit, Fd, Inode, File, Directory, OpenDirectory, OpenFile, PreopenDirectory, wasi } from "./vendor/browser_wasi_shim/index.js";

export { WASIProcExit };

wasi.Filestat.prototype.write_bytes = function (view, ptr) {
  view.setBigUint64(ptr, this.dev, true);
  view.setBigUint64(ptr + 8, this.ino, true);
  view.setUint8(ptr + 16, this.filetype);
  view.setBigUint64(ptr + 24, this.nlink || 1n, true);
  view.setBigUint64(ptr + 32, this.size, true);
  view.setBigUint64(ptr + 40, this.atim, true);
  view.setBigUint64(ptr + 48, this.mtim, true);
  view.setBigUint64(ptr + 56, this.ctim, true);
};

// Timestamps are not kept (every file shows 0); setting them succeeds, as truncating opens
// (`echo > existing`) set them and must not fail.
OpenDirectory.prototype.path_filestat_set_times = function (flags, path) {
  return this.path_lookup(path, flags).ret;
};
OpenFile.prototype.fd_filestat_set_times = () => 0;
OpenDirectory.prototype.fd_filestat_set_times = () => 0;

// Symbolic links (the shim has none): an inode holding its target. path_open and
// path_filestat_get follow a link in the last component when asked (LOOKUP_SYMLINK_FOLLOW),
// relative to the link's directory, never out of the preopen (an absolute target is ENOTCAPABLE).
export class Symlink extends Inode {
  constructor(target) {
    super();
    this.target = target;
  }
  path_open() {
    return { ret: wasi.ERRNO_LOOP, fd_obj: null };
  }
  stat() {
    return new wasi.Filestat(this.ino, wasi.FILETYPE_SYMBOLIC_LINK, BigInt(new TextEncoder().encode(this.target).length));
  }
}
const FOLLOW = 1;

function resolveLink(dirFd, path, dirflags) {
  for (let hops = 0; hops < 40; hops++) {
    if (!(dirflags & FOLLOW)) return { ret: 0, path };
    const { inode_obj } = dirFd.path_lookup(path, 0);
    if (!(inode_obj instanceof Symlink)) return { ret: 0, path };
    const target = inode_obj.target;
    if (target.startsWith("/")) return { ret: wasi.ERRNO_NOTCAPABLE, path: null };
    const trimmed = path.replace(/\/+$/, "");
    const slash = trimmed.lastIndexOf("/");
    path = slash < 0 ? target : `${trimmed.slice(0, slash)}/${target}`;
  }
  return { ret: wasi.ERRNO_LOOP, path: null };
}
const shimPathOpen = OpenDirectory.prototype.path_open;
OpenDirectory.prototype.path_open = function (dirflags, path, ...rest) {
  const r = resolveLink(this, path, dirflags);
  return r.path === null ? { ret: r.ret, fd_obj: null } : shimPathOpen.call(this, dirflags, r.path, ...rest);
};
const shimFilestat = OpenDirectory.prototype.path_filestat_get;
OpenDirectory.prototype.path_filestat_get = function (flags, path) {
  const r = resolveLink(this, path, flags);
  return r.path === null ? { ret: r.ret, filestat: null } : shimFilestat.call(this, flags, r.path);
};

const FILETYPES = { tty: wasi.FILETYPE_CHARACTER_DEVICE, file: wasi.FILETYPE_REGULAR_FILE, pipe: wasi.FILETYPE_UNKNOWN };

function stdioStat(kind, rights) {
  const st = new wasi.Fdstat(FILETYPES[kind] ?? wasi.FILETYPE_UNKNOWN, 0);
  st.fs_rights_base = BigInt(rights);
  return st;
}

class StdinFd extends Fd {
  constructor(ring, kind, beforeBlock) {
    super();
    this.ring = ring;
    this.kind = kind;
    this.flags = 0;
    this.beforeBlock = beforeBlock;
  }
  fd_fdstat_get() {
    const st = stdioStat(this.kind, wasi.RIGHTS_FD_READ | wasi.RIGHTS_POLL_FD_READWRITE | wasi.RIGHTS_FD_FDSTAT_SET_FLAGS);
    st.fs_flags = this.flags;
    return { ret: 0, fdstat: st };
  }
  fd_fdstat_set_flags(flags) {
    this.flags = flags & wasi.FDFLAGS_NONBLOCK;
    return 0;
  }
  fd_filestat_get() {
    return { ret: 0, filestat: new wasi.Filestat(0n, FILETYPES[this.kind] ?? wasi.FILETYPE_UNKNOWN, 0n) };
  }
  fd_read(size) {
    const ring = this.ring;
    for (;;) {
      const seen = ring.seq();
      if (ring.available() > 0) return { ret: 0, data: ring.read(size) };
      if (ring.eof()) return { ret: 0, data: new Uint8Array(0) };
      if (this.flags & wasi.FDFLAGS_NONBLOCK) return { ret: wasi.ERRNO_AGAIN, data: new Uint8Array(0) };
      this.beforeBlock();
      ring.wait(seen, Infinity);
    }
  }
}

class StdoutFd extends Fd {
  constructor(fd, kind, write) {
    super();
    this.fd = fd;
    this.kind = kind;
    this.write = write;
  }
  fd_fdstat_get() {
    return { ret: 0, fdstat: stdioStat(this.kind, wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_POLL_FD_READWRITE) };
  }
  fd_filestat_get() {
    return { ret: 0, filestat: new wasi.Filestat(0n, FILETYPES[this.kind] ?? wasi.FILETYPE_UNKNOWN, 0n) };
  }
  fd_write(data) {
    const n = data.byteLength; // before write(): it may transfer (detach) the buffer
    this.write(this.fd, data);
    return { ret: 0, nwritten: n };
  }
}

// A read-only mapped directory: every directory under it opens as a ReadonlyDir.
class ReadonlyDirectory extends Directory {
  path_open() {
    return { ret: 0, fd_obj: new ReadonlyOpenDirectory(this) };
  }
}
class ReadonlyOpenDirectory extends OpenDirectory {
  path_open(dirflags, path, oflags, rights_base, rights_inh, fd_flags) {
    if (oflags & (wasi.OFLAGS_CREAT | wasi.OFLAGS_TRUNC)) return { ret: wasi.ERRNO_ROFS, fd_obj: null };
    const r = super.path_open(dirflags, path, oflags, rights_base, rights_inh, fd_flags);
    if (r.ret === wasi.ERRNO_PERM) r.ret = wasi.ERRNO_ROFS;
    return r;
  }
  path_create_directory() { return wasi.ERRNO_ROFS; }
  path_unlink_file() { return wasi.ERRNO_ROFS; }
  path_remove_directory() { return wasi.ERRNO_ROFS; }
  path_link() { return wasi.ERRNO_ROFS; }
  path_filestat_set_times() { return wasi.ERRNO_ROFS; }
  path_symlink() { return wasi.ERRNO_ROFS; }
  path_unlink() { return { ret: wasi.ERRNO_ROFS, inode_obj: null }; }
}
class ReadonlyPreopen extends ReadonlyOpenDirectory {
  constructor(name, dir) {
    super(dir);
    this.prestat_name = name;
  }
  fd_prestat_get() {
    return { ret: 0, prestat: wasi.Prestat.dir(this.prestat_name) };
  }
}

// Build a preopen from the blob the host serves (see c2w_run/browser/dirsync.py): records of
// u8 kind (1 file, 2 dir, 3 symlink: data is the target) | u32 path length | path (UTF-8, relative, parents first) | u32 data length | data
export function preopenFromBlob(guest, blob, readonly) {
  const Dir = readonly ? ReadonlyDirectory : Directory;
  const root = new Dir(new Map());
  const dirs = new Map([["", root]]);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const dec = new TextDecoder();
  let p = 0;
  while (p < blob.length) {
    const kind = view.getUint8(p);
    const plen = view.getUint32(p + 1, true);
    const path = dec.decode(blob.subarray(p + 5, p + 5 + plen));
    p += 5 + plen;
    const dlen = view.getUint32(p, true);
    const data = blob.slice(p + 4, p + 4 + dlen);
    p += 4 + dlen;
    const slash = path.lastIndexOf("/");
    const parent = dirs.get(slash < 0 ? "" : path.slice(0, slash));
    const name = path.slice(slash + 1);
    let node;
    if (kind === 2) {
      node = new Dir(new Map());
      node.parent = parent;
      dirs.set(path, node);
    } else if (kind === 3) {
      node = new Symlink(dec.decode(data));
    } else {
      node = new File(data, { readonly });
    }
    parent.contents.set(name, node);
  }
  return readonly ? new ReadonlyPreopen(guest, root) : new PreopenDirectory(guest, root.contents);
}

// The reverse: the tree as it is now, in the same format.
export function blobFromPreopen(pre) {
  const enc = new TextEncoder();
  const parts = [];
  let total = 0;
  const walk = (dir, prefix) => {
    for (const [name, node] of dir.contents) {
      const path = prefix ? `${prefix}/${name}` : name;
      const isDir = node instanceof Directory;
      const isLink = node instanceof Symlink;
      if (!isDir && !isLink && !(node instanceof File)) continue;
      const pb = enc.encode(path);
      const data = isDir ? new Uint8Array(0) : isLink ? enc.encode(node.target) : node.data;
      const head = new Uint8Array(5 + pb.length + 4);
      const hv = new DataView(head.buffer);
      hv.setUint8(0, isDir ? 2 : isLink ? 3 : 1);
      hv.setUint32(1, pb.length, true);
      head.set(pb, 5);
      hv.setUint32(5 + pb.length, data.length, true);
      parts.push(head, data);
      total += head.length + data.length;
      if (isDir) walk(node, path);
    }
  };
  walk(pre.dir, "");
  const out = new Uint8Array(total);
  let p = 0;
  for (const part of parts) { out.set(part, p); p += part.length; }
  return out;
}

const now = () => BigInt(Math.round(performance.now() * 1e6));
const realNow = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

// opts: args, env (arrays of Uint8Array), ring (RingReader), kinds {stdin, stdout, stderr}
// ('tty' | 'pipe' | 'file'), write(fd, bytes), beforeBlock(), preopens (Fd objects).
export function makeWasi(opts) {
  const stdin = new StdinFd(opts.ring, opts.kinds.stdin, opts.beforeBlock);
  const fds = [stdin, new StdoutFd(1, opts.kinds.stdout, opts.write), new StdoutFd(2, opts.kinds.stderr, opts.write), ...opts.preopens];
  const w = new WASI([], [], fds);
  const mem = () => w.inst.exports.memory.buffer;
  const imp = w.wasiImport;
  const putStrings = (list, ptrs, buf) => {
    const view = new DataView(mem());
    const u8 = new Uint8Array(mem());
    for (const s of list) {
      view.setUint32(ptrs, buf, true);
      ptrs += 4;
      u8.set(s, buf);
      u8[buf + s.length] = 0;
      buf += s.length + 1;
    }
    return 0;
  };
  const sizes = (list, countPtr, sizePtr) => {
    const view = new DataView(mem());
    view.setUint32(countPtr, list.length, true);
    view.setUint32(sizePtr, list.reduce((n, s) => n + s.length + 1, 0), true);
    return 0;
  };
  imp.args_sizes_get = (c, s) => sizes(opts.args, c, s);
  imp.args_get = (p, b) => putStrings(opts.args, p, b);
  imp.environ_sizes_get = (c, s) => sizes(opts.env, c, s);
  imp.environ_get = (p, b) => putStrings(opts.env, p, b);
  imp.clock_time_get = (id, _precision, ptr) => {
    const view = new DataView(mem());
    if (id === wasi.CLOCKID_REALTIME) view.setBigUint64(ptr, realNow(), true);
    else if (id === wasi.CLOCKID_MONOTONIC || id === wasi.CLOCKID_PROCESS_CPUTIME_ID || id === wasi.CLOCKID_THREAD_CPUTIME_ID) view.setBigUint64(ptr, now(), true);
    else return wasi.ERRNO_INVAL;
    return 0;
  };
  for (const name of ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"]) imp[name] = () => wasi.ERRNO_NOTSUP;
  imp.proc_raise = () => wasi.ERRNO_NOTSUP;
  const str = (ptr, len) => new TextDecoder().decode(new Uint8Array(mem(), ptr, len));
  imp.path_symlink = (oldPtr, oldLen, fd, newPtr, newLen) => {
    const dir = fds[fd];
    if (dir === undefined) return wasi.ERRNO_BADF;
    if (!(dir instanceof OpenDirectory)) return wasi.ERRNO_NOTDIR;
    if (dir.path_symlink) return dir.path_symlink();
    const target = str(oldPtr, oldLen);
    if (!target || target.includes("\0")) return wasi.ERRNO_INVAL;
    return dir.path_link(str(newPtr, newLen), new Symlink(target), false);
  };
  imp.path_readlink = (fd, pathPtr, pathLen, buf, bufLen, nreadPtr) => {
    const dir = fds[fd];
    if (dir === undefined) return wasi.ERRNO_BADF;
    const { ret, inode_obj } = dir.path_lookup(str(pathPtr, pathLen), 0);
    if (inode_obj === null) return ret;
    if (!(inode_obj instanceof Symlink)) return wasi.ERRNO_INVAL;
    const bytes = new TextEncoder().encode(inode_obj.target).subarray(0, bufLen);
    new Uint8Array(mem()).set(bytes, buf);
    new DataView(mem()).setUint32(nreadPtr, bytes.length, true);
    return 0;
  };
  imp.poll_oneoff = (inPtr, outPtr, nsubs, neventsPtr) => {
    if (nsubs === 0) return wasi.ERRNO_INVAL;
    const view = new DataView(mem());
    const subs = [];
    const start = now();
    for (let i = 0; i < nsubs; i++) {
      const p = inPtr + 48 * i;
      const s = { userdata: view.getBigUint64(p, true), type: view.getUint8(p + 8) };
      if (s.type === wasi.EVENTTYPE_CLOCK) {
        const clock = view.getUint32(p + 16, true);
        const timeout = view.getBigUint64(p + 24, true);
        const abs = (view.getUint16(p + 40, true) & wasi.SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) !== 0;
        if (clock !== wasi.CLOCKID_REALTIME && clock !== wasi.CLOCKID_MONOTONIC) return wasi.ERRNO_INVAL;
        let deadline = abs ? timeout : start + timeout;
        if (abs && clock === wasi.CLOCKID_REALTIME) deadline = start + (timeout - realNow());
        s.deadline = deadline;
      } else {
        s.fd = view.getUint32(p + 16, true);
      }
      subs.push(s);
    }
    for (;;) {
      const seen = opts.ring.seq();
      const t = now();
      const events = [];
      let next = null;
      for (const s of subs) {
        if (s.type === wasi.EVENTTYPE_CLOCK) {
          if (s.deadline <= t) events.push({ s, error: 0, nbytes: 0n, flags: 0 });
          else if (next === null || s.deadline < next) next = s.deadline;
          continue;
        }
        const fd = fds[s.fd];
        if (fd === undefined) {
          events.push({ s, error: wasi.ERRNO_BADF, nbytes: 0n, flags: 0 });
        } else if (fd === stdin && s.type === wasi.EVENTTYPE_FD_READ) {
          const n = opts.ring.available();
          if (n > 0 || opts.ring.eof()) events.push({ s, error: 0, nbytes: BigInt(n), flags: n ? 0 : wasi.EVENTRWFLAGS_FD_READWRITE_HANGUP });
        } else {
          events.push({ s, error: 0, nbytes: 0n, flags: 0 }); // files and stdout are always ready
        }
      }
      if (events.length) {
        events.forEach((e, i) => {
          const p = outPtr + 32 * i;
          for (let k = 0; k < 32; k += 8) view.setBigUint64(p + k, 0n, true);
          view.setBigUint64(p, e.s.userdata, true);
          view.setUint16(p + 8, e.error, true);
          view.setUint8(p + 10, e.s.type);
          view.setBigUint64(p + 16, e.nbytes, true);
          view.setUint16(p + 24, e.flags, true);
        });
        view.setUint32(neventsPtr, events.length, true);
        return 0;
      }
      opts.beforeBlock();
      const ms = next === null ? Infinity : Math.max(0, Number(next - t) / 1e6);
      if (subs.some((s) => s.type === wasi.EVENTTYPE_FD_READ && fds[s.fd] === stdin)) opts.ring.wait(seen, ms);
      else Atomics.wait(SLEEP, 0, 0, ms);
    }
  };
  return w;
}
