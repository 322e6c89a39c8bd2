"""package[...]: apt through a FakeRunner (nothing is installed), pip for real into a tmp venv."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge import FakeRunner

DPKG = ("dpkg-query", "-W")


def _dpkg(installed: dict[str, str]) -> str:
    return "".join(f"{name}\tii \t{version}\n" for name, version in installed.items())


def test_apt_installs_only_the_missing_names_in_one_call(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    runner = FakeRunner()
    runner.answer(
        DPKG,
        exit_code=1,
        output=_dpkg({"curl": "8.0"}) + "dpkg-query: no packages found matching haproxy\n",
    )
    cookbooks.recipe(
        "demo", "default", "def recipe(r):\n    r.package(['curl', 'haproxy', 'git'])\n"
    )
    run = converge(["demo"], runner=runner)
    assert run.report.ok, run.report.error
    assert len(runner.ran("dpkg-query")) == 1
    install = runner.ran("apt-get", "install")
    assert len(install) == 1 and install[0][-3:] == ("--", "haproxy", "git")
    assert runner.envs[runner.calls.index(install[0])]["DEBIAN_FRONTEND"] == "noninteractive"


def test_apt_second_run_and_dry_run_change_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn
) -> None:
    runner = FakeRunner()
    runner.answer(DPKG, output=_dpkg({"curl": "8.0", "git": "2.40"}))
    cookbooks.recipe("demo", "default", "def recipe(r):\n    r.package(['curl', 'git'])\n")
    assert converge(["demo"], runner=runner).statuses() == [("package[curl git]", "unchanged")]
    runner.answer(DPKG, output=_dpkg({"curl": "8.0"}))
    dry = converge(["demo"], runner=runner, dry_run=True)
    assert dry.statuses() == [("package[curl git]", "would_change")]
    assert runner.ran("apt-get") == []


def test_apt_version_and_remove(cookbooks: Cookbooks, converge: ConvergeFn) -> None:
    runner = FakeRunner()
    runner.answer(DPKG, output=_dpkg({"curl": "8.0", "nano": "7"}))
    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.package("curl", version="8.1")
            r.package(["nano", "vim"], action="remove")
    """,
    )
    converge(["demo"], runner=runner)
    assert runner.ran("apt-get", "install")[0][-1] == "curl=8.1"
    assert runner.ran("apt-get", "remove")[0][-2:] == ("--", "nano")


def test_apt_upgrade_uses_the_candidate_version(cookbooks: Cookbooks, converge: ConvergeFn) -> None:
    runner = FakeRunner()
    runner.answer(DPKG, output=_dpkg({"curl": "8.0", "git": "2.40"}))
    runner.answer(
        ("apt-cache", "policy"),
        output=(
            "curl:\n  Installed: 8.0\n  Candidate: 8.1\n"
            "git:\n  Installed: 2.40\n  Candidate: 2.40\n"
        ),
    )
    cookbooks.recipe(
        "demo", "default", "def recipe(r):\n    r.package(['curl', 'git'], action='upgrade')\n"
    )
    run = converge(["demo"], runner=runner)
    assert run.report.resources[0].message == "upgrade curl"


def _wheel(directory: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel, built by hand so the test needs no index or build tool."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def test_pip_creates_the_venv_installs_then_changes_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels, "swtiny", "1.0")
    venv = tmp_path / "venv"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.package("swtiny", provider="pip", venv={str(venv)!r},
                      options=["--no-index", "--find-links", {str(wheels)!r}])
    """,
    )
    dry = converge(["demo"], dry_run=True)
    assert dry.statuses() == [("package[swtiny]", "would_change")]
    assert not venv.exists()
    first = converge(["demo"])
    assert first.report.ok, first.report.error
    assert list(venv.glob("lib/python*/site-packages/swtiny/__init__.py"))
    assert converge(["demo"]).statuses() == [("package[swtiny]", "unchanged")]
