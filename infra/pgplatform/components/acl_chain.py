"""Serialises ACL resources that rewrite the same catalog row.

pulumi-postgresql revokes then grants in one transaction per resource; two such transactions on
one pg_database / pg_namespace / pg_default_acl row fail with "tuple concurrently updated"
(terraform-provider-postgresql#178). Resources touching different rows still run in parallel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

import pulumi

R = TypeVar("R", bound=pulumi.Resource)


class AclChain:
    def __init__(self) -> None:
        self._last: dict[Hashable, pulumi.Resource] = {}
        self._lock = threading.Lock()

    def append(self, row: Hashable, opts: pulumi.ResourceOptions,
               make: Callable[[pulumi.ResourceOptions], R]) -> R:
        """Create a resource writing `row`, after the previous writer of that row."""
        with self._lock:
            last = self._last.get(row)
            after = pulumi.ResourceOptions(depends_on=[last] if last is not None else [])
            resource = make(pulumi.ResourceOptions.merge(opts, after))
            self._last[row] = resource
        return resource
