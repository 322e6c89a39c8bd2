"""Steps of the backup and restore recipes that must look at the disk when they run, not when
the recipes are declared: `python -m stackworks.cookbooks.zeoserver.backups ...`.

    backup REPOZO DATA_FS DIR --keep N [--full]
                                a repozo backup of DATA_FS into DIR, then prune: one argv, so
                                a scheduled job (`zeoserver.backup_schedule`) does both
    prune DIR --keep N          delete repozo files older than the newest N full backups
    set-aside DATA_FS SUFFIX    rename Data.fs and its companions (index, lock, tmp) to
                                <name><SUFFIX>, making room for a restored Data.fs
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from stackworks.cookbooks.zeoserver import config

MODULE = "stackworks.cookbooks.zeoserver.backups"


def prune(directory: Path, keep: int) -> list[str]:
    """Delete what `config.backups_to_prune` names in `directory`; returns the names."""
    names = sorted(p.name for p in directory.iterdir() if p.is_file())
    doomed = config.backups_to_prune(names, keep)
    for name in doomed:
        (directory / name).unlink()
    return doomed


def set_aside(data_fs: Path, suffix: str) -> list[str]:
    """Rename Data.fs and `Data.fs.<ext>` files next to it by appending `suffix`; returns the
    new names. Files set aside by an earlier restore stay as they are."""
    moved = []
    for path in sorted(data_fs.parent.glob(data_fs.name + "*")):
        if ".before-restore-" in path.name or path.name.endswith(".restoring"):
            continue
        target = path.with_name(path.name + suffix)
        path.rename(target)
        moved.append(target.name)
    return moved


def backup(repozo: str, data_fs: Path, directory: Path, keep: int, *, full: bool) -> int:
    """repozo's backup of `data_fs` into `directory`, then `prune`; repozo's exit status."""
    directory.mkdir(parents=True, exist_ok=True)
    data = config.DataPaths(var=str(data_fs.parent.parent))
    argv = config.backup_command(repozo, data, full=full)
    argv[argv.index("-r") + 1] = str(directory)
    argv[argv.index("-f") + 1] = str(data_fs)
    finished = subprocess.run(argv, check=False)
    if finished.returncode == 0:
        done = prune(directory, keep)
        print(f"backup done; removed {len(done)} old backup files")
    return finished.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=MODULE)
    steps = parser.add_subparsers(dest="step", required=True)
    backing_up = steps.add_parser("backup")
    backing_up.add_argument("repozo")
    backing_up.add_argument("data_fs", type=Path)
    backing_up.add_argument("directory", type=Path)
    backing_up.add_argument("--keep", type=int, required=True)
    backing_up.add_argument("--full", action="store_true")
    pruning = steps.add_parser("prune")
    pruning.add_argument("directory", type=Path)
    pruning.add_argument("--keep", type=int, required=True)
    aside = steps.add_parser("set-aside")
    aside.add_argument("data_fs", type=Path)
    aside.add_argument("suffix")
    args = parser.parse_args(argv)
    try:
        if args.step == "backup":
            return backup(args.repozo, args.data_fs, args.directory, args.keep, full=args.full)
        if args.step == "prune":
            done = prune(args.directory, args.keep)
            print(f"removed {len(done)} old backup files" + (f": {' '.join(done)}" if done else ""))
        else:
            done = set_aside(args.data_fs, args.suffix)
            print(f"set aside: {' '.join(done) or 'nothing (no Data.fs yet)'}")
    except (OSError, ValueError) as error:
        print(f"{MODULE} {args.step}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
