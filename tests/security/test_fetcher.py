"""The one URL fetcher (ckanext.datagovma.fetcher), rule by rule, and the three harvesters through
it: redirects checked hop by hop, user info and ambiguous addresses, non-public addresses, DNS
resolved once and the connection made to that address, TLS against the host name, size, time and
hop limits, the allow-list. Every server is local; a guard fails any test that would connect
outside 127.0.0.0/8, and names ending in .test are answered by the test's own resolver."""

import ipaddress
import json
import os
import socket
import ssl
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest
import requests

from ckanext.datagovma import fetcher
from ckanext.datagovma.harvesters.ckan_portal import CKANPortalHarvester
from ckanext.datagovma.harvesters.dcat_catalog import DCATCatalogHarvester
from ckanext.datagovma.harvesters.hcp import HCPHarvester

from ..harvest import jobs as h
from ..harvest.hcp_simulator import Simulator
from ..harvest.servers import CKANPortal, DCATCatalogue, Redirector, Routes

ALLOWED = "ckanext.datagovma.fetch.allowed_hosts"
pytestmark = [pytest.mark.ckan_config(ALLOWED, "")]
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    """Any connection outside 127.0.0.0/8 fails the test before it leaves the machine."""
    real = socket.socket.connect

    def connect(sock, address):
        if isinstance(address, tuple):
            ip = ipaddress.ip_address(address[0].split("%")[0])
            assert ip.version == 4 and ip in LOOPBACK, f"a connection to {address} was attempted"
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def resolver(monkeypatch):
    """Names ending in .test resolve to ``answers[name]``, one answer per lookup (the last one
    repeated; None: not found); ``calls`` lists the names looked up."""
    real = socket.getaddrinfo
    answers, calls = {}, []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, str) and host.endswith(".test"):
            calls.append(host)
            queue = answers.get(host, [None])
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            if address is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            if ":" in address:
                return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port), 0, 0))]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]
        return real(host, port, family, type, proto, flags)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(answers=answers, calls=calls)


def allow(ckan_config, *servers):
    ckan_config[ALLOWED] = " ".join(f"127.0.0.1:{s.server_port}" for s in servers)


# --- redirects ---------------------------------------------------------------------------------

def test_a_redirect_from_an_allowed_host_to_a_forbidden_one_is_refused(served, ckan_config):
    forbidden = served(Routes({"/data": (200, "text/plain", "secret")}))
    allowed = served(Redirector(forbidden.url))
    allow(ckan_config, allowed)
    with pytest.raises(fetcher.URLRefused, match="redirects to .*local, private or reserved"):
        fetcher.get(allowed.url + "/data")
    assert (allowed.requests, forbidden.requests) == (1, 0)


def test_a_redirect_between_allowed_hosts_is_followed(served, ckan_config):
    second = served(Routes({"/data": (200, "text/plain", "public")}))
    first = served(Redirector(second.url, status=301))
    allow(ckan_config, first, second)
    response = fetcher.get(first.url + "/data")
    assert (response.status_code, response.text, response.url) == (200, "public", second.url + "/data")


def test_at_most_five_redirects_are_followed(served, ckan_config):
    loop = served(Redirector(None))
    allow(ckan_config, loop)
    with pytest.raises(requests.TooManyRedirects, match="more than 5"):
        fetcher.get(loop.url + "/hop/0")
    assert loop.requests == fetcher.MAX_REDIRECTS + 1


# --- the address's form ------------------------------------------------------------------------

@pytest.mark.parametrize("template, rule", [
    ("http://127.0.0.1:{forbidden}\\@127.0.0.1:{allowed}/", "backslash"),
    ("http://127.0.0.1:{forbidden}\\\\@127.0.0.1:{allowed}/", "backslash"),
    ("http://user:secret@127.0.0.1:{allowed}/", "user name or a password"),
    ("http://127.0.0.1:{forbidden}@127.0.0.1:{allowed}/", "user name or a password"),
    ("http://127.0.0.1:{allowed}/ a", "space"),
    ("http://127.0.0.1:{allowed}/\r\nX-Injected: 1", "control character"),
    ("http://127.0.0.1:{allowed}\t/", "control character"),
    ("ftp://127.0.0.1:{allowed}/", "Only http and https"),
    ("file:///etc/passwd", "Only http and https"),
    ("/etc/passwd", "Only http and https"),
    ("http:///etc/passwd", "has no host"),
    ("http://127.0.0.1:99999/", "not a valid web address"),
    ("http://0x7f.0.0.1:{allowed}/", "IPv4 address written a.b.c.d"),
    ("http://2130706433:{allowed}/", "IPv4 address written a.b.c.d"),
    ("http://127.1:{allowed}/", "IPv4 address written a.b.c.d"),
    ("http://[fe80::1%25lo]:{allowed}/", "not a valid domain name"),
])
def test_user_info_backslashes_control_characters_and_odd_hosts_are_refused(served, ckan_config, template, rule):
    allowed = served(Routes({"/": (200, "text/plain", "allowed")}))
    forbidden = served(Routes({"/": (200, "text/plain", "forbidden")}))
    allow(ckan_config, allowed)
    url = template.format(allowed=allowed.server_port, forbidden=forbidden.server_port)
    with pytest.raises(fetcher.URLRefused, match=rule):
        fetcher.check_url(url)
    with pytest.raises(fetcher.URLRefused):
        fetcher.get(url)
    assert (allowed.requests, forbidden.requests) == (0, 0)


