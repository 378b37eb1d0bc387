"""What the Prometheus-API sources share: tenants, path prefixes, Thanos parameters, HA peers.

Prometheus, Thanos Query, Mimir and Cortex answer the same HTTP API with a few conventions on
top, which :class:`PromApiOptions` names:

* ``tenant`` is sent as ``X-Scope-OrgID`` (Mimir, Cortex, Thanos Receive/Query with tenancy);
* ``path_prefix`` goes between the URL and ``/api/v1`` (Mimir serves it under ``/prometheus``);
* ``dedup`` and ``partial_response`` are Thanos Query's parameters, sent only when set (plain
  Prometheus ignores unknown parameters anyway).

Several ``urls`` are the replicas of one HA pair (see :func:`cockpit.sources.peers.ask_peers`).
"""

from __future__ import annotations

from cockpit.sources.http import HttpOptions

__all__ = ["PromApiOptions"]


class PromApiOptions(HttpOptions):
    """Options of a source that reads the Prometheus HTTP API (``urls``: the replicas of one HA pair)."""

    tenant: str | None = None
    """Tenant of a multi-tenant Mimir, Cortex or Thanos, sent as the X-Scope-OrgID header."""
    path_prefix: str = ""
    """Path between the URL and /api/v1, for APIs under a prefix (Mimir's /prometheus)."""
    dedup: bool | None = None
    """Thanos Query: deduplicate replicas (sent as dedup=true|false only when set)."""
    partial_response: bool | None = None
    """Thanos Query: accept an answer some stores could not complete (sent only when set)."""

    @property
    def api_bases(self) -> list[str]:
        """Every endpoint with the path prefix, without a trailing slash."""
        prefix = self.path_prefix.strip("/")
        return [f"{url}/{prefix}" if prefix else url for url in self.endpoints]

    def api_headers(self) -> dict[str, str]:
        """The configured headers, with X-Scope-OrgID when a tenant is set."""
        headers = dict(self.headers)
        if self.tenant:
            headers["X-Scope-OrgID"] = self.tenant
        return headers

    def api_params(self) -> dict[str, str]:
        """Thanos's query parameters, as far as they are set."""
        params = {}
        if self.dedup is not None:
            params["dedup"] = "true" if self.dedup else "false"
        if self.partial_response is not None:
            params["partial_response"] = "true" if self.partial_response else "false"
        return params
