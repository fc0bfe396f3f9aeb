"""What every request and response of the portal goes through (wired in plugin.make_middleware):
CSRF exemptions that last one request, security headers on every answer, NUL bytes and deeply
nested JSON refused with a 400 before any view sees them; and a password reset that answers the
same whether the account exists and the mail goes out or not (plugin's INotifier)."""

import io
import json
import logging
import re

import ckan.plugins.toolkit as tk
from ckan.lib import mailer
from flask import current_app, g, has_request_context, make_response, request

log = logging.getLogger(__name__)

# --- CSRF ----------------------------------------------------------------------------------------

# The sign-in forms: a forged one signs a visitor into the attacker's account (login CSRF).
SIGN_IN_VIEWS = {"ckan.views.user.login", "ckan.views.user.register", "ckan.views.user.request_reset",
                 "ckan.views.user.perform_reset"}


class RequestScopedExemptions(set):
    """Flask-WTF's set of CSRF-exempt views, as CKAN should use it. CKAN 2.12 calls
    ``csrf.exempt(view)`` for a request authenticated by an API token, or sent with no session
    at all, which exempts that view for every later request of the worker (cookie-only POSTs
    without a token then pass: docs/upstream.md). Here such an exemption holds for the request
    that asked for it only; a view exempted outside a request (a decorator at import) stays
    exempt. A request with no session is not exempt on the sign-in forms."""

    def add(self, view):
        if has_request_context() and g.get("login_via_auth_header"):
            return  # this request's exemption: __contains__ answers it
        super().add(view)

    def __contains__(self, view):
        if super().__contains__(view):
            return True
        if not (has_request_context() and g.get("login_via_auth_header")):
            return False
        if tk.current_user.is_authenticated:
            return True  # authenticated by its API token: a header no other site can make a browser send
        return view not in SIGN_IN_VIEWS  # no session: nothing to forge, but a sign-in


def scope_csrf_exemptions(app):
    csrf = app.extensions.get("csrf")
    if csrf is not None and not isinstance(csrf._exempt_views, RequestScopedExemptions):
        csrf._exempt_views = RequestScopedExemptions()


# --- headers -------------------------------------------------------------------------------------

# CKAN's and our templates run no inline script (JSON-LD data blocks are not run); style
# attributes remain in core's and scheming's templates; a linked image resource is shown from its
# own https host. Resource views are framed by the portal's own pages, so they allow 'self'.
CSP = ("default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-src 'self'; frame-ancestors {ancestors}")
FRAMED_VIEWS = {"resource.view", "dataset_resource.view", "resource.embedded_dataviewer", "resource.widget"}
# Pages whose core templates run inline event handlers (onclick="..."): the resource form's
# upload and link buttons (package/snippets/resource_upload_field.html), the API token pages, and
# DataTables' view (a framed view). They get 'unsafe-inline' for scripts; every other page runs
# only the portal's own script files (docs/upstream.md: a fix to propose to CKAN).
INLINE_HANDLER_VIEWS = ("resource.new", "resource.edit", "user.api_tokens")


def add_headers(response):
    """after_request: every answer is not to be sniffed; HTML pages also get the CSP, framing and
    referrer rules (HSTS is the production nginx's: config/docker)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        framed = request.endpoint in FRAMED_VIEWS or (request.endpoint or "").endswith("resource.view")
        inline = (request.endpoint or "").endswith(INLINE_HANDLER_VIEWS)  # dataset_resource.new too
        response.headers.setdefault("Content-Security-Policy", CSP.format(
            scripts="'self' 'unsafe-inline'" if inline or framed else "'self'",
            ancestors="'self'" if framed else "'none'"))
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framed else "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


# --- bad input -----------------------------------------------------------------------------------

MAX_JSON_DEPTH = 64
# a string, or an unterminated one to the end of the body: possessive, so that a body of quotes
# and backslashes is read once (a backtracking pattern took seconds on 64 kB)
_JSON_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.S)
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def json_depth(body):
    """How deep the arrays and objects of a JSON text nest (strings skipped), counting no further
    than MAX_JSON_DEPTH + 1."""
    depth = deepest = 0
    for char in _NOT_BRACKETS.sub(b"", _JSON_STRINGS.sub(b"", body)):
        if char in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    break
        else:
            depth -= 1
    return deepest


def refuse_bad_input():
    """before_request: a NUL byte in the path, the query, a form field or a JSON body, or JSON
    nested deeper than anything the portal reads, is a 400 here (PostgreSQL refuses NUL in text,
    Python's JSON parser recurses: both were 500s)."""
    problem = None
    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        problem = tk._("The address contains a NUL character")
    elif request.method in ("POST", "PUT", "PATCH"):
        problem = _body_problem()
    if problem is None:
        return None
    if request.path.startswith("/api/"):
        body = {"success": False, "error": {"__type": "Bad request", "message": problem}}
        response = make_response(json.dumps(body), 400)
        response.headers["Content-Type"] = "application/json;charset=utf-8"
        return response
    return tk.abort(400, problem)


def _body_problem():
    if request.mimetype == "multipart/form-data":  # uploads: the form's fields, not the files
        if any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
            return tk._("The form contains a NUL character")
        return None
    # Read once, kept for the form parser (werkzeug parses the kept bytes) and put back for who
    # reads the raw input (CKAN's tracking reads wsgi.input itself).
    body = request.get_data(cache=True)
    request.environ["wsgi.input"] = io.BytesIO(body)
    if b"\x00" in body:
        return tk._("The request contains a NUL character")
    if request.mimetype == "application/x-www-form-urlencoded":
        # "%00" in such a body is an encoded NUL (a "%" typed in a field is sent as "%25")
        return tk._("The form contains a NUL character") if b"%00" in body else None
    if _ESCAPED_NUL.search(body):
        return tk._("The request contains a NUL character")
    if json_depth(body) > MAX_JSON_DEPTH:
        return tk._("The JSON body nests deeper than {0} levels").format(MAX_JSON_DEPTH)
    return None


# --- password reset ------------------------------------------------------------------------------


def send_reset_link(user):
    """The reset link by e-mail, a failure logged and never shown: core's view tells the visitor
    that the mail server failed only when the account exists (an account oracle), and answers
    500 when the mail settings are incomplete."""
    try:
        mailer.send_reset_link(user)
    except Exception:
        current_app.logger.exception("the password reset link for %s could not be sent", user.name)
