"""The address a sign-in comes from, for throttling (django-axes' AXES_CLIENT_IP_CALLABLE).

Behind the reverse proxy `docs/deploying.md` requires, every request reaches the app from the
proxy's address, so throttling by that address would let five wrong passwords lock a name out
for everyone. The real client's address is in X-Forwarded-For, but anyone can write that
header, so it is believed only as far as trusted proxies wrote it:

- with `YJ_TRUSTED_PROXIES` unset, or a request not coming from one of those addresses, the
  header is ignored and the connecting address (REMOTE_ADDR) is used;
- otherwise we read the header from the right (each proxy appends the address it was
  reached from), skipping our own proxies; the first address that is not one of them is the
  client's. What the client wrote itself stays to the left and is never reached.

Why our own few lines rather than django-ipware: docs/decisions/0006-sessions-and-sign-in-
after-the-security-test.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request: HttpRequest) -> str:
    """The address of whoever is signing in, as far as our trusted proxies vouch for it."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted: Sequence[Network] = settings.YJ_TRUSTED_PROXIES
    nearest = _address(remote)
    if nearest is None or not _is_trusted(nearest, trusted):
        return remote
    for hop in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")):
        address = _address(hop.strip())
        if address is None:
            break  # not written by a proxy of ours: stop at the last address we trust
        nearest = address
        if not _is_trusted(address, trusted):
            break
    return str(nearest)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)
