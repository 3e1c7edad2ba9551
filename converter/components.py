"""The prebuilt parts every image is made from: engine.wasm, the kernel Image, the init initramfs;
and the default image (`c2w:default`, an OCI layout).

Each is found, in order: an environment variable naming the file or the directory holding it
(C2W_ENGINE_WASM, C2W_KERNEL, C2W_INITRD, C2W_DEFAULT_IMAGE), a copy shipped in the installed
package (`converter/data/`, put there by scripts/build-wheel.sh), or, in a source checkout, the
project's cached build script (converter/engine/build.sh, converter/guest/...). Converting an
image never compiles anything once these exist.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import ConvertError

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


@dataclass(frozen=True)
class Component:
    name: str
    env_var: str
    filename: str
    build: tuple[str, ...]  # script (relative to converter/) and its arguments
    output_is_dir: bool  # the script prints a directory holding `filename`
    shipped: str = ""  # path under converter/data/ when it is not `filename`


ENGINE = Component("engine", "C2W_ENGINE_WASM", "engine.wasm", ("engine/build.sh", "wasm"), True)
ENGINE_NATIVE = Component("native engine", "C2W_ENGINE_NATIVE", "c2w-engine", ("engine/build.sh", "native"), True)
KERNEL = Component("kernel", "C2W_KERNEL", "Image", ("guest/build-kernel.sh",), False)
INITRD = Component("init initramfs", "C2W_INITRD", "initramfs.cpio.gz", ("guest/build-initramfs.sh", "--init"), False)
DEFAULT_IMAGE = Component("default image", "C2W_DEFAULT_IMAGE", "index.json", ("guest/build-default-image.sh",),
                          True, shipped="default-image/index.json")
SHIPPED = (ENGINE, KERNEL, INITRD, DEFAULT_IMAGE)  # what a wheel carries (scripts/build-wheel.sh)


def default_image() -> Path:
    """The default image's OCI layout directory (tag "latest")."""
    return locate(DEFAULT_IMAGE).parent


# the x86_64 full-system engine (--emulation system): Bochs with our patches, its kernel and init
BOCHS_NATIVE = Component("native x86_64 engine (Bochs)", "C2W_BOCHS_NATIVE", "bochs", ("bochs/build.sh", "native"), True)
BOCHS = Component("x86_64 engine (Bochs)", "C2W_BOCHS_WASM", "bochs.wasm", ("bochs/build.sh", "wasi"), True)
KERNEL_X86 = Component("x86_64 kernel", "C2W_KERNEL_X86_64", "bzImage", ("guest/build-kernel.sh", "--arch", "x86_64"), False)
INITRD_X86 = Component("x86_64 init initramfs", "C2W_INITRD_X86_64", "initramfs-x86_64.cpio.gz",
                       ("guest/build-initramfs.sh", "--arch", "x86_64", "--init"), False)


def locate(c: Component) -> Path:
    """Return the path of component `c`, building it (cached) in a source checkout if needed."""
    env = os.environ.get(c.env_var)
    if env:
        p = Path(env)
        if p.is_dir():
            p = p / c.filename
        if not p.is_file():
            raise ConvertError(f"{c.env_var}={env}: no such file")
        return p
    shipped = DATA / (c.shipped or c.filename)
    if shipped.is_file():
        return shipped
    script = HERE / c.build[0]
    if not script.is_file():
        raise ConvertError(f"no {c.name} found: set {c.env_var} or install a c2w-run package that ships it")
    done = subprocess.run([str(script), *c.build[1:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        lines = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()]
        why = (errors or lines or [f"exit {done.returncode}"])[0 if errors else -1]
        raise ConvertError(f"building the {c.name} failed ({c.build[0]}): {why}")
    out = Path(lines[-1])
    path = out / c.filename if c.output_is_dir else out
    if not path.is_file():
        raise ConvertError(f"building the {c.name}: {c.build[0]} printed {out}, which holds no {c.filename}")
    return path
