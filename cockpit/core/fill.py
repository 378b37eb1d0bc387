"""Fill an alert's labels into runbook text, so a step's command is ready to paste.

Runbooks write the values a command needs as placeholders in three common forms: ``$NAMESPACE``,
``${namespace}`` and ``<namespace>``. :func:`fill_labels` replaces each one whose name matches a
label of the alert (case-insensitively, ``-`` and ``_`` alike) with the label's value, and leaves
the others as written, so an unknown one stays visible (and is listed, to be pointed out).

>>> fill_labels("kubectl -n $NAMESPACE logs <pod> -c ${CONTAINER}", {"namespace": "shop", "pod": "p-1"})
('kubectl -n shop logs p-1 -c ${CONTAINER}', ['CONTAINER'])
"""

from __future__ import annotations

import re
from typing import Mapping

__all__ = ["PLACEHOLDER", "fill_labels"]

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}|\$([A-Za-z_]\w*)|<([A-Za-z_][\w.-]*)>")
"""``${name}``, ``$NAME`` or ``<name>``."""


def _norm(name: str) -> str:
    return name.casefold().replace("-", "_")


def fill_labels(text: str, labels: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with every placeholder naming a label replaced by its value, and the names of
    the placeholders left unfilled (in order, once each). ``<name>`` counts only for a known
    label (it is also how HTML and prose write other things)."""
    values = {_norm(k): v for k, v in labels.items()}
    unknown: list[str] = []

    def swap(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(3)
        value = values.get(_norm(name))
        if value is not None:
            return value
        if match.group(3) is None and name not in unknown:
            unknown.append(name)
        return match.group(0)

    return PLACEHOLDER.sub(swap, text), unknown
