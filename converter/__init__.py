"""c2w: container image -> one WASI command module (engine + kernel + rootfs + snapshot)."""
