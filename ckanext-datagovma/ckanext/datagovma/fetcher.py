"""The one way the portal fetches an address a user gave: harvest sources today, link checks and
data loading later. Nothing else in the portal may call such an address with ``requests``,
``urllib`` or a library's own client: it goes through :func:`get` or :func:`stream` here (or a
session passed through :func:`mount`).

The rules, each because an address typed by a user must not make the portal call itself or the
network it runs in (server-side request forgery):

- http and https only; no user name or password in the address, no backslash, space or control
  character, and the host, port and scheme must read the same to ``urllib.parse``, ``urllib3``
  and ``requests`` (``http://a\\@b/`` was checked as ``b`` and fetched from ``a``). International
  host names are turned into their IDNA form first; a host ending in a number must be a plain
  dotted IPv4 address (``0x7f.1``, ``2130706433`` are refused).
- The host is resolved once, every address it resolves to must be globally routable (not
  loopback, private, link-local, shared 100.64/10, unique-local, multicast, reserved,
  documentation, unspecified; an IPv4 address embedded in an IPv6 one, mapped, 6to4 or NAT64, is
  judged as that IPv4 address), and the connection is made to that very address: the connection
  class opens its socket to the pinned address while TLS (SNI and certificate) and the Host header
  keep the host name. A second answer from DNS (rebinding) is never asked for.
- ``ckanext.datagovma.fetch.allowed_hosts`` lifts the address rule for the hosts or addresses it
  names (``host``, ``host:port``, ``address`` or ``address:port``), e.g. the HCP simulator on
  127.0.0.1:8990. The other rules still apply, and the allowed host is still resolved once.
- Redirects are followed here, at most :data:`MAX_REDIRECTS`, and each new address passes every
  rule again before anything is sent to it.
- ``ckanext.datagovma.fetch.timeout`` seconds to connect and between two reads,
  ``ckanext.datagovma.fetch.max_seconds`` for the whole answer, and at most
  ``ckanext.datagovma.fetch.max_size_mb`` of body (read as a stream and stopped past the limit).
- No proxy from the environment (a proxy would resolve the host again) and no ``.netrc``.

Errors: :class:`URLRefused` (the address breaks a rule: a sentence for the user, translated) and
``requests.RequestException`` for everything that goes wrong on the network, our own limits
included (:class:`ResponseTooLarge`, :class:`TooSlow`, :class:`TooManyRedirects`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import os
import re
import socket
import threading
import time
import unicodedata
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import idna
import requests
from requests.adapters import HTTPAdapter
from urllib3._collections import RecentlyUsedContainer
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.poolmanager import SSL_KEYWORDS
from urllib3.util import connection as urllib3_connection
from urllib3.util import parse_url

MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}

# Every network an address of which the portal never calls (unless allowed by name or address).
# Python's ipaddress flags differ between patch releases, so the list is spelled out; the flags are
# checked as well. IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
# addresses are judged by the IPv4 address they carry, before this list.
REFUSED_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "0.0.0.0/8",  # "this network", 0.0.0.0
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private
    "100.64.0.0/10",  # shared address space (carrier-grade NAT)
    "127.0.0.0/8",  # loopback
    "169.254.0.0/16",  # link-local (cloud metadata services)
    "192.0.0.0/24",  # IETF protocol assignments
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",  # documentation
    "192.88.99.0/24",  # 6to4 relay anycast
    "198.18.0.0/15",  # benchmarking
    "224.0.0.0/4",  # multicast
    "240.0.0.0/4",  # reserved, and the broadcast address
    "::/96",  # unspecified, loopback and the deprecated IPv4-compatible addresses
    "::ffff:0:0:0/96",  # IPv4-translated
    "64:ff9b:1::/48",  # local-use NAT64
    "100::/64",  # discard
    "2001::/23",  # IETF protocol assignments, Teredo included
    "2001:db8::/32", "3fff::/20",  # documentation
    "5f00::/16",  # segment routing
    "fc00::/7",  # unique-local
    "fe80::/10", "fec0::/10",  # link-local, site-local
    "ff00::/8",  # multicast
))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


class URLRefused(Exception):
    """The portal does not fetch this address; ``str(exc)`` is a translated sentence saying why
    and what to change. ``url`` is the address refused."""

    def __init__(self, message, url=None):
        super().__init__(message)
        self.message = message
        self.url = url


class HostNotFound(URLRefused):
    """The host name does not resolve (now): a fault that may pass, unlike the other refusals."""


class ResponseTooLarge(requests.RequestException):
    """The answer is larger than ``ckanext.datagovma.fetch.max_size_mb``; nothing was kept."""


class TooSlow(requests.Timeout):
    """The whole answer took longer than ``ckanext.datagovma.fetch.max_seconds``."""


class TooManyRedirects(requests.TooManyRedirects):
    """More than :data:`MAX_REDIRECTS` redirects."""


# --- configuration -----------------------------------------------------------------------------

def allowed_hosts():
    """The lower-cased entries of ``ckanext.datagovma.fetch.allowed_hosts`` (and of the older
    ``ckanext.datagovma.harvest.allowed_hosts``, still read)."""
    entries = []
    for key in ("ckanext.datagovma.fetch.allowed_hosts", "ckanext.datagovma.harvest.allowed_hosts"):
        entries += tk.aslist(tk.config.get(key) or [])
    return {entry.strip().lower() for entry in entries if entry.strip()}


def timeout():
    """Seconds to wait to connect, and then between two reads."""
    older = tk.config.get("ckanext.datagovma.harvest.timeout")  # the harvest-only name, still read
    return float(older or tk.config.get("ckanext.datagovma.fetch.timeout") or 30)


def max_seconds():
    """Seconds the whole answer may take, redirects included."""
    return float(tk.config.get("ckanext.datagovma.fetch.max_seconds") or 300)


def max_size():
    """Bytes of body kept at most."""
    return int(float(tk.config.get("ckanext.datagovma.fetch.max_size_mb") or 50) * 1024 * 1024)


# --- the address -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Target:
    """An address that passed every rule: ``url`` as requests sends it, the IDNA ``host``, the
    effective ``port`` and the IP ``address`` the connection goes to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def _shown(url):
    """The address as quoted in a message: without control characters, and not too long."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in str(url))
    return text if len(text) <= 200 else text[:200] + "…"


def _ascii_host(host):
    """The IDNA (ASCII) form of a host name; ASCII names are only lower-cased."""
    host = (host or "").lower()
    if host.isascii():
        return host
    return idna.encode(host, uts46=True).decode("ascii")


def _view(scheme, host, port):
    scheme = (scheme or "").lower()
    host = _ascii_host((host or "").strip("[]"))
    return scheme, host, port or DEFAULT_PORTS.get(scheme)


def parse(url):
    """Checks the form of ``url`` (no network). Returns ``(url as requests sends it, scheme, IDNA
    host, effective port)``; raises :class:`URLRefused` with the rule it breaks."""
    shown = _shown(url)
    if not isinstance(url, str) or not url:
        raise URLRefused(tk._("Give an http or https address"), url)
    if _UNSAFE_CHARACTERS.search(url) or any(
        unicodedata.category(c)[0] in "CZ" for c in url if not c.isascii()
    ):
        raise URLRefused(tk._("The address {0} contains a space, a control character or a backslash: "
                              "write it without them").format(shown), url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise URLRefused(tk._("The address {0} is not a valid web address").format(shown), url) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise URLRefused(tk._("Only http and https addresses can be used (got {0})").format(shown), url)
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise URLRefused(tk._("The address {0} holds a user name or a password (before an @): "
                              "the portal does not send them; remove them").format(shown), url)
    host = parts.hostname or ""
    if not host:
        raise URLRefused(tk._("The address {0} has no host").format(shown), url)
    try:
        host = _ascii_host(host)
    except (idna.IDNAError, UnicodeError):
        raise URLRefused(tk._("The host of {0} is not a valid domain name").format(shown), url) from None
    if ":" in host:  # an IPv6 literal; zone ids (%) are refused
        try:
            if "%" in host:
                raise ValueError(host)
            ipaddress.IPv6Address(host)
        except ValueError:
            raise URLRefused(tk._("The host of {0} is not a valid domain name").format(shown), url) from None
    else:
        labels = host.split(".")
        if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
            raise URLRefused(tk._("The host of {0} is not a valid domain name").format(shown), url)
        if _NUMERIC_LABEL.match(labels[-1]):  # browsers read such a host as an IPv4 address
            try:
                canonical = str(ipaddress.IPv4Address(host)) == host
            except ValueError:
                canonical = False
            if not canonical:
                raise URLRefused(tk._("The host of {0} is not a domain name nor an IPv4 address written "
                                      "a.b.c.d").format(shown), url)
    # The parsers the request goes through must all read the same scheme, host and port.
    try:
        theirs = parse_url(url)
        prepared = requests.models.PreparedRequest()
        prepared.prepare_url(url, None)
        sent = parse_url(prepared.url)
        views = {
            _view(scheme, host, port),
            _view(theirs.scheme, theirs.host, theirs.port),
            _view(sent.scheme, sent.host, sent.port),
        }
    except (LocationParseError, requests.RequestException, ValueError, idna.IDNAError, UnicodeError):
        views = None
    if views is None or len(views) != 1 or theirs.auth or sent.auth:
        raise URLRefused(tk._("The address {0} is ambiguous (it can be read as more than one host): "
                              "write it plainly, as https://host/path").format(shown), url)
    return prepared.url, scheme, host, port or DEFAULT_PORTS[scheme]


def refused_address(ip):
    """True if the portal never calls this address (an ``ipaddress`` address) unless allowed."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None)
        if embedded is not None:
            return refused_address(embedded)
    return (
        any(ip in network for network in REFUSED_NETWORKS if network.version == ip.version)
        or not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified
    )


