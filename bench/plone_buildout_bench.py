"""How long the plone_instances buildout build takes: cold (empty egg cache), warm (a second
release with the cache of the first) and in place (the same release, a changed deploy.cfg).

It builds examples/plone/project-buildout the way `plone_instances::deploy` does: a venv with
the sample's requirements.txt (zc.buildout pinned), the deploy.cfg the cookbook renders (two
clients, a ZEO address that nothing needs to answer: building starts no process), then
`bin/buildout -c deploy.cfg`. Prints one line per build with its wall-clock seconds.

    python bench/plone_buildout_bench.py                 # cold, warm, in place (~5 minutes)
    python bench/plone_buildout_bench.py --cache DIR     # reuse DIR's eggs: warm figures only
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stackworks.cookbooks.plone_instances import buildout, config
from stackworks.cookbooks.plone_instances.attributes import DEFAULTS

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "plone" / "project-buildout"


def deploy_cfg(work: Path, cache: Path, cache_size: int) -> str:
    clients = [
        buildout.BuildoutClient(c, "127.0.0.1")
        for c in config.clients("bench", str(work / "clients"), [18901, 18902])
    ]
    return buildout.render_deploy_cfg(
        "bench",
        {**DEFAULTS["plone_instances"], "zodb_cache_size": cache_size},
        base="cfg/base.cfg",
        custom={},
        clients=clients,
        servers=["127.0.0.1:18900"],
        cache_dir=str(cache),
        console_home=str(work / "clients" / "console"),
        environment={},
    )


def release(work: Path, name: str, cache: Path) -> Path:
    """A checkout of the sample with its bootstrap venv (not timed: pip's own cache)."""
    where = work / name
    shutil.copytree(PROJECT, where)
    venv = where / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    subprocess.run([*pip, "--quiet", "-r", "requirements.txt"], cwd=where, check=True)
    (where / "deploy.cfg").write_text(deploy_cfg(work, cache, 30000))
    return where


def build(where: Path, what: str) -> float:
    started = time.monotonic()
    done = subprocess.run(
        [str(where / ".venv" / "bin" / "buildout"), "-c", "deploy.cfg"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{what}: buildout failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    print(f"{what:<40} {took:7.1f} s")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, help="an egg cache to reuse (skips the cold build)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="buildout-bench-") as tmp:
        work = Path(tmp)
        cache = args.cache or work / "cache"
        if args.cache is None:
            build(release(work, "cold", cache), "cold build (empty egg cache)")
        warm = release(work, "warm", cache)
        build(warm, "warm build (a new release, cached eggs)")
        (warm / "deploy.cfg").write_text(deploy_cfg(work, cache, 12345))
        build(warm, "in place (same release, changed deploy.cfg)")


if __name__ == "__main__":
    main()
