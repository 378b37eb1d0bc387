"""What every HTTP source shares: auth options, one client, a capped read, errors wrapped once.

``HttpOptions`` is the base of every HTTP source's ``Options``; :class:`HttpSource` builds one
``httpx.AsyncClient`` from it and :meth:`HttpSource.get_json` returns parsed JSON or raises a
:mod:`cockpit.core.errors` error whose message never carries a token.
"""

from __future__ import annotations

import json
import math
import os
import ssl
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import SecretStr, model_validator

from cockpit.core.textsafe import clean_line
from cockpit.sources.base import Source, SourceOptions
from cockpit.core.errors import (
    SourceAuthError,
    SourceBadResponse,
    SourceError,
    SourceRateLimited,
    SourceTimeout,
    SourceUnreachable,
)

if TYPE_CHECKING:
    # httpx is imported where a request is built, not here: loading the config imports every
    # configured source's module to validate its options, and that happens before the TUI's
    # first paint; the poller thread imports httpx when it first polls.
    import httpx

__all__ = ["HttpOptions", "HttpSource", "MAX_BODY_BYTES", "MAX_RETRY_AFTER_S", "format_retry_at", "retry_after"]

MAX_RETRY_AFTER_S = 3600.0
"""The longest an upstream's Retry-After or rate-limit reset may pause a source."""
MAX_BODY_BYTES = 32 * 1024 * 1024
"""Bodies larger than this are refused rather than read (a runaway upstream cannot eat memory)."""


class HttpOptions(SourceOptions):
    """Options of a source that speaks HTTP."""

    url: str | None = None
    """One endpoint (base URL)."""
    urls: list[str] = []
    """Several endpoints: the peers of one HA cluster."""
    token: SecretStr | None = None
    """A bearer token written in the config (prefer token_env or token_file)."""
    token_env: str | None = None
    """Name of an environment variable holding the token."""
    token_file: str | None = None
    """Path of a file holding the token."""
    username: str | None = None
    """User for HTTP basic auth."""
    password: SecretStr | None = None
    """Password for basic auth written in the config (prefer password_env)."""
    password_env: str | None = None
    """Name of an environment variable holding the basic-auth password."""
    headers: dict[str, str] = {}
    """Extra headers sent with every request, e.g. X-Scope-OrgID."""
    ca_file: str | None = None
    """A PEM bundle to verify the server with, instead of the system's."""
    insecure_skip_verify: bool = False
    """Do not verify TLS certificates (test setups only)."""
    proxy: str | None = None
    """Send this source's requests through this proxy (``http://host:3128``), whatever the
    environment says."""
    trust_env: bool = True
    """Honour HTTPS_PROXY, HTTP_PROXY, NO_PROXY, SSL_CERT_FILE and SSL_CERT_DIR from the
    environment (false: a direct connection, verified with the bundled CA certificates)."""

    @model_validator(mode="after")
    def _one_endpoint_form(self) -> "HttpOptions":
        if self.url and self.urls:
            raise ValueError("give either url or urls, not both")
        return self

    @model_validator(mode="after")
    def _credentials_out_of_urls(self) -> "HttpOptions":
        """``http://user:pass@host`` becomes ``http://host`` with ``username``/``password``: the
        password goes on the wire (basic auth) and nowhere else (cache, history, audit, reports,
        ``check``, the detail screen all show the URL)."""
        found: list[tuple[str, str | None]] = []
        if self.url:
            self.url = _without_userinfo(self.url, found)
        if self.urls:
            self.urls = [_without_userinfo(u, found) for u in self.urls]
        if len(set(found)) > 1:
            raise ValueError("the urls carry different credentials; give username and password_env once")
        if found:
            user, password = found[0]
            if self.username is None:
                self.username = user
            if password is not None and self.password is None and self.password_env is None:
                self.password = SecretStr(password)
        return self

    @property
    def endpoints(self) -> list[str]:
        """Every configured base URL, without trailing slashes."""
        found = self.urls or ([self.url] if self.url else [])
        return [u.rstrip("/") for u in found]

    def resolve_token(self, default_envs: tuple[str, ...] = ()) -> str | None:
        """The token from token, token_env, token_file, then the default variables, in order."""
        if self.token is not None:
            return self.token.get_secret_value()
        for env in ([self.token_env] if self.token_env else []) + list(default_envs):
            if os.environ.get(env):
                return os.environ[env].strip()
        if self.token_file:
            try:
                return Path(self.token_file).expanduser().read_text().strip()
            except OSError as exc:
                raise SourceAuthError(f"cannot read token_file: {exc.strerror}") from None
        return None

    def environment_ca(self) -> str | None:
        """SSL_CERT_FILE, else SSL_CERT_DIR, when the environment counts and no ca_file is set."""
        if not self.trust_env or self.ca_file:
            return None
        return os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR") or None

    def resolve_password(self) -> str | None:
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_env:
            return os.environ.get(self.password_env)
        return None


