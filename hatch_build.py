"""Wheel build hook: compile the detectors with mypyc into the wheel (classify's fast path).

A wheel built from this tree (`pip install .`, `pip wheel .`, the Dockerfile) carries
groupbot/_accel, built by scripts/build_accel.py from the very detector sources it ships, so a
regular install runs `groupbot classify` at compiled speed. Without a C compiler the build says so
and the wheel stays pure Python (same verdicts, slower). Editable installs are left alone:
`make accel` builds in place for them. GROUPBOT_BUILD_PURE=1 skips the compilation.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SKIP_ENV = "GROUPBOT_BUILD_PURE"


def _build_accel(root: Path) -> ModuleType:
    """scripts/build_accel.py, loaded by path (scripts/ is not a package)."""
    path = root / "scripts" / "build_accel.py"
    spec = importlib.util.spec_from_file_location("_groupbot_build_accel", path)
    if not path.is_file() or spec is None or spec.loader is None:
        raise FileNotFoundError(f"{path} is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class AccelBuildHook(BuildHookInterface[Any]):
    """Adds the compiled detectors to regular wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile into a staging directory and map its files into the wheel."""
        if self.target_name != "wheel" or version == "editable":
            return
        if os.environ.get(SKIP_ENV, "").strip() not in ("", "0"):
            self.app.display_info(f"groupbot: {SKIP_ENV} set, building a pure Python wheel")
            return
        self._staging = Path(tempfile.mkdtemp(prefix="groupbot-wheel-accel-"))
        target = self._staging / "_accel"
        try:
            built = self._compile(Path(self.root), target)
        except (SystemExit, Exception) as failed:  # no compiler, mypyc refused, files missing
            self.app.display_warning(f"groupbot: {failed}; the wheel stays pure Python")
            return
        if not built:
            self.app.display_warning("groupbot: mypyc built nothing; the wheel stays pure Python")
            return
        for path in sorted(p for p in target.rglob("*") if p.is_file()):
            relative = path.relative_to(target).as_posix()
            build_data["force_include"][str(path)] = f"groupbot/_accel/{relative}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        self.app.display_info(f"groupbot: compiled detectors added ({len(built)} modules)")

    @staticmethod
    def _compile(root: Path, target: Path) -> list[Path]:
        """Build the compiled detectors into target; return the extension modules built."""
        build_accel = _build_accel(root)
        with tempfile.TemporaryDirectory(prefix="groupbot-accel-") as tmp:
            scratch = Path(tmp)
            built: list[Path] = build_accel.build(scratch)
            if built:
                build_accel.install(scratch, built, build_accel.digest(), target)
        return built

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the staging directory."""
        staging = getattr(self, "_staging", None)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
