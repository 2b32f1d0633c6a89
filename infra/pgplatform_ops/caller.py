"""The operator's working directory. The scripts change to the project root to keep the venv
current (scripts/_venv.sh); a path the operator gives (`--outputs out.json`, `--to backups/x`)
is theirs, so each tool's entry point goes back to where it was run from. The tools name
project files by `pgplatform.paths.PROJECT_ROOT`, never by the working directory."""

from __future__ import annotations

import os

CALLER_CWD = "PGPLATFORM_CALLER_CWD"


def enter() -> None:
    cwd = os.environ.get(CALLER_CWD)
    if cwd and os.path.isdir(cwd):
        os.chdir(cwd)
