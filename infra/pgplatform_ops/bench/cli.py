"""`scripts/bench [--quick] [--json FILE]`: the stack's own verification, vector search at equal
recall on synthetic vectors and on real text embedded with seed 001's model (with memory-saving
halfvec and binary-quantized indexes), the task queue against the write round-trip limit, many
clients through the pooler, the whole server's base backup and restore holding the documents
(server.pitr), measured against a harness-deployed stack; bootstrap and verification at scale,
through the harness and then through the real engine (`scripts/up`, so the Pulumi toolchain
must be available: scripts/toolchain); printed as one table, each figure beside its baseline
from the same run and its target.
The real text is embedded once and cached in ~/.cache/pgplatform/embeddings (the first full run
embeds 20,300 chunks: tens of minutes on 2 cores).

Without --quick it runs on the dev stack (`scripts/harness up dev`: starts it if needed, changes
nothing if it runs) and leaves it as it found it: the loaded documents are truncated, the
benchmark's tasks, session and agent removed, its scratch schema dropped; the pitr area
restores the server to its last archived WAL (its base backups stay in the repository). With
--quick (sizes that only prove the command works; speed is never judged) it runs on a copy of
the dev layout under its own stack name, container and port, removed at the end, so it never
touches dev. The bootstrap measurement always uses its own generated topology stack, removed at
the end.

Exit status: 0 when every measurement ran and every correctness check held (no task claimed
twice or lost, none lost after the workers were killed, every pooled client answered within
the pool, both verifications passed, every document the same after the restore); speed targets
are reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from pgplatform import stack_config
from pgplatform_ops.bench import (
    bootstrap,
    pitr_bench,
    pooled,
    queue,
    real_corpus,
    replica_lag,
    report,
    scaling,
    stack,
    vector_data,
    vectors,
    verify_run,
)
from pgplatform_ops.bench.stack import BenchError, log
from pgplatform_ops.caller import CALLER_CWD
from pgplatform_ops.pitr.repo import PitrError

AREAS = ("verify", "vector", "vector_real", "queue", "pooler", "pitr", "bootstrap")


@dataclass(frozen=True)
class Sizes:
    vectors: int
    real_vectors: int
    """chunks of real text embedded (cached under ~/.cache/pgplatform/embeddings)"""
    queries: int
    clients: int
    point_seconds: float
    """each recall/throughput point is timed for at least this long"""
    workers: int
    tasks: int
    services: int
    pooled_clients: int


FULL = Sizes(vectors=100_000, real_vectors=20_000, queries=300, clients=8, point_seconds=3.0,
             workers=8, tasks=20_000, services=100, pooled_clients=300)
QUICK = Sizes(vectors=5_000, real_vectors=500, queries=50, clients=8, point_seconds=0.0,
              workers=8, tasks=2_000, services=10, pooled_clients=50)


def _path(raw: str) -> Path:
    """Relative to where the user ran scripts/bench (the wrapper changes to the project root;
    the benchmark itself stays there, so it resolves the paths it is given instead of
    `caller.enter()`)."""
    p = Path(raw)
    caller = os.environ.get(CALLER_CWD)
    return p if p.is_absolute() or not caller else Path(caller) / p


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"small sizes ({QUICK.vectors:,} vectors, {QUICK.queries} queries, "
                        f"{QUICK.tasks:,} tasks, {QUICK.services} services) on a throwaway copy "
                        f"of dev (port {stack.QUICK_PORT}); proves the command works")
    p.add_argument("--json", type=_path, metavar="FILE",
                   help="also write the figures as one flat JSON object")
    p.add_argument("--stack", help="stack to run on (default dev; with --quick "
                                   f"{stack.QUICK_STACK}, generated and removed at the end)")
    p.add_argument("--stack-file", type=_path, metavar="FILE",
                   help="read the stack's config from this YAML instead of Pulumi.STACK.yaml "
                        "(the stack is then named after the file, Pulumi.NAME.yaml, unless "
                        "--stack says otherwise); such a stack is left running")
    p.add_argument("--only", default=",".join(AREAS),
                   help=f"comma-separated subset of {','.join(AREAS)} (default: all; the "
                        "JSON then holds only their keys)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    only = [a.strip() for a in args.only.split(",") if a.strip()]
    unknown = sorted(set(only) - set(AREAS))
    if unknown:
        _parser().error(f"--only: unknown area(s) {unknown}; use {','.join(AREAS)}")
    sizes = QUICK if args.quick else FULL
    started = time.monotonic()
    vec = real = scale = que = boot = engine = pool = lag = dev = rec = None
    embedded: real_corpus.Embedded | None = None
    with tempfile.TemporaryDirectory(prefix="pgplatform-bench-") as tmp:
        work = Path(tmp)
        generated = False
        stack_name, stack_file = args.stack, args.stack_file
        if args.quick and stack_name is None and stack_file is None:
            stack_name, generated = stack.QUICK_STACK, True
            stack_file = stack.stack_file_path(work, stack_name)
            stack_config.write_stack_file(stack_file, stack.quick_stack_values())
        if stack_name is None and stack_file is not None:
            stack_name = stack_config.stack_name_of(stack_file)
        stack_name = stack_name or stack.DEV_STACK
        try:
            if {"verify", "vector", "vector_real", "queue", "pooler", "pitr"} & set(only):
                outputs = work / "outputs.json"
                deployed = stack.deploy(stack_name, outputs, stack_file)
                log(f"stack {stack_name} up ({deployed.up_seconds:.1f} s)")
                if "verify" in only:
                    log(f"verify: scripts/verify of stack {stack_name}")
                    dev = verify_run.timed(stack_name, outputs, work, stack_file)
                    log(f"verify: passed in {dev.seconds:.1f} s: {dev.summary}")
                if "vector" in only:
                    # The replicas' lag is measured under the document load.
                    with replica_lag.sampled(deployed) as lag:
                        vec = vectors.run(deployed,
                                          vector_data.synthetic(sizes.vectors, sizes.queries),
                                          clients=sizes.clients,
                                          min_seconds=sizes.point_seconds,
                                          strict_plans=not args.quick)
                    if not deployed.cfg.server.replicas:
                        lag = None
                if "vector_real" in only:
                    embedded = real_corpus.embedded(sizes.real_vectors, sizes.queries, log)
                    real = vectors.run(deployed, vector_data.real(embedded),
                                       clients=sizes.clients, min_seconds=sizes.point_seconds,
                                       strict_plans=not args.quick)
                    scale = scaling.run(
                        deployed, [vector_data.real(embedded, sizes.real_vectors // n)
                                   for n in scaling.STEPS],
                        vectors.with_options(real.hnsw_options), clients=sizes.clients,
                        min_seconds=sizes.point_seconds, recall_min=vectors.RECALL_MIN)
                if "queue" in only:
                    que = queue.run(deployed, workers=sizes.workers, tasks=sizes.tasks)
                if "pooler" in only:
                    pool = pooled.run(deployed, deployed.cfg.services[0].name,
                                      clients=sizes.pooled_clients)
                if "pitr" in only:
                    # Last: it restores the whole server.
                    rec = pitr_bench.run(deployed, rows=sizes.vectors)
            if generated:
                stack.down(stack_name)
                generated = False
            if "bootstrap" in only:
                topo = f"topo{sizes.services}"
                boot_stack = f"bench{topo}" if args.quick else topo
                boot = bootstrap.run(
                    services=sizes.services, stack=boot_stack,
                    container_name=f"pgplatform-{boot_stack}" if args.quick else None)
                engine = bootstrap.run_engine(services=sizes.services,
                                              stack=f"{boot_stack}-engine")
        except (BenchError, psycopg.Error, subprocess.TimeoutExpired, PitrError,
                real_corpus.CorpusError) as exc:
            print(f"scripts/bench: {exc}", file=sys.stderr)
            return 1
        finally:
            if generated:
                stack.down(stack_name)
    rows = report.rows(vec, que, boot, pool, lag, dev, rec, real=real, scale=scale,
                       engine=engine)
    print(report.table(rows, quick=args.quick))
    figures: dict[str, Any] = {}
    for part in (vec, real, scale, que, boot, engine, pool, lag, dev, rec):
        if part is not None:
            figures.update(part.figures())
    if embedded is not None:
        figures.update(embedded.figures())
    figures = {k: figures[k] for k in report.KEYS if k in figures}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"scripts/bench: {'quick run' if args.quick else 'full run'} on stack {stack_name} in "
          f"{time.monotonic() - started:.0f} s" + (f"; figures in {args.json}" if args.json
                                                    else ""))
    failed = [r for r in rows if r.correctness and r.met is False]
    if failed:
        print("scripts/bench: correctness check failed: "
              + "; ".join(f"{r.figure} = {r.value}" for r in failed), file=sys.stderr)
        return 1
    return 0
