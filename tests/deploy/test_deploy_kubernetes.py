"""Kubernetes manifests: schema-valid, non-root, probed, bounded, secrets from Secrets, shards."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from deployfiles import (
    BASE,
    OVERLAY,
    ROOT,
    base_resources,
    command_line,
    load_all,
    pod_spec,
    rendered,
    workloads,
)
from pydantic import SecretStr

from groupbot.core.rulebook import load_rulebook
from groupbot.service.settings import Settings

# The oldest Kubernetes still commonly run, and the newest the schemas know.
KUBERNETES_VERSIONS = ["1.29.0", kubernetes_validate.latest_version()]
SOURCES = ["base", "overlay"]
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|DATABASE_URL|CLIENT_ID")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    """A workload's containers, init containers included."""
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def long_running(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Deployments and StatefulSets: the processes that serve."""
    return [r for r in resources if r["kind"] in ("Deployment", "StatefulSet")]


def option(args: list[str], name: str) -> str:
    """The value given to an option."""
    return args[args.index(name) + 1]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_base_files_match_the_kubernetes_schema(version: str) -> None:
    for resource in base_resources():
        kubernetes_validate.validate(resource, version, strict=True)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("source", SOURCES)
def test_rendered_manifests_match_the_kubernetes_schema(source: str, version: str) -> None:
    resources = rendered(source)
    kinds = {r["kind"] for r in resources}
    assert {"Deployment", "StatefulSet", "Job", "Service", "PodDisruptionBudget"} <= kinds
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


def test_a_broken_manifest_is_refused_by_the_schema_check() -> None:
    (deployment,) = [r for r in base_resources() if r["kind"] == "Deployment"]
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "three"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("source", SOURCES)
def test_every_pod_runs_as_non_root_with_nothing_to_escalate(source: str) -> None:
    for workload in workloads(rendered(source)):
        spec = pod_spec(workload)
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, workload["metadata"]
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in containers(workload):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, container["name"]
            assert security["readOnlyRootFilesystem"] is True, container["name"]
            assert security["capabilities"] == {"drop": ["ALL"]}, container["name"]
            assert security.get("runAsUser", pod["runAsUser"]) != 0


@pytest.mark.parametrize("source", SOURCES)
def test_every_container_has_requests_and_limits(source: str) -> None:
    for workload in workloads(rendered(source)):
        for container in containers(workload):
            resources = container["resources"]
            for kind in ("requests", "limits"):
                assert set(resources[kind]) >= {"cpu", "memory"}, (container["name"], kind)


@pytest.mark.parametrize("source", SOURCES)
def test_serving_pods_are_probed_on_the_port_they_serve_health_on(source: str) -> None:
    for workload in long_running(rendered(source)):
        (container,) = pod_spec(workload)["containers"]
        args = command_line(container)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        # Health binds loopback unless told otherwise: the kubelet probes from outside the pod.
        assert option(args, "--metrics-host") == "0.0.0.0"
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = container[probe]["httpGet"]
            assert get["path"] == path, (workload["metadata"]["name"], probe)
            assert ports[get["port"]] == int(option(args, "--metrics-port"))


@pytest.mark.parametrize("source", SOURCES)
def test_every_secret_comes_from_a_secret(source: str) -> None:
    secret_settings = {
        name.upper()
        for name, field in Settings.model_fields.items()
        if SecretStr in (field.annotation, *getattr(field.annotation, "__args__", ()))
    }
    resources = rendered(source)
    used = set()
    for workload in workloads(resources):
        for container in containers(workload):
            assert "envFrom" not in container, "name each variable, so none is set by accident"
            for env in container.get("env", []):
                name = env["name"]
                if name in secret_settings or SECRET_NAME.search(name):
                    assert "value" not in env, f"{name} is written into the manifest"
                    assert "secretKeyRef" in env["valueFrom"], name
                    used.add(name)
    assert used >= {"GROUPBOT_DATABASE_URL", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"}


def test_the_overlays_secret_holds_every_required_key() -> None:
    resources = rendered("overlay")
    secrets = {r["metadata"]["name"]: r for r in resources if r["kind"] == "Secret"}
    for workload in workloads(resources):
        for container in containers(workload):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref is None:
                    continue
                assert ref["name"] in secrets, ref
                if not ref.get("optional"):
                    assert ref["key"] in secrets[ref["name"]]["data"], ref


@pytest.mark.parametrize("source", SOURCES)
def test_images_are_pinned(source: str) -> None:
    for workload in workloads(rendered(source)):
        for container in containers(workload):
            image = container["image"]
            name, _, tag = image.split("@")[0].rpartition(":")
            assert name and tag and tag != "latest", image
            assert tag == VERSION, f"{image}: tag the image with the project's version"


@pytest.mark.parametrize("source", SOURCES)
def test_services_and_budgets_select_their_pods(source: str) -> None:
    resources = rendered(source)
    pods = {w["metadata"]["name"]: w for w in long_running(resources)}
    budgets = [r for r in resources if r["kind"] == "PodDisruptionBudget"]
    services = [r for r in resources if r["kind"] == "Service"]
    for name, workload in pods.items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert workload["spec"]["selector"]["matchLabels"].items() <= labels.items()
        chosen = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(chosen) == 1, f"{name} needs exactly one PodDisruptionBudget"
        served = [s for s in services if s["spec"]["selector"].items() <= labels.items()]
        assert served, f"{name} has no Service"
        ports = {p["name"] for p in pod_spec(workload)["containers"][0]["ports"]}
        for service in served:
            assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports
    (slack,) = [w for w in pods.values() if w["kind"] == "Deployment"]
    assert slack["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    (discord_budget,) = [b for b in budgets if "discord" in b["metadata"]["name"]]
    assert discord_budget["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("source", SOURCES)
def test_migrations_run_in_their_own_job_and_nowhere_else(source: str) -> None:
    resources = workloads(rendered(source))
    (job,) = [r for r in resources if r["kind"] == "Job"]
    (container,) = pod_spec(job)["containers"]
    assert command_line(container) == ["db", "upgrade"]
    assert pod_spec(job)["restartPolicy"] in ("OnFailure", "Never")
    for workload in long_running(resources):
        for other in containers(workload):
            assert "upgrade" not in command_line(other), workload["metadata"]["name"]


@pytest.mark.parametrize("source", SOURCES)
def test_the_rulebook_in_the_config_map_is_valid(source: str, tmp_path: Path) -> None:
    (config,) = [r for r in rendered(source) if r["kind"] == "ConfigMap"]
    path = tmp_path / "rulebook.toml"
    path.write_text(config["data"]["rulebook.toml"], encoding="utf-8")
    assert load_rulebook(path).shadow_mode is True


# --------------------------------------------------------------------------- Discord shards


def discord_statefulset(source: str) -> dict[str, Any]:
    """The Discord StatefulSet as rendered."""
    (statefulset,) = [r for r in rendered(source) if r["kind"] == "StatefulSet"]
    return statefulset


def shards_of(
    container: dict[str, Any], ordinal: int, count: int, processes: int, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run the container's start script for one pod, with a groupbot that prints its arguments."""
    fake = tmp_path / "bin" / "groupbot"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "POD_NAME": f"groupbot-discord-{ordinal}",
        "SHARD_COUNT": str(count),
        "SHARD_PROCESSES": str(processes),
    }
    return subprocess.run(
        container["command"], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def shard_map(
    container: dict[str, Any], count: int, processes: int, tmp_path: Path
) -> dict[int, list[int]]:
    """Which shards each pod ordinal runs, read from the arguments it hands groupbot."""
    mapping = {}
    for ordinal in range(processes):
        done = shards_of(container, ordinal, count, processes, tmp_path)
        assert done.returncode == 0, done.stderr
        args = done.stdout.split()
        assert args[:2] == ["run", "discord"]
        assert option(args, "--shard-count") == str(count)
        mapping[ordinal] = [int(s) for s in option(args, "--shard-ids").split(",")]
    return mapping


@pytest.mark.parametrize("source", SOURCES)
def test_the_statefulsets_pods_cover_every_shard_once(source: str, tmp_path: Path) -> None:
    statefulset = discord_statefulset(source)
    (container,) = pod_spec(statefulset)["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    replicas = statefulset["spec"]["replicas"]
    assert int(env["SHARD_PROCESSES"]) == replicas, "SHARD_PROCESSES must equal replicas"
    count = int(env["SHARD_COUNT"])
    mapping = shard_map(container, count, replicas, tmp_path)
    every = sorted(s for shards in mapping.values() for s in shards)
    assert every == list(range(count))


@pytest.mark.parametrize(
    ("count", "processes", "expected"),
    [
        (1, 1, {0: [0]}),
        (4, 2, {0: [0, 2], 1: [1, 3]}),
        (5, 2, {0: [0, 2, 4], 1: [1, 3]}),
        (16, 3, {0: [0, 3, 6, 9, 12, 15], 1: [1, 4, 7, 10, 13], 2: [2, 5, 8, 11, 14]}),
    ],
)
def test_a_pods_ordinal_picks_its_shards(
    count: int, processes: int, expected: dict[int, list[int]], tmp_path: Path
) -> None:
    (container,) = pod_spec(discord_statefulset("base"))["containers"]
    assert shard_map(container, count, processes, tmp_path) == expected


def test_a_pod_beyond_the_shard_count_refuses_to_start(tmp_path: Path) -> None:
    (container,) = pod_spec(discord_statefulset("base"))["containers"]
    done = shards_of(container, 3, 2, 4, tmp_path)
    assert done.returncode == 2
    assert "groupbot-discord-3 has no shard" in done.stderr
    assert done.stdout == ""


def test_the_overlay_only_patches_what_exists() -> None:
    (kustomization,) = load_all(OVERLAY / "kustomization.yaml")
    names = {r["metadata"]["name"] for r in base_resources()}
    for replica in kustomization["replicas"]:
        assert replica["name"] in names
    assert (OVERLAY / "groupbot.env.example").is_file()
    assert (BASE / "rulebook.toml").is_file()