def _names(host, port):
    """How an allow-list entry may name this host or address: alone or with its port."""
    bracketed = f"[{host}]" if ":" in host else host
    return {host, bracketed, f"{bracketed}:{port}"}


def resolve(url):
    """Checks ``url`` and resolves its host, once. Returns the :class:`Target` to connect to;
    raises :class:`URLRefused` (or :class:`HostNotFound`)."""
    sent, scheme, host, port = parse(url)
    allowed = allowed_hosts()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    addresses = list(dict.fromkeys(
        info[4][0] for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)))
    if not addresses:
        raise HostNotFound(tk._("The host {0} cannot be found (DNS)").format(host), url)
    if not _names(host, port) & allowed:
        for address in addresses:
            bare = address.split("%")[0]
            if _names(bare, port) & allowed:
                continue
            if refused_address(ipaddress.ip_address(bare)):
                if bare == host:
                    raise URLRefused(tk._(
                        "{0} is a local, private or reserved address: the portal does not call this machine or "
                        "an internal network. An administrator can allow it in "
                        "ckanext.datagovma.fetch.allowed_hosts").format(host), url)
                raise URLRefused(tk._(
                    "{0} is on a local, private or reserved address ({1}): the portal does not call this "
                    "machine or an internal network. An administrator can allow it in "
                    "ckanext.datagovma.fetch.allowed_hosts").format(host, bare), url)
    return Target(sent, scheme, host, port, addresses[0])