# --- the addresses -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::1]/", "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://10.0.0.1/",
    "http://172.16.0.1/", "http://192.168.1.1/", "http://127.0.0.1/", "http://127.8.9.10/", "http://224.0.0.1/",
    "http://255.255.255.255/", "http://192.0.2.1/", "http://198.18.0.1/", "http://[fe80::1]/", "http://[::]/",
    "http://[ff02::1]/", "http://[2001:db8::1]/", "http://[::127.0.0.1]/", "http://[2002:7f00:1::1]/",
    "http://[2002:a00:1::1]/", "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2001::1]/",
])
def test_addresses_that_are_not_public_are_refused(url):
    with pytest.raises(fetcher.URLRefused, match="local, private or reserved"):
        fetcher.check_url(url)
    with pytest.raises(fetcher.URLRefused):
        fetcher.get(url)


@pytest.mark.parametrize("name, address", [
    ("localhost.test", "127.0.0.1"), ("metadata.test", "169.254.169.254"), ("cgnat.test", "100.64.0.1"),
    ("mapped.test", "::ffff:127.0.0.1"), ("ula.test", "fc00::1"), ("any.test", "0.0.0.0"),
])
def test_a_name_that_resolves_to_an_address_that_is_not_public_is_refused(resolver, name, address):
    resolver.answers[name] = [address]
    with pytest.raises(fetcher.URLRefused, match=f"{name} is on a local, private or reserved address"):
        fetcher.check_url(f"https://{name}/catalog.ttl")


def test_check_url_gives_the_address_as_it_will_be_requested(resolver):
    resolver.answers["xn--donnes-eva.test"] = ["93.184.216.34"]  # public: checked, never called
    assert fetcher.check_url("https://DONNÉES.test/catalogue?q=é") == "https://xn--donnes-eva.test/catalogue?q=%C3%A9"
    assert fetcher.check_url("http://93.184.216.34:8080/a b".replace(" ", "%20")) == "http://93.184.216.34:8080/a%20b"
    assert fetcher.check_url("http://[2606:4700::1]/") == "http://[2606:4700::1]/"
    assert fetcher.check_url("http://[2002:5db8:d822::1]/")  # 6to4 of a public IPv4 address
    with pytest.raises(fetcher.HostNotFound, match="cannot be found"):
        fetcher.check_url("https://nowhere.test/")


def test_a_name_is_resolved_once_and_the_connection_goes_to_that_address(served, resolver, ckan_config):
    first = served(Routes({"/catalog": (200, "text/plain", "first answer")}))
    second = served(Routes({"/catalog": (200, "text/plain", "second answer")},
                           address=("127.0.0.2", first.server_port)))
    ckan_config[ALLOWED] = f"127.0.0.1:{first.server_port}"  # the first answer is allowed, the second is not
    resolver.answers["rebind.test"] = ["127.0.0.1", "127.0.0.2"]
    response = fetcher.get(f"http://rebind.test:{first.server_port}/catalog")
    assert response.text == "first answer"
    assert resolver.calls == ["rebind.test"]
    assert (first.requests, second.requests) == (1, 0)
    assert first.hosts == [f"rebind.test:{first.server_port}"]  # the Host header keeps the name


# --- TLS ---------------------------------------------------------------------------------------

