"""The deployment files, loaded once: compose, Kubernetes (base and rendered overlay), systemd."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
BASE = K8S / "base"
OVERLAY = K8S / "overlays" / "example"
SYSTEMD = DEPLOY / "systemd"
IN_CI = os.environ.get("CI") == "true"


def tool(name: str, install: str) -> str:
    """The path of a system tool; missing, the test skips (or fails under CI=true, where it is)."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed ({install})"
        if IN_CI:
            pytest.fail(message + "; CI's machine image has it")
        pytest.skip(message)
    return found


def load_all(path: Path) -> list[dict[str, Any]]:
    """Every YAML document in a file, empty ones left out."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def base_resources() -> list[dict[str, Any]]:
    """The base's resources as written (what kustomize starts from)."""
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text(encoding="utf-8"))
    return [doc for name in kustomization["resources"] for doc in load_all(BASE / name)]


@cache
def _render(directory: Path, env_file: str | None) -> str:
    """`kubectl kustomize` of a copy of deploy/k8s, with the overlay's env file filled in."""
    kubectl = tool("kubectl", "apt-get install kubectl, or any kubectl >= 1.27")
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"groupbot-k8s-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(K8S, scratch / "k8s")
    target = scratch / "k8s" / directory.relative_to(K8S)
    if env_file is not None:
        (target / env_file).write_text(
            (target / f"{env_file}.example").read_text(encoding="utf-8"), encoding="utf-8"
        )
    try:
        done = subprocess.run(
            [kubectl, "kustomize", str(target)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rendered(which: str) -> list[dict[str, Any]]:
    """The resources `kubectl kustomize` builds for "base" or the example "overlay"."""
    text = _render(BASE, None) if which == "base" else _render(OVERLAY, "groupbot.env")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def workloads(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Deployments, StatefulSets and Jobs."""
    return [r for r in resources if r["kind"] in ("Deployment", "StatefulSet", "Job")]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    """A workload's pod spec."""
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def command_line(container: dict[str, Any]) -> list[str]:
    """The groupbot arguments a container runs (from args, or its shell script's exec line)."""
    if "command" not in container:
        return [str(a) for a in container["args"]]
    script = container["command"][-1]
    (line,) = [ln.strip() for ln in script.splitlines() if ln.strip().startswith("exec groupbot")]
    return line.split()[2:]


def compose() -> dict[str, Any]:
    """deploy/compose.yaml, parsed (merge keys resolved)."""
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return data