def check_url(url):
    """Whether the portal would fetch ``url``, for a form or an action to answer before saving it.

    Checks every rule of this module on the address (form, scheme, user info, parsers' agreement,
    what the host resolves to, the allow-list); needs DNS and nothing else on the network.

    :param url: the address a user gave
    :type url: string
    :returns: the address as the portal will request it (IDNA host, percent-encoded)
    :rtype: string
    :raises URLRefused: with ``str(exc)`` a translated sentence for the user; its subclass
        :class:`HostNotFound` when the host does not resolve (which may pass)
    """
    return resolve(url).url


# --- the connection ----------------------------------------------------------------------------

class _PinnedConnectionMixin:
    """Opens the socket to the address checked, never to the host name (no second DNS answer);
    TLS and the Host header still use the host name, which stays ``self.host``."""

    def __init__(self, *args, pinned_address, **kwargs):
        self.pinned_address = pinned_address
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        try:
            sock = urllib3_connection.create_connection(
                (self.pinned_address, self.port), self.timeout, source_address=self.source_address,
                socket_options=self.socket_options)
        except socket.timeout as exc:
            raise ConnectTimeoutError(
                self, f"Connection to {self.host} ({self.pinned_address}) timed out. "
                      f"(connect timeout={self.timeout})") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc
        return sock


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """A requests transport that checks each request's address (every redirect hop is a new
    request) and connects to the address it resolved. Pools are kept per host and address, so a
    source's keep-alive connections are reused and never cross to another address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pins = threading.local()
        self._pools = RecentlyUsedContainer(self._pool_connections, dispose_func=lambda pool: pool.close())
        self._pools_lock = threading.Lock()

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Checks and resolves the request's address, then sends it there (never through a proxy)."""
        self._pins.target = resolve(request.url)
        request.headers.pop("Host", None)  # the connection writes the checked host
        try:
            return super().send(request, stream=stream, timeout=timeout or (timeout_pair()), verify=verify,
                                cert=cert, proxies=None)
        finally:
            self._pins.target = None

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        target = getattr(self._pins, "target", None)
        if target is None or parse_url(request.url).host.strip("[]").lower() != target.host:
            raise URLRefused(tk._("The address {0} was not checked before it was called").format(
                _shown(request.url)), request.url)
        _, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        if target.scheme == "http":
            pool_kwargs = {k: v for k, v in pool_kwargs.items() if k not in SSL_KEYWORDS}
            pool_class = _PinnedHTTPConnectionPool
        else:
            pool_kwargs = dict(pool_kwargs, assert_hostname=target.host, server_hostname=target.host)
            pool_class = _PinnedHTTPSConnectionPool
        key = (target.scheme, target.host, target.port, target.address, repr(sorted(pool_kwargs.items())))
        with self._pools_lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = pool_class(target.host, target.port, maxsize=self._pool_maxsize, block=self._pool_block,
                                  pinned_address=target.address, **pool_kwargs)
                self._pools[key] = pool
        return pool

    def close(self):
        self._pools.clear()
        super().close()


