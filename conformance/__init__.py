"""The conformance suite: cases (TOML), WASI probes, per-runtime expectations, and the runner."""
