"""Serialises ACL resources that rewrite the same catalog row.

pulumi-postgresql revokes then grants in one transaction per resource; two such transactions on
one pg_database / pg_namespace / pg_default_acl row fail with "tuple concurrently updated"
(terraform-provider-postgresql#178). Resources touching different rows still run in parallel.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

import pulumi


class AclChain:
    def __init__(self) -> None:
        self._last: dict[Hashable, pulumi.Resource] = {}
        self._lock = threading.Lock()

    def previous(self, row: Hashable) -> list[pulumi.Resource]:
        """The resource the next writer of `row` must wait for (none for the first)."""
        with self._lock:
            last = self._last.get(row)
        return [last] if last is not None else []

    def record(self, row: Hashable, resource: pulumi.Resource) -> None:
        with self._lock:
            self._last[row] = resource