def _without_userinfo(url: str, found: list[tuple[str, str | None]]) -> str:
    """``url`` without ``user:password@``; the credentials, decoded, appended to ``found``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    found.append((unquote(parts.username or ""), unquote(parts.password) if parts.password is not None else None))
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def retry_after(response: httpx.Response, now: datetime | None = None) -> datetime | None:
    """When the upstream says we may retry: Retry-After (seconds or a date) or a reset header,
    never earlier than ``now`` nor later than :data:`MAX_RETRY_AFTER_S` from it (``Retry-After:
    99999999`` paused a source for three years; ``1e30`` raised OverflowError)."""
    now = now or datetime.now(timezone.utc)
    seconds = _retry_after_seconds(response, now)
    if seconds is None:
        return None
    return now + timedelta(seconds=min(max(0.0, seconds), MAX_RETRY_AFTER_S))


def _retry_after_seconds(response: httpx.Response, now: datetime) -> float | None:
    value = response.headers.get("retry-after")
    if value:
        try:
            seconds = float(value)
        except ValueError:
            try:
                return (parsedate_to_datetime(value).astimezone(timezone.utc) - now).total_seconds()
            except (TypeError, ValueError, OverflowError):
                pass
        else:
            return None if math.isnan(seconds) else seconds  # inf is capped like any long wait
    for header in ("x-ratelimit-reset", "ratelimit-reset"):
        value = response.headers.get(header)
        if value and value.isdigit():
            stamp = int(value)
            # GitHub sends epoch seconds; the IETF draft sends seconds from now.
            return stamp - now.timestamp() if stamp > 10**9 else float(stamp)
    return None


def format_retry_at(when: datetime, now: datetime | None = None) -> str:
    """A retry time for a message: the time of day, with the date when it is not today (UTC)."""
    now = now or datetime.now(timezone.utc)
    when = when.astimezone(timezone.utc)
    return f"{when:%H:%M:%S}Z" if when.date() == now.astimezone(timezone.utc).date() else f"{when:%Y-%m-%d %H:%M:%S}Z"


class HttpSource(Source):
    """A source with one shared ``httpx.AsyncClient`` built from its :class:`HttpOptions`."""

    Options = HttpOptions
    options: HttpOptions
    auth_scheme = "Bearer"
    """How a token is sent: ``Authorization: <scheme> <token>``; subclasses change it."""
    default_token_envs: tuple[str, ...] = ()

    _client: httpx.AsyncClient | None = None

    def auth_headers(self) -> dict[str, str]:
        """Headers carrying the credentials; override for a custom header (PRIVATE-TOKEN)."""
        token = self.options.resolve_token(self.default_token_envs)
        if token:
            return {"Authorization": f"{self.auth_scheme} {token}"}
        return {}

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self) -> httpx.AsyncClient:
        import httpx

        opts = self.options
        verify: bool | ssl.SSLContext = True
        if opts.insecure_skip_verify:
            verify = False
        elif opts.ca_file:
            verify = ssl.create_default_context(cafile=str(Path(opts.ca_file).expanduser()))
        auth = None
        if opts.username:
            auth = httpx.BasicAuth(opts.username, opts.resolve_password() or "")
        headers = {"Accept": "application/json", "User-Agent": "cockpit"}
        headers.update(opts.headers)
        headers.update(self.auth_headers())
        return httpx.AsyncClient(
            headers=headers,
            auth=auth,
            verify=verify,
            timeout=httpx.Timeout(opts.timeout),
            follow_redirects=False,
            # trust_env: httpx reads HTTPS_PROXY/HTTP_PROXY/ALL_PROXY/NO_PROXY and, for verify=True,
            # SSL_CERT_FILE/SSL_CERT_DIR; an explicit proxy wins over the environment's.
            proxy=opts.proxy,
            trust_env=opts.trust_env,
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; read at most MAX_BODY_BYTES; map failures to SourceError.

        Returns the response for 2xx and 304. Raises for everything else.
        """
        import httpx

        where = httpx.URL(url).copy_with(query=None, username=None, password=None)
        try:
            async with self.client.stream(method, url, **kwargs) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                    raise SourceBadResponse(f"{where}: body of {declared} bytes is too large")
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise SourceBadResponse(f"{where}: body larger than {MAX_BODY_BYTES} bytes")
                    chunks.append(chunk)
                response = _read(response, b"".join(chunks))
        except SourceError:
            raise
        except httpx.TimeoutException as exc:
            raise SourceTimeout(f"{where}: no answer within {self.options.timeout:g}s") from exc
        except httpx.ConnectError as exc:
            raise SourceUnreachable(f"{where}: {_reason(exc)}") from exc
        except httpx.HTTPError as exc:
            raise SourceUnreachable(f"{where}: {type(exc).__name__}: {_reason(exc)}") from exc
        self.check_status(response, str(where))
        return response

    def check_status(self, response: httpx.Response, where: str) -> None:
        """Raise the matching SourceError for a non-2xx, non-304 response."""
        code = response.status_code
        if 200 <= code < 300 or code == 304:
            return
        if code == 429 or (code == 403 and response.headers.get("x-ratelimit-remaining") == "0"):
            when = retry_after(response)
            hint = f", retry after {format_retry_at(when)}" if when else ""
            raise SourceRateLimited(f"{where}: rate limited (HTTP {code}){hint}", retry_at=when)
        if code in (401, 403):
            raise SourceAuthError(f"{where}: HTTP {code} {_phrase(response)} (check the credentials)")
        raise SourceBadResponse(f"{where}: HTTP {code} {_phrase(response)}{_refusal(response)}", status=code)

    async def get_json(self, url: str, **kwargs: Any) -> Any:
        """GET and parse JSON; an empty, HTML or malformed body raises SourceBadResponse."""
        response = await self.request("GET", url, **kwargs)
        return parse_json(response, url)


