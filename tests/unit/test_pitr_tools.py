"""The point-in-time recovery tools' logic without a server: pgBackRest's info read back, the
status alerts, the restore target and the command lines refused before anything runs."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pgplatform_ops.backup.cli import backup_main, restore_main
from pgplatform_ops.pitr import health
from pgplatform_ops.pitr.repo import PitrError, parse_info
from pgplatform_ops.pitr.restore import parse_target

pytestmark = pytest.mark.unit

INFO = [{"name": "pgplatform", "status": {"code": 0, "message": "ok"},
         "archive": [{"id": "17-1", "min": "000000010000000000000001",
                      "max": "000000020000000000000009"}],
         "backup": [{"label": "20261206-071229F", "type": "full",
                     "timestamp": {"start": 1796541149, "stop": 1796541151},
                     "info": {"size": 40523347, "delta": 40523347,
                              "repository": {"size": 4776496, "delta": 4776496}}},
                    {"label": "20261206-071229F_20261206-081229I", "type": "incr",
                     "timestamp": {"start": 1796544749, "stop": 1796544750},
                     "info": {"size": 40600000, "delta": 90000,
                              "repository": {"size": 4800000, "delta": 12000}}}]}]


def test_pitr__info_gives_backups_and_the_wal_range() -> None:
    info = parse_info(json.dumps(INFO))
    assert [b.kind for b in info.backups] == ["full", "incr"]
    assert info.newest is not None and info.newest.kind == "incr"
    assert info.newest.repo_size == 12000 and info.newest.size == 40600000
    assert (info.wal_min, info.wal_max) == ("000000010000000000000001",
                                           "000000020000000000000009")
    assert parse_info("[]").backups == () and parse_info("[]").newest is None


def _health(**changes: object) -> dict[str, object]:
    h: dict[str, object] = {
        "failing": False, "last_failed_wal": None, "last_failed_at": None, "failed_count": 0,
        "segments_waiting": 0, "repository_error": None, "max_backup_age_hours": 26,
        "backups": [{"label": "F", "kind": "full", "age_hours": 3.0}]}
    return {**h, **changes}


def test_pitr__status_alerts_on_failing_archive_no_backup_or_an_old_one() -> None:
    assert health.alerts(None) == [] and health.alerts(_health()) == []
    failing = health.alerts(_health(failing=True, last_failed_wal="0000000100000000000000AB",
                                     failed_count=4, segments_waiting=3))
    assert len(failing) == 1 and "WAL archiving fails" in failing[0]
    assert "0000000100000000000000AB" in failing[0] and "3 segment(s)" in failing[0]
    none = health.alerts(_health(backups=[]))
    assert len(none) == 1 and "no base backup" in none[0] and "--server" in none[0]
    old = health.alerts(_health(backups=[{"label": "F", "kind": "full", "age_hours": 30.0}]))
    assert len(old) == 1 and "maxBackupAgeHours (26)" in old[0]
    broken = health.alerts(_health(repository_error="pgbackrest failed"))
    assert len(broken) == 1 and "cannot be read" in broken[0]


def test_pitr__restore_target_needs_a_zone_and_is_read_in_utc() -> None:
    assert parse_target("2026-12-06T09:30:00Z").isoformat() == "2026-12-06T09:30:00+00:00"
    assert parse_target("2026-12-06T10:30:00+01:00").isoformat() == "2026-12-06T09:30:00+00:00"
    with pytest.raises(PitrError, match="no time zone"):
        parse_target("2026-12-06T09:30:00")
    with pytest.raises(PitrError, match="not an ISO 8601 time"):
        parse_target("yesterday")


@pytest.mark.parametrize("main, argv, says", [
    (restore_main, ["dev", "--server"], "--server needs --to-time T or --to-latest"),
    (restore_main, ["dev", "--server", "--to-latest", "--service", "rag"], "no --service"),
    (restore_main, ["dev", "--service", "rag", "--from", "x", "--to-latest"],
     "go with --server"),
    (restore_main, ["dev", "--server", "--to-time", "T", "--to-latest"], "not allowed with"),
    (backup_main, ["dev"], "one of --to, --root or --server is required"),
    (backup_main, ["dev", "--server", "--service", "rag"], "no --service or --database"),
    (backup_main, ["dev", "--server", "--type", "weekly"], "invalid choice"),
])
def test_pitr__command_lines_refused_before_anything_runs(
        main: Callable[[list[str]], int], argv: list[str], says: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert says in capsys.readouterr().err
