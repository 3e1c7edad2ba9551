#!/usr/bin/env bash
# The x86_64 initramfs (Bochs engine): ../build-initramfs.sh --arch x86_64 [--init | --smoke].
exec "$(dirname "$0")/../build-initramfs.sh" --arch x86_64 "$@"
