"""Callers of a real server's OpsWorks endpoint: a Stackworks user with an access key, as a
boto3 1.40.18 client and as `aws opsworks` (awscli 1.42.18) with a configuration of its own.

The aws CLI gets the key in its environment and an empty config file of the test's, never the
user's ~/.aws; both talk to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config

from support.cluster import ServerProcess

REGION = "us-east-1"
CLI_TIMEOUT = 60
ADMIN = "admin"  # the user behind the server's first admin token (api/server.py)


@dataclass(frozen=True)
class OpsWorksUser:
    name: str
    key_id: str
    secret: str
    endpoint: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::123456789012:user/{self.name}"

    @classmethod
    def admin(cls, server: ServerProcess) -> OpsWorksUser:
        return cls.with_key(server, ADMIN)

    @classmethod
    def create(cls, server: ServerProcess, name: str) -> OpsWorksUser:
        server.call("POST", "/users", {"name": name}, expect=201)
        return cls.with_key(server, name)

    @classmethod
    def with_key(cls, server: ServerProcess, name: str) -> OpsWorksUser:
        key = server.call("POST", f"/users/{name}/access-keys", {}, expect=201)
        return cls(name, key["access_key_id"], key["secret_access_key"], f"{server.url}/opsworks")

    def client(self) -> BaseClient:
        return boto3.session.Session().client(
            "opsworks",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.key_id,
            aws_secret_access_key=self.secret,
            config=Config(retries={"max_attempts": 1}),
        )

    def cli(self, home: Path) -> Callable[..., Any]:
        """`aws opsworks --endpoint-url ... ARGS --output json`, answering the parsed output;
        with `expect_failure`, the error's code and message instead."""
        home.mkdir(parents=True, exist_ok=True)
        config = home / "config"
        config.write_text(f"[default]\nregion = {REGION}\n")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_ACCESS_KEY_ID": self.key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_MAX_ATTEMPTS": "1",
        }
        aws = Path(sys.executable).with_name("aws")

        def run(*args: str, expect_failure: bool = False) -> Any:
            result = subprocess.run(
                [str(aws), "opsworks", "--endpoint-url", self.endpoint, *args, "--output", "json"],
                capture_output=True,
                text=True,
                env=env,
                timeout=CLI_TIMEOUT,
                check=False,
            )
            if expect_failure:
                if result.returncode == 0:
                    raise AssertionError(f"aws opsworks {args} succeeded: {result.stdout}")
                return _cli_error(result.stderr)
            if result.returncode != 0:
                raise AssertionError(f"aws opsworks {args}: {result.returncode} {result.stderr}")
            return json.loads(result.stdout) if result.stdout.strip() else {}

        return run


def _cli_error(stderr: str) -> dict[str, str]:
    """awscli's `An error occurred (CODE) when calling the OP operation: MESSAGE`."""
    text = stderr.strip()
    if "(" not in text or "):" not in text:
        raise AssertionError(f"not an AWS error: {text}")
    code = text[text.index("(") + 1 : text.index(")")]
    message = text.split(": ", 1)[1] if ": " in text else ""
    return {"code": code, "message": message}
