"""Start the emulator in a subprocess on loopback, wait until it answers, stop it by its PID.

    with Emulator.start(log_path) as emulator:
        ...  # point the CDK CLI and boto3 at emulator.endpoint_url

The subprocess is ``python -m integ.emulator`` (moto's server with the patches applied) bound to
127.0.0.1, on a free port unless one is given. Clients use ``http://localhost:PORT``, not
127.0.0.1: moto reads the S3 bucket from the path of a template URL only for ``localhost``, and
the CDK CLI hands CloudFormation such a URL. :meth:`Emulator.stop` ends exactly the process it
started (by its PID: terminate, then kill if it lingers) and is safe to call twice.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
READY_PATH = "/moto-api/"
PORT_VARIABLE = "ECR_PATTERNS_EMULATOR_PORT"
"""Set it to run the emulator on a fixed port (e.g. 5000) instead of a free one."""

# Loopback requests must never go through a proxy from the environment.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorError(RuntimeError):
    """The emulator did not start, or stopped answering."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Emulator:
    """A running emulator process. Create it with :meth:`start`."""

    def __init__(
        self, process: subprocess.Popen[bytes], port: int, log_path: Path, log: IO[bytes], ready_path: str = READY_PATH
    ) -> None:
        self.process = process
        self.port = port
        self.log_path = log_path
        self._log = log
        self._ready_path = ready_path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def endpoint_url(self) -> str:
        """``http://localhost:PORT``, the value for ``AWS_ENDPOINT_URL``."""
        return f"http://localhost:{self.port}"

    @classmethod
    def start(
        cls,
        log_path: Path,
        *,
        port: int | None = None,
        ready_timeout: float = 60.0,
        recording_path: Path | None = None,
    ) -> Emulator:
        """Start the emulator and return once it answers.

        :param log_path: file that receives the server's output (created or truncated).
        :param port: default ``None``: the port in ``ECR_PATTERNS_EMULATOR_PORT`` if set, else a free one.
        :param ready_timeout: seconds to wait for the first answer. Default 60.
        :param recording_path: default ``None``: moto's default (``moto_recording`` in the working directory);
            the file moto's request recorder (``/moto-api/recorder/*``) writes, when a test starts it.
        :raises EmulatorError: when it exits or does not answer in time (the process is stopped).
        """
        if port is None:
            port = int(os.environ[PORT_VARIABLE]) if os.environ.get(PORT_VARIABLE) else free_port()
        command = [sys.executable, "-m", "integ.emulator", "-H", "127.0.0.1", "-p", str(port)]
        env = {**os.environ, "MOTO_RECORDER_FILEPATH": str(recording_path)} if recording_path is not None else None
        return cls.spawn(command, log_path, port=port, ready_timeout=ready_timeout, env=env)

    @classmethod
    def start_ministack(cls, python: Path, log_path: Path, *, ready_timeout: float = 60.0) -> Emulator:
        """MiniStack's EventBridge alone (``SERVICES=events``), from its own environment's ``python``, bound
        to 127.0.0.1 on a free port (tools/ministack.txt says why it has an environment of its own)."""
        port = free_port()
        env = {
            **os.environ,
            "BIND_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "SERVICES": "events",
            "PERSIST_STATE": "0",
        }
        return cls.spawn(
            [str(python), "-m", "ministack"],
            log_path,
            port=port,
            ready_timeout=ready_timeout,
            ready_path="/_ministack/health",
            env=env,
        )

    @classmethod
    def spawn(
        cls,
        command: list[str],
        log_path: Path,
        *,
        port: int,
        ready_timeout: float = 60.0,
        ready_path: str = READY_PATH,
        env: dict[str, str] | None = None,
    ) -> Emulator:
        """Start ``command`` (a server on 127.0.0.1:``port``) and return once ``ready_path`` answers 200.

        :param ready_path: default moto's ``/moto-api/``.
        :param env: default ``None``: this process's environment.
        """
        log = log_path.open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        emulator = cls(process, port, log_path, log, ready_path)
        try:
            emulator._wait_until_ready(ready_timeout)
        except BaseException:
            emulator.stop()
            raise
        return emulator

    def answers(self) -> bool:
        """Whether the server answers its health path now."""
        try:
            with _NO_PROXY.open(f"http://127.0.0.1:{self.port}{self._ready_path}", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorError(
                    f"the emulator exited with code {self.process.returncode} before answering:\n{self.log_tail()}"
                )
            if self.answers():
                return
            time.sleep(0.1)
        raise EmulatorError(f"the emulator did not answer on port {self.port} within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output, for error messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process this object started, by its PID (terminate, then kill). Idempotent."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout)
        finally:
            self._log.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
