"""The files a user of the repository reads first: the license pyproject names, the changelog of its version."""

import re
import tomllib

from child_processes import REPOSITORY

PROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]


def test_the_license_file_is_the_full_apache_2_license_pyproject_names():
    text = (REPOSITORY / "LICENSE").read_text()
    assert PROJECT["license"] == {"text": "Apache-2.0"}
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text and "END OF TERMS AND CONDITIONS" in text
    sections = re.findall(r"^\s+(\d)\. [A-Z]", text, flags=re.MULTILINE)
    assert sections == [str(n) for n in range(1, 10)], "all nine sections, not a summary"


def test_the_changelog_has_the_current_version():
    changelog = (REPOSITORY / "CHANGELOG.md").read_text()
    assert f"## [{PROJECT['version']}]" in changelog and "## [Unreleased]" in changelog
