"""c2w: container image -> one WASI command module (engine + kernel + rootfs + snapshot)."""

from c2w_run import __version__

__all__ = ["__version__"]
