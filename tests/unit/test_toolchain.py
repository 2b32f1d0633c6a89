"""The toolchain's choices without building anything: which versions it must build (the SDKs'
in `uv.lock`), what its cache is keyed by, and the order in which it looks for a `pulumi`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from pgplatform import paths
from pgplatform_ops.toolchain import build, official, provide, versions
from pgplatform_ops.toolchain.versions import PLUGIN_PACKAGES, ToolchainError

pytestmark = pytest.mark.unit


def _pyproject_pins() -> dict[str, str]:
    deps = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"]
    return {d.split("==")[0]: d.split("==")[1] for d in deps if "==" in d}


def test_versions__each_plugin_is_built_at_its_sdks_exact_pin() -> None:
    """The engine loads a plugin at exactly its SDK's version: the SDKs are pinned exactly in
    pyproject.toml, and the toolchain stamps the plugins with what uv.lock resolved."""
    pins, current = _pyproject_pins(), versions.current()
    for name, package in PLUGIN_PACKAGES.items():
        assert package in pins, f"pyproject.toml: {package} is not pinned with =="
        assert current.plugins[name] == pins[package], (name, current.plugins[name],
                                                        pins[package])


def test_versions__the_engine_version_is_read_from_its_go_mod() -> None:
    assert versions.current().engine.startswith("v3."), versions.current().engine


def test_versions__a_lock_file_without_an_sdk_names_it(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text('version = 1\n[[package]]\nname = "pulumi"\nversion = "3.272.0"\n')
    with pytest.raises(ToolchainError) as refused:
        versions.current(lock)
    message = str(refused.value)
    assert all(p in message for p in PLUGIN_PACKAGES.values()) and "Fix:" in message, message


def test_cache_key__changes_with_any_go_source_and_any_version(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tree = tmp_path / "toolchain"
    (tree / "providers" / "cmd" / "x").mkdir(parents=True)
    source = tree / "providers" / "x.go"
    source.write_text("package x\n")
    generated = tree / "providers" / "cmd" / "x" / "schema.json"
    generated.write_text("{}")
    monkeypatch.setattr(build, "TOOLCHAIN_DIR", tree)
    v = versions.Versions(sdk="3.0.0", engine="v3.1.0", plugins={"tls": "5.5.1"})
    key = build.cache_key(v)
    generated.write_text('{"version": "other"}')
    assert build.cache_key(v) == key, "a generated schema is not a source"
    source.write_text("package x // changed\n")
    assert build.cache_key(v) != key
    changed = build.cache_key(v)
    assert build.cache_key(versions.Versions(sdk="3.0.0", engine="v3.1.0",
                                             plugins={"tls": "5.5.2"})) != changed


def test_cache__a_half_built_directory_is_not_taken_for_a_build(tmp_path: Path) -> None:
    partial = tmp_path / "0123456789abcdef"
    (partial / "bin").mkdir(parents=True)
    assert not build.is_built(partial)
    (partial / build.MANIFEST).write_text("{}")
    assert build.is_built(partial)


def _no_pulumi_anywhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv(build.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(provide, "INSTALL_ROOT", tmp_path / "tools" / "pulumi")


def test_provide__a_pulumi_on_path_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    _no_pulumi_anywhere(monkeypatch, tmp_path)
    fake = tmp_path / "empty" / "pulumi"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    found = provide.provide(print)
    assert found.origin == "path" and found.home is None
    assert "PULUMI_HOME" not in found.env()


def test_provide__a_finished_build_is_reused_without_downloading(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_pulumi_anywhere(monkeypatch, tmp_path)
    built = build.built_dir(versions.current())
    (built / "bin").mkdir(parents=True)
    (built / build.MANIFEST).write_text("{}")

    def refuse(*_: object) -> Path:
        raise AssertionError("downloaded although a build was there")

    monkeypatch.setattr(official, "install", refuse)
    found = provide.provide(print)
    assert found.origin == "built" and found.bin_dir == built / "bin"
    env = found.env()
    assert env["PATH"].split(os.pathsep)[0] == str(built / "bin")
    assert env["PULUMI_HOME"] == str(built / "home")
    assert env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"


def test_provide__no_download_and_no_go_is_one_sentence_naming_what_to_install(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_pulumi_anywhere(monkeypatch, tmp_path)

    def offline(*_: object) -> Path:
        raise OSError("Connection refused")

    monkeypatch.setattr(official, "install", offline)
    lines: list[str] = []
    with pytest.raises(ToolchainError) as refused:
        provide.provide(lines.append)
    message = str(refused.value)
    assert "\n" not in message and "Connection refused" in message, message
    assert "https://www.pulumi.com/docs/install/" in message and "https://go.dev" in message
    assert any("building it from Go modules" in line for line in lines), lines


def test_provide__without_go_the_build_itself_refuses_clearly(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_pulumi_anywhere(monkeypatch, tmp_path)
    with pytest.raises(ToolchainError) as refused:
        build.build(versions.current(), print, tmp_path / "cache")
    assert "no Go toolchain" in str(refused.value) and "Fix:" in str(refused.value)


def test_provide__the_built_pulumi_on_path_is_still_the_built_toolchain(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every script puts the built toolchain on PATH: found there again, it keeps its own
    PULUMI_HOME and never becomes "the user's pulumi"."""
    _no_pulumi_anywhere(monkeypatch, tmp_path)
    built = build.built_dir(versions.current())
    (built / "bin").mkdir(parents=True)
    (built / build.MANIFEST).write_text("{}")
    binary = built / "bin" / "pulumi"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", str(built / "bin"))
    found = provide.provide(print)
    assert found.origin == "built" and found.env()["PULUMI_HOME"] == str(built / "home")
