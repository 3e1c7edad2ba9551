"""c2w-run: one command line for every WASI runtime."""

__version__ = "0.1.0"
