"""Run the real ``kb`` command in a child process, as a user or a script would.

The acceptance path (``kb init && kb import && kb search --batch``) is a contract of the
command line itself, so its tests go through a process: argument parsing, stdout/stderr
and the exit status are part of what they check. Settings come from ``KB_*`` variables
only; the parent's other ``KB_*`` variables are dropped so a developer's environment
cannot leak in, except the shared embedding cache (vectors by content hash, safe to share).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KB = [sys.executable, "-c", "from kb.cli import main; main()"]


@dataclass
class KbProcess:
    data_dir: Path
    embedder: str = "hashing"
    database_url: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") or k == "KB_EMBEDDING_CACHE"}
        env.update({
            "KB_DATA_DIR": str(self.data_dir),
            "KB_DATABASE_URL": self.database_url or f"sqlite:///{self.data_dir / 'kb.sqlite3'}",
            "KB_EMBEDDER": self.embedder,
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def run(self, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([*KB, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"kb {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
