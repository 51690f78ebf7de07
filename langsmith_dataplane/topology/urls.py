"""Host names and HTTPS URLs in the topology, checked as what they become.

Control-plane URLs get API paths appended by the clients (so no query, fragment or trailing
parameters); a deployment's `customUrl` is sent to LangSmith and shown to users. Neither may
carry credentials (`https://user:pass@host`): they would be stored and sent in plain text, and
the value is never echoed back. IPv6 literals (`https://[2001:db8::1]:8443`) are accepted.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

MAX_URL = 2048

# A DNS name: labels of letters, digits and '-', dot-separated, at most 253 characters.
_DNS_NAME = re.compile(
    r"([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*"
)


def hostname_problem(hostname: str) -> str | None:
    if len(hostname) <= 253 and _DNS_NAME.fullmatch(hostname):
        return None
    return (
        "is not a DNS name (lower-case letters, digits, '-' and '.', labels of at most 63 "
        "characters)"
    )


def https_url_problem(url: str, *, path_allowed: bool = True) -> str | None:
    """Why `url` is not a plain https URL, or None. Never quotes the URL itself."""
    if len(url) > MAX_URL:
        return f"is longer than {MAX_URL} characters"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "contains whitespace or control characters"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a URL ({exc})"
    try:
        port = parts.port
    except ValueError:
        return "has a port out of range 1-65535"
    if parts.scheme != "https":
        return "must start with https://"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "must not hold credentials (user:password@): use a secret reference instead"
    host = parts.hostname or ""
    if not host:
        return "has no host"
    if parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "has an invalid IPv6 address"
    else:
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            if hostname_problem(host.lower()) is not None:
                return "has a host that is not a DNS name"
    if port is not None and not 1 <= port <= 65535:
        return "has a port out of range 1-65535"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not have a query or fragment (paths are appended to it)"
    if not path_allowed and parts.path not in ("", "/"):
        return "must not have a path"
    return None