@pytest.fixture
def tls_server(tmp_path, served, monkeypatch):
    """An https server on 127.0.0.1 with a certificate for catalogue.test, trusted for the test;
    records the server names (SNI) clients ask for."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=catalogue.test", "-addext", "subjectAltName=DNS:catalogue.test", "-keyout", str(key),
                        "-out", str(cert)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl cannot make a test certificate here")
    server = Routes({"/catalog": (200, "text/plain", "over tls")})
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.names = []
    context.sni_callback = lambda sock, name, ctx: server.names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(cert))
    return served(server)


def test_https_verifies_the_certificate_against_the_host_name_not_the_address(tls_server, resolver, ckan_config):
    port = tls_server.server_port
    ckan_config[ALLOWED] = f"127.0.0.1:{port}"
    resolver.answers["catalogue.test"] = ["127.0.0.1"]
    resolver.answers["other.test"] = ["127.0.0.1"]
    assert fetcher.get(f"https://catalogue.test:{port}/catalog").text == "over tls"
    assert tls_server.names == ["catalogue.test"] and tls_server.hosts == [f"catalogue.test:{port}"]
    with pytest.raises(requests.exceptions.SSLError):  # same address, a name the certificate does not hold
        fetcher.get(f"https://other.test:{port}/catalog")


# --- limits ------------------------------------------------------------------------------------

@pytest.mark.ckan_config("ckanext.datagovma.fetch.max_size_mb", 1)
@pytest.mark.parametrize("declared", [True, False])
def test_an_answer_larger_than_the_size_cap_is_stopped(served, ckan_config, declared):
    big = served(Routes({"/big": (200, "application/octet-stream", b"x" * (3 * 1024 * 1024 // 2))}))
    allow(ckan_config, big)
    if not declared:
        big.drip = 0  # no Content-Length: the stream itself is counted
    with pytest.raises(fetcher.ResponseTooLarge, match="larger than the 1 MB"):
        fetcher.get(big.url + "/big")
    assert big.requests == 1


@pytest.mark.ckan_config("ckanext.datagovma.fetch.timeout", 1)
def test_a_server_that_does_not_answer_times_out(served, ckan_config):
    silent = served(Routes({"/": (200, "text/plain", "late")}))
    silent.fault, silent.slow_seconds = "timeout", 4
    allow(ckan_config, silent)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        fetcher.get(silent.url + "/")
    assert time.monotonic() - started < 3


@pytest.mark.ckan_config("ckanext.datagovma.fetch.max_seconds", 1)
def test_an_answer_that_drips_past_the_whole_time_limit_is_stopped(served, ckan_config):
    slow = served(Routes({"/drip": (200, "text/plain", "x" * 40)}))
    slow.drip = 0.1  # each byte well within the read timeout, 4 s in all
    allow(ckan_config, slow)
    started = time.monotonic()
    with pytest.raises(fetcher.TooSlow, match="more than 1 seconds"):
        fetcher.get(slow.url + "/drip")
    assert time.monotonic() - started < 2.5


def test_proxies_from_the_environment_are_not_used(served, ckan_config, monkeypatch):
    target = served(Routes({"/": (200, "text/plain", "direct")}))
    proxy = served(Routes({}))
    allow(ckan_config, target)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    assert fetcher.get(target.url + "/").text == "direct"
    assert proxy.requests == 0


# --- the allow-list ----------------------------------------------------------------------------

def test_the_allow_list_names_a_host_or_a_host_and_port(served, ckan_config, resolver):
    listed = served(Routes({"/": (200, "text/plain", "listed")}))
    other = served(Routes({"/": (200, "text/plain", "other")}))
    with pytest.raises(fetcher.URLRefused, match="ckanext.datagovma.fetch.allowed_hosts"):
        fetcher.get(listed.url + "/")
    allow(ckan_config, listed)  # 127.0.0.1:<port>: that port only
    assert fetcher.get(listed.url + "/").text == "listed"
    with pytest.raises(fetcher.URLRefused):
        fetcher.get(other.url + "/")
    ckan_config[ALLOWED] = "source.test"  # a name alone: any port, whatever it resolves to
    resolver.answers["source.test"] = ["127.0.0.1"]
    assert fetcher.get(f"http://source.test:{other.server_port}/").text == "other"
    with pytest.raises(fetcher.URLRefused):
        fetcher.get(other.url + "/")  # the name is allowed, not the address
    ckan_config[ALLOWED] = ""
    ckan_config["ckanext.datagovma.harvest.allowed_hosts"] = f"127.0.0.1:{listed.server_port}"  # the former name
    assert fetcher.get(listed.url + "/").text == "listed"


# --- the harvesters ----------------------------------------------------------------------------

HARVESTERS = {
    "hcp": (HCPHarvester, lambda: Simulator(count=7), ""),
    "datagovma_ckan": (CKANPortalHarvester, lambda: CKANPortal(5), ""),
    "datagovma_dcat": (DCATCatalogHarvester, lambda: DCATCatalogue(5), json.dumps({"default_licence": "odc-odbl"})),
}


@pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS)
@pytest.mark.usefixtures("portal")
@pytest.mark.parametrize("source_type", sorted(HARVESTERS))
def test_a_source_that_redirects_to_a_forbidden_host_fails_its_job_and_creates_nothing(
        served, ckan_config, portal, source_type):
    harvester, make_source, config = HARVESTERS[source_type]
    forbidden = served(make_source())
    entrance = served(Redirector(forbidden.url))
    allow(ckan_config, entrance)
    path = "/catalog.ttl" if source_type == "datagovma_dcat" else ""
    before = portal["anonymous"].ok("package_search", rows=0)["count"]
    results = h.first_run(harvester(), entrance.url + path, source_type, config)
    assert results == {}
    assert any("redirects to" in m and "local, private or reserved address" in m for m in h.gather_errors()), \
        h.gather_errors()
    assert portal["anonymous"].ok("package_search", rows=0)["count"] == before
    assert entrance.requests == 1
    if hasattr(forbidden, "requests"):  # the HCP simulator counts nothing
        assert forbidden.requests == 0


def jsonld_catalogue(base, context):
    return json.dumps({
        "@context": context,
        "@graph": [
            {"@id": f"{base}/catalog", "@type": "dcat:Catalog", "dct:title": "Catalogue",
             "dcat:dataset": {"@id": f"{base}/dataset/budget"}},
            {"@id": f"{base}/dataset/budget", "@type": "dcat:Dataset", "dct:identifier": "budget-2024",
             "dct:title": {"@value": "Budget citoyen 2024", "@language": "fr"},
             "dct:description": {"@value": "Le budget citoyen.", "@language": "fr"}},
        ],
    })


CONTEXT = json.dumps({"@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}})


@pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS)
@pytest.mark.usefixtures("portal")
def test_a_json_ld_context_on_a_forbidden_host_is_not_fetched(served, ckan_config, portal):
    forbidden = served(Routes({"/context.jsonld": (200, "application/ld+json", CONTEXT)}))
    catalogue = served(Routes())
    catalogue.routes["/catalog.jsonld"] = (200, "application/ld+json",
                                           jsonld_catalogue(catalogue.url, forbidden.url + "/context.jsonld"))
    allow(ckan_config, catalogue)
    results = h.first_run(DCATCatalogHarvester(), catalogue.url + "/catalog.jsonld", "datagovma_dcat",
                          json.dumps({"default_licence": "odc-odbl"}))
    assert results == {}
    assert any("local, private or reserved address" in m for m in h.gather_errors()), h.gather_errors()
    assert forbidden.requests == 0


@pytest.mark.ckan_config("ckan.plugins", h.HARVEST_PLUGINS)
@pytest.mark.usefixtures("portal")
def test_a_json_ld_context_on_an_allowed_host_is_read_through_the_fetcher(served, ckan_config, portal):
    contexts = served(Routes({"/context.jsonld": (200, "application/ld+json", CONTEXT)}))
    catalogue = served(Routes())
    catalogue.routes["/catalog.jsonld"] = (200, "application/ld+json",
                                           jsonld_catalogue(catalogue.url, [contexts.url + "/context.jsonld"]))
    allow(ckan_config, catalogue, contexts)
    results = h.first_run(DCATCatalogHarvester(), catalogue.url + "/catalog.jsonld", "datagovma_dcat",
                          json.dumps({"default_licence": "odc-odbl"}))
    assert h.statuses(results) == {"added": 1}, (h.gather_errors(), h.object_errors())
    assert contexts.requests == 1


def test_the_fetcher_is_the_only_http_client_of_the_harvesters():
    """No harvester module calls requests or urllib itself (ckanext-dcat's session is mounted)."""
    folder = os.path.dirname(fetcher.__file__) + "/harvesters"
    for name in os.listdir(folder):
        if name.endswith(".py"):
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            for call in ("requests.get(", "requests.Session(", "requests.request(", "urlopen(", "session.get("):
                assert call not in text, f"{name} calls {call}"


def test_a_threaded_caller_gets_its_own_answers(served, ckan_config):
    a = served(Routes({"/": (200, "text/plain", "a")}))
    b = served(Routes({"/": (200, "text/plain", "b")}))
    allow(ckan_config, a, b)
    seen = []

    def fetch(server, expected):
        for _ in range(10):
            seen.append(fetcher.get(server.url + "/").text == expected)

    threads = [threading.Thread(target=fetch, args=(s, e)) for s, e in ((a, "a"), (b, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen and all(seen)
