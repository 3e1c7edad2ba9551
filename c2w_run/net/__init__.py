"""`c2w-run --net`: a user-mode network for the container, from passt on the host.

- `transports`: which runtime carries the guest's frames how (measured, see README.md).
- `passt`: finding passt and its command line (addresses matching the engine's RUN field `n`).
- `session`: one run's network: a free loopback port for the runtime's pre-opened listener,
  the connection to it handed to passt (`passt --fd`), teardown on every exit path.
"""

from __future__ import annotations

from .passt import GUEST_ADDR, GATEWAY, NetError
from .session import NetSession
from .transports import transport_for

__all__ = ["GATEWAY", "GUEST_ADDR", "NetError", "NetSession", "transport_for"]
