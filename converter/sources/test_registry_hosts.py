"""Which registry references count as loopback (Docker's insecure-registries default: 127.0.0.0/8,
::1 and localhost are spoken to over plain HTTP unless verification is asked for)."""

from __future__ import annotations

import pytest

from converter.sources.registry import registry_host, verify_tls


@pytest.mark.parametrize("ref, host", [
    ("127.0.0.1:5000/c2w/default:1", "127.0.0.1"),
    ("127.1.2.3/x", "127.1.2.3"),
    ("localhost/x:1", "localhost"),
    ("localhost:5000/x@sha256:00", "localhost"),
    ("[::1]:5000/x", "::1"),
    ("[::1]/x", "::1"),
    ("registry.example.org/a/b:1", "registry.example.org"),
    ("library/alpine:3", None),
    ("alpine", None),
])
def test_registry_host_follows_dockers_reference_rule(ref: str, host: str | None) -> None:
    assert registry_host(ref) == host


@pytest.mark.parametrize("ref", ["127.0.0.1:5000/x", "127.255.0.9/x", "localhost:1/x", "[::1]:5000/x"])
def test_loopback_registries_are_not_verified_by_default(ref: str) -> None:
    assert verify_tls(ref, None) is False
    assert verify_tls(ref, True) is True


@pytest.mark.parametrize("ref", ["128.0.0.1:5000/x", "10.0.0.1/x", "[::2]:5000/x", "example.org/x",
                                 "localhost.example.org/x", "alpine:3", "library/localhost"])
def test_other_registries_are_verified_by_default(ref: str) -> None:
    assert verify_tls(ref, None) is True
    assert verify_tls(ref, False) is False
