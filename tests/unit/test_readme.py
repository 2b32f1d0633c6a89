"""The README leads with its two commands, and what it shows of the outputs and the defaults is
what the code produces (`pgplatform.outputs`, `pgplatform.model`)."""

from __future__ import annotations

import json
import re

import pytest

from pgplatform import model, outputs, paths

pytestmark = pytest.mark.unit
README = (paths.PROJECT_ROOT / "README.md").read_text()
CONFIG_DOC = (paths.PROJECT_ROOT / "docs" / "config.md").read_text()


def test_readme__opens_with_its_two_commands_and_both_exist() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0].split()
    assert first_block == ["scripts/up", "dev", "scripts/test"], first_block
    assert all((paths.PROJECT_ROOT / s).is_file() for s in ("scripts/up", "scripts/test"))


def test_readme__outputs_example_has_exactly_the_outputs_keys() -> None:
    block = README.split("## Outputs", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    example = json.loads(block.replace("…", ""))
    assert set(example) == set(outputs.STACK_KEYS), sorted(set(example) ^ set(outputs.STACK_KEYS))
    (service,) = example["services"].values()
    assert set(service) == set(outputs.SERVICE_KEYS)
    (consumer,) = example["consumers"].values()
    assert set(consumer) == set(outputs.CONSUMER_KEYS)
    (database,) = example["databases"].values()
    assert set(database) == set(outputs.DATABASE_KEYS)


def test_config_doc__names_every_default_setting_with_its_value() -> None:
    row = next(line for line in CONFIG_DOC.splitlines() if line.startswith("| `server.settings`"))
    for name, value in model.DEFAULT_SETTINGS.items():
        assert re.search(rf"`{re.escape(name)}` {re.escape(value)}\b", row), (name, value, row)


def test_readme__links_resolve() -> None:
    for doc in [paths.PROJECT_ROOT / "README.md", *(paths.PROJECT_ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)\)", doc.read_text()):
            if "://" not in target:
                assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"

