"""Test support shared by the tests and benches of every part (not shipped in the installable
package: pyproject.toml's package list leaves it out; the repository's conftest.py and the
bench scripts put the repository on sys.path).

- `oci`: small OCI layouts and docker archives built in Python, `run_c2w`, `derive`.
- `servers`: a free loopback port, an HTTP server, docker-registry and Podman services.
- `runtimes`: runtimes reached through c2w-run's registry (never a look-up of their own).
"""
