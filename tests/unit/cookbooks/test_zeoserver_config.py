"""The pure rules of the zeoserver cookbook: where the data lives, zeo.conf, the pack
singleton, repozo commands and backup retention."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from stackworks.cookbooks.zeoserver import backups, config


def test_data_lives_on_the_volume_mounted_at_the_configured_path() -> None:
    volumes = [
        {"mount_point": "/srv/other", "mount_path": "/root/i/srv/other"},
        {"mount_point": "/srv/zeoserver/var/", "mount_path": "/root/i/srv/zeoserver/var"},
    ]
    data = config.data_paths("/root/i/srv", volumes, "/srv/zeoserver/var")
    assert data.var == "/root/i/srv/zeoserver/var"
    assert data.filestorage == "/root/i/srv/zeoserver/var/filestorage/Data.fs"
    assert data.on_volume  # stackworks::volumes made it (a link on a local instance)


def test_without_that_volume_data_lives_under_srv() -> None:
    data = config.data_paths("/x/srv", [{"mount_point": "/data", "mount_path": "/v"}], "/srv/z")
    assert data.var == "/x/srv/zeoserver/var"
    assert data.blobstorage == "/x/srv/zeoserver/var/blobstorage"
    assert data.backups == "/x/srv/zeoserver/var/backups"
    assert not data.on_volume


def test_zeo_conf_serves_storage_1_on_the_private_address() -> None:
    data = config.DataPaths("/v")
    text = config.render_zeo_conf(
        address="127.77.0.1", port=8100, data=data, blob_dir=None, log="/l/z.log", pid="/r/z.pid"
    )
    assert "address 127.77.0.1:8100" in text
    assert "<filestorage 1>\n  path /v/filestorage/Data.fs\n  blob-dir /v/blobstorage" in text
    shared = config.render_zeo_conf(
        address="127.77.0.1", port=8100, data=data, blob_dir="/nfs/b", log="/l", pid="/p"
    )
    assert "blob-dir /nfs/b" in shared


@pytest.mark.parametrize("port", [0, 70000, "x"])
def test_a_bad_port_names_the_attribute(port: object) -> None:
    with pytest.raises(ValueError, match=r"zeoserver\.port"):
        config.render_zeo_conf(
            address="127.77.0.1",
            port=port,  # type: ignore[arg-type]
            data=config.DataPaths("/v"),
            blob_dir=None,
            log="/l",
            pid="/p",
        )


def test_the_pack_singleton_is_the_first_online_instance_by_hostname() -> None:
    instances = {
        "zeo-b": {"status": "online"},
        "zeo-a": {"status": "stopping"},
        "zeo-c": {"status": "online"},
    }
    assert config.pack_singleton(instances) == "zeo-b"
    assert config.pack_singleton({}) is None


NAMES = [
    "2026-01-01-00-00-00.fsz",
    "2026-01-01-00-00-00.dat",
    "2026-01-01-00-00-00.index",
    "2026-01-02-00-00-00.deltafsz",
    "2026-01-03-00-00-00.fsz",
    "2026-01-04-00-00-00.deltafsz",
    "2026-01-05-00-00-00.fsz",
    "notes.txt",
]


def test_retention_keeps_the_newest_full_backups_and_what_follows_them() -> None:
    assert config.backups_to_prune(NAMES, keep=2) == [
        "2026-01-01-00-00-00.dat",
        "2026-01-01-00-00-00.fsz",
        "2026-01-01-00-00-00.index",
        "2026-01-02-00-00-00.deltafsz",
    ]
    assert config.backups_to_prune(NAMES, keep=3) == []
    assert "2026-01-04-00-00-00.deltafsz" in config.backups_to_prune(NAMES, keep=1)
    with pytest.raises(ValueError, match=r"zeoserver\.backup_keep"):
        config.backups_to_prune(NAMES, keep=0)


def test_prune_deletes_only_what_retention_names(tmp_path: Path) -> None:
    for name in NAMES:
        (tmp_path / name).write_text("x")
    removed = backups.prune(tmp_path, keep=2)
    assert len(removed) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2026-01-03-00-00-00.fsz",
        "2026-01-04-00-00-00.deltafsz",
        "2026-01-05-00-00-00.fsz",
        "notes.txt",
    ]


def test_set_aside_renames_data_fs_and_its_companions(tmp_path: Path) -> None:
    for name in ("Data.fs", "Data.fs.index", "Data.fs.restoring", "Data.fs.before-restore-1"):
        (tmp_path / name).write_text("x")
    moved = backups.set_aside(tmp_path / "Data.fs", ".before-restore-2")
    assert moved == ["Data.fs.before-restore-2", "Data.fs.index.before-restore-2"]
    assert (tmp_path / "Data.fs.restoring").exists()
    assert not (tmp_path / "Data.fs").exists()


def test_repozo_commands() -> None:
    data = config.DataPaths("/v")
    backup = config.backup_command("/bin/repozo", data, full=False)
    assert backup[:2] == ["/bin/repozo", "--backup"] and "--full" not in backup
    assert "-f" in backup and "/v/filestorage/Data.fs" in backup
    assert config.backup_command("/bin/repozo", data, full=True)[-1] == "--full"
    restore = config.restore_command("/bin/repozo", data, "/v/new.fs", "2026-01-02")
    assert restore[:6] == ["/bin/repozo", "--recover", "-r", "/v/backups", "-o", "/v/new.fs"]
    assert restore[6:] == ["-D", "2026-01-02"]
    with pytest.raises(ValueError, match=r"args\.date"):
        config.restore_command("/bin/repozo", data, "/v/new.fs", "yesterday")


def test_the_venv_key_follows_the_pins() -> None:
    assert config.pins_key("ZEO==6.0.0\n") == config.pins_key("ZEO==6.0.0\n")
    assert config.pins_key("ZEO==6.0.0\n") != config.pins_key("ZEO==6.1.0\n")


def test_the_scheduled_backup_step_runs_repozo_then_prunes(tmp_path: Path) -> None:
    # a stand-in repozo that records its arguments and writes a full backup file
    fake = tmp_path / "repozo"
    fake.write_text(
        "#!" + sys.executable + "\n"
        "import pathlib, sys, json\n"
        "args = sys.argv[1:]\n"
        "out = pathlib.Path(args[args.index('-r') + 1])\n"
        "(out / ('2026-12-0%d-03-00-00.fsz' % (len(list(out.iterdir())) + 1))).write_text('x')\n"
        "pathlib.Path(sys.argv[0] + '.args').write_text(json.dumps(args))\n"
    )
    fake.chmod(0o755)
    backups_dir = tmp_path / "backups"
    data_fs = tmp_path / "var" / "filestorage" / "Data.fs"
    for _ in range(3):
        assert backups.backup(str(fake), data_fs, backups_dir, keep=2, full=False) == 0
    args = json.loads((tmp_path / "repozo.args").read_text())
    assert args[:2] == ["--backup", "--gzip"]
    assert args[args.index("-f") + 1] == str(data_fs)
    assert sorted(p.name for p in backups_dir.iterdir()) == [
        "2026-12-02-03-00-00.fsz",
        "2026-12-03-03-00-00.fsz",
    ]