def timeout_pair():
    """(connect, read) seconds for requests."""
    seconds = timeout()
    return (seconds, seconds)


def mount(session):
    """Makes ``session`` (a ``requests.Session`` another library made) fetch only through the
    rules of this module: each request and redirect hop checked and pinned, no proxy from the
    environment, at most :data:`MAX_REDIRECTS` redirects. Returns the session."""
    session.trust_env = False
    session.max_redirects = MAX_REDIRECTS
    session.mount("http://", _adapter())
    session.mount("https://", _adapter())
    return session


_shared = {}


def _adapter():
    """One adapter per process (its pools are thread-safe); a forked child makes its own."""
    if _shared.get("pid") != os.getpid():
        _shared.update(pid=os.getpid(), adapter=PinnedAdapter())
    return _shared["adapter"]


# --- fetching ----------------------------------------------------------------------------------

def _body(response, limit, deadline):
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLarge(tk._("The answer of {0} is larger than the {1} MB the portal reads "
                                    "(ckanext.datagovma.fetch.max_size_mb)").format(
            _shown(response.url), f"{limit / 1024 / 1024:g}"), response=response)
    size = 0
    while True:
        try:
            # read1: whatever has arrived, so that a server sending a byte at a time meets the deadline
            chunk = response.raw.read1(CHUNK_SIZE, decode_content=True)
        except ReadTimeoutError as exc:
            raise requests.ReadTimeout(exc, response=response) from exc
        except ProtocolError as exc:  # a body cut short included
            raise requests.exceptions.ChunkedEncodingError(exc, response=response) from exc
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc, response=response) from exc
        except (HTTPError, OSError) as exc:
            raise requests.ConnectionError(exc, response=response) from exc
        if not chunk:
            return
        size += len(chunk)
        if size > limit:
            response.close()
            raise ResponseTooLarge(tk._("The answer of {0} is larger than the {1} MB the portal reads "
                                        "(ckanext.datagovma.fetch.max_size_mb)").format(
                _shown(response.url), f"{limit / 1024 / 1024:g}"), response=response)
        if time.monotonic() > deadline:
            response.close()
            raise TooSlow(tk._("{0} took more than {1} seconds to answer "
                               "(ckanext.datagovma.fetch.max_seconds)").format(
                _shown(response.url), round(max_seconds())), response=response)
        yield chunk


