"""Source addresses the harvesters may call: http(s) only, and never this machine or a private
network unless the allow-list ``ckanext.datagovma.harvest.allowed_hosts`` names the host; and how
long a harvester waits for a source (``ckanext.datagovma.harvest.timeout``)."""

import ipaddress
import socket
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests
from requests.adapters import HTTPAdapter


class SourceRefused(Exception):
    pass


def check_source_url(url):
    """Raises SourceRefused with a sentence saying why, or returns the URL."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https"):
        raise SourceRefused(tk._("Only http and https sources can be harvested (got {0!r})").format(url))
    if not parts.hostname:
        raise SourceRefused(tk._("The source address has no host: {0!r}").format(url))
    allowed = [h.lower() for h in tk.config.get("ckanext.datagovma.harvest.allowed_hosts") or []]
    host_port = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    if parts.hostname.lower() in allowed or host_port.lower() in allowed:
        return url
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 80)}
    except socket.gaierror:
        raise SourceRefused(tk._("The source host {0} cannot be resolved").format(parts.hostname)) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise SourceRefused(
                tk._(
                    "The source {0} is on a local or private address ({1}); add it to "
                    "ckanext.datagovma.harvest.allowed_hosts to allow it"
                ).format(parts.hostname, ip)
            )
    return url


def timeout():
    """Seconds a harvester waits for a source to connect or to send the next bytes."""
    return tk.config.get("ckanext.datagovma.harvest.timeout")


def get(url, **kwargs):
    """GET from a source that passed :func:`check_source_url`, with the configured timeout."""
    check_source_url(url)
    return requests.get(url, timeout=timeout(), **kwargs)


class TimeoutAdapter(HTTPAdapter):
    """Gives every request of a session the configured timeout (ckanext-dcat sets none)."""

    def send(self, request, **kwargs):
        if not kwargs.get("timeout"):
            kwargs["timeout"] = timeout()
        return super().send(request, **kwargs)


def with_timeout(session):
    adapter = TimeoutAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
