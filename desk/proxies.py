"""The client's own address behind the office's HTTPS proxy.

Behind a proxy every request comes from the proxy's address: counted as such, five wrong
passwords would lock the whole office out.  The proxy says whom it forwards in
X-Forwarded-For (and whether it spoke HTTPS in X-Forwarded-Proto), but anyone can send
those headers, so they are believed only from a proxy named in the settings; the
address is read from the right, where the nearest named proxy wrote it.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable

from desk.config import Network


def _within(address: str, networks: Iterable[Network]) -> bool | None:
    """Whether ``address`` is one of ``networks``; None when it is no IP address."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None
    return any(ip in network for network in networks)


class TrustedProxies:
    """WSGI middleware: for a request from a named proxy, the client address and scheme it forwarded."""

    def __init__(self, app: Callable, networks: tuple[Network, ...]):
        self.app = app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        if self.networks and _within(peer, self.networks):
            client = peer
            hops = [hop.strip() for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            for hop in reversed(hops):
                trusted = _within(hop, self.networks)
                if trusted is None:
                    break  # not an address: what lies left of it cannot be believed either
                client = hop
                if not trusted:
                    break
            environ["REMOTE_ADDR"] = client
            scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)