@contextlib.contextmanager
def stream(url, params=None, headers=None, max_bytes=None):
    """GETs ``url`` under the rules of this module, following redirects (each hop checked).

    :param url: the address a user gave
    :param params: query parameters added to it (as requests' ``params``)
    :param headers: request headers (kept across redirects; nothing secret should be sent)
    :param max_bytes: a lower body limit than ``ckanext.datagovma.fetch.max_size_mb``, or None
    :yields: ``(response, chunks)``: the final ``requests.Response`` (status and headers read, body
        not yet) and an iterator of its body's bytes that raises :class:`ResponseTooLarge` or
        :class:`TooSlow` past the limits
    :raises URLRefused: the address, or a redirect's, breaks a rule (nothing was sent to it)
    :raises requests.RequestException: the network failed, or :class:`TooManyRedirects`
    """
    deadline = time.monotonic() + max_seconds()
    limit = min(max_size(), max_bytes) if max_bytes else max_size()
    parse(url)  # before requests reads it: its errors say less
    with requests.Session() as session:
        mount(session)
        request = session.prepare_request(requests.Request("GET", url, params=params, headers=headers))
        previous = None
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                parse(request.url)  # a scheme requests has no adapter for is refused here, with the rule
                response = session.send(request, allow_redirects=False, stream=True, timeout=timeout_pair())
            except URLRefused as exc:
                if previous is None:
                    raise
                raise URLRefused(tk._("{0} redirects to {1}, which the portal does not call: {2}").format(
                    _shown(previous), _shown(request.url), exc.message), request.url) from None
            if not response.is_redirect:
                break
            location = session.get_redirect_target(response)
            response.close()
            if time.monotonic() > deadline:
                raise TooSlow(tk._("{0} took more than {1} seconds to answer "
                                   "(ckanext.datagovma.fetch.max_seconds)").format(_shown(url), round(max_seconds())))
            previous = request.url
            next_url = requests.compat.urljoin(previous, location)
            request = session.prepare_request(requests.Request("GET", next_url, headers=headers))
        else:
            raise TooManyRedirects(tk._("{0} redirects more than {1} times").format(_shown(url), MAX_REDIRECTS))
        try:
            yield response, _body(response, limit, deadline)
        finally:
            response.close()


def get(url, params=None, headers=None, max_bytes=None):
    """GETs ``url`` as :func:`stream` does and reads the whole body (within the limits).

    :returns: a ``requests.Response`` whose ``content``, ``text`` and ``json()`` are ready; its
        status is not checked (call ``raise_for_status()``)
    :raises URLRefused: the address, or a redirect's, breaks a rule (nothing was sent to it)
    :raises requests.RequestException: the network failed, or a limit was passed
    """
    with stream(url, params=params, headers=headers, max_bytes=max_bytes) as (response, chunks):
        response._content = b"".join(chunks)
        response._content_consumed = True
    return response
