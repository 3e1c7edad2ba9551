#!/usr/bin/env bash
# The x86_64 guest kernel (Linux 6.1 bzImage) for the Bochs engine: ../build-kernel.sh --arch x86_64
# (kernel.fragment beside this script; output $C2W_CACHE/kernel-x86_64/<hash>/bzImage, last line).
exec "$(cd "$(dirname "$0")/.." && pwd)/build-kernel.sh" --arch x86_64 "$@"
