"""`aws opsworks` (awscli 1.42.18, the v1 release on botocore 1.40.18) against a real server's
OpsWorks endpoint, with a key in its environment and a config file of the test's own, never
the user's ~/.aws."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from support.cluster import ServerProcess
from support.opsworks import REGION, opsworks_url

CLI_TIMEOUT = 60


class AwsCli:
    """Runs `aws opsworks --endpoint-url URL ARGS --output json` and answers the parsed output."""

    def __init__(self, server: ServerProcess, key: tuple[str, str], home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        config = home / "config"
        config.write_text(f"[default]\nregion = {REGION}\n")
        self.endpoint = opsworks_url(server)
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),  # none: keys from env
            "AWS_ACCESS_KEY_ID": key[0],
            "AWS_SECRET_ACCESS_KEY": key[1],
            "AWS_MAX_ATTEMPTS": "1",
        }
        self.aws = Path(sys.executable).with_name("aws")

    def _run(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.aws), "opsworks", "--endpoint-url", self.endpoint, *args, "--output", "json"],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=CLI_TIMEOUT,
            check=False,
        )

    def __call__(self, *args: str) -> Any:
        result = self._run(args)
        if result.returncode != 0:
            raise AssertionError(f"aws opsworks {' '.join(args)}: {result.stderr}")
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def error(self, *args: str) -> tuple[str, str]:
        """(code, message) of a call that must fail: awscli's `An error occurred (CODE) when
        calling the OP operation: MESSAGE` on stderr, and a non-zero exit."""
        result = self._run(args)
        text = result.stderr.strip()
        if result.returncode == 0 or not text.startswith("An error occurred ("):
            raise AssertionError(f"aws opsworks {' '.join(args)}: {result.returncode} {text}")
        return text[text.index("(") + 1 : text.index(")")], text.split("operation: ", 1)[-1]