def _read(streamed: httpx.Response, body: bytes) -> httpx.Response:
    """The streamed answer as a read response holding ``body`` (already decoded, so without
    the encoding headers): the public way to keep what was read under the cap."""
    import httpx

    headers = [(k, v) for k, v in streamed.headers.multi_items() if k not in _BODY_HEADERS]
    return httpx.Response(streamed.status_code, headers=headers, content=body,
                          request=streamed.request,
                          extensions={k: v for k, v in streamed.extensions.items() if k in _KEPT_EXTENSIONS})


_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_KEPT_EXTENSIONS = frozenset({"http_version", "reason_phrase"})


def parse_json(response: httpx.Response, url: str) -> Any:
    import httpx

    where = httpx.URL(url).copy_with(query=None)
    body = response.content
    if not body.strip():
        raise SourceBadResponse(f"{where}: empty body where JSON was expected")
    if body.lstrip()[:1] == b"<":
        raise SourceBadResponse(f"{where}: HTML page where JSON was expected")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceBadResponse(f"{where}: malformed JSON ({exc.__class__.__name__})") from exc


def _phrase(response: httpx.Response) -> str:
    return response.reason_phrase or ""


def _refusal(response: httpx.Response, limit: int = 200) -> str:
    """For a 4xx: the upstream's own reason, e.g. Alertmanager's "invalid silence: …", as
    ``": <reason>"`` (one inert line), or nothing. A JSON string or an object's ``message``/
    ``error`` is unwrapped; an HTML page says nothing useful and is left out."""
    if not 400 <= response.status_code < 500:
        return ""
    text = response.content[:4096].decode("utf-8", "replace").strip()
    if not text or text.startswith("<"):
        return ""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    if isinstance(parsed, dict):
        parsed = parsed.get("message") or parsed.get("error") or ""
    reason = clean_line(str(parsed)) if isinstance(parsed, (str, int, float)) else ""
    return f": {reason[:limit]}" if reason else ""


def _reason(exc: BaseException) -> str:
    """One line saying why a connection failed, from the deepest OS error in the chain."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered or "temporary failure in name resolution" in lowered:
        return "name does not resolve"
    if "connection refused" in lowered:
        return "connection refused"
    if "certificate" in lowered or "ssl" in lowered:
        return "TLS failed: " + text.splitlines()[0][:120]
    return text.splitlines()[0][:160]
