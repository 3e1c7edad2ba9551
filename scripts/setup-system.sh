#!/usr/bin/env bash
# Install the Debian packages the project needs (idempotent: only missing ones are installed).
# Uses the host's existing apt sources (bookworm); never edits them.
set -euo pipefail
PKGS=(
  clang lld wasi-libc libclang-rt-14-dev-wasm32      # engine + probes for wasm32-wasi
  gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu   # kernel, guest init, ISA tests
  libc6-dev-riscv64-cross                            # static glibc for the guest init
  qemu-system-misc                                   # reference machine (differential tests, bench)
  qemu-user-static                                   # bench/foreign: arm64/amd64 binaries on the host
  linux-source-6.1 bc flex bison cpio libelf-dev libssl-dev xz-utils  # guest kernel
  erofs-utils e2fsprogs                              # rootfs disk images
  mmdebstrap                                         # riscv64 userland from Debian (private apt config)
  cmake ninja-build libasmjit-dev                    # WAMR (asmjit: its fast JIT)
  passt podman skopeo docker-registry                # networking, image sources
  chromium                                           # the matrix HTML page, the browser runtime (headless)
  nodejs                                             # node:wasi runtime; its npm installs the browser page (scripts/install-browser.sh)
  binaryen llvm-14 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32  # Bochs (x86_64 engine) for wasm32-wasi (llvm-ar)
  busybox-static                                     # x86_64 test initramfs for the Bochs boot tests
  libclang-rt-14-dev                                 # libFuzzer + ASan/UBSan runtimes (make fuzz: converter/engine/fuzz)
  qemu-system-x86                                    # bench/engine: the x86_64 engine vs QEMU TCG
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "system packages: all present"; exit 0; fi
echo "system packages: installing ${missing[*]}"
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
