"""An export laid out as files: an unzipped folder or a ZIP archive, read member by member."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

__all__ = ["ExportTree", "FolderTree", "ZipTree", "open_tree"]


class ExportTree:
    """Files of an export by their path relative to its root, e.g. `general/2024-01-02.json`."""

    label: str

    def exists(self, name: str) -> bool:
        """Whether the export has this file."""
        raise NotImplementedError

    def read(self, name: str) -> bytes:
        """The file's bytes."""
        raise NotImplementedError

    def files_in(self, folder: str) -> list[str]:
        """The files directly inside a folder, sorted by name."""
        raise NotImplementedError

    def folders(self) -> list[str]:
        """The top-level folders, sorted."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the archive, if any."""

    def reopen(self) -> None:
        """Open the archive again (a forked process: the file position is not shared)."""


class FolderTree(ExportTree):
    """An unzipped export."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def read(self, name: str) -> bytes:
        return (self.root / name).read_bytes()

    def files_in(self, folder: str) -> list[str]:
        base = self.root / folder
        if not base.is_dir():
            return []
        return sorted(f"{folder}/{p.name}" for p in base.iterdir() if p.is_file())

    def folders(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())


class ZipTree(ExportTree):
    """A ZIP archive as Slack hands it out; one enclosing folder inside it is looked through."""

    def __init__(self, path: Path) -> None:
        self.label = str(path)
        self._zip = zipfile.ZipFile(path)
        names = [n for n in self._zip.namelist() if not n.endswith("/")]
        self._prefix = _common_root(names)
        self._files: dict[str, str] = {n[len(self._prefix) :]: n for n in names}
        self._by_folder: dict[str, list[str]] = {}
        for rel in self._files:
            parent = str(PurePosixPath(rel).parent)
            self._by_folder.setdefault(parent, []).append(rel)
        for members in self._by_folder.values():
            members.sort()

    def exists(self, name: str) -> bool:
        return name in self._files

    def read(self, name: str) -> bytes:
        return self._zip.read(self._files[name])

    def files_in(self, folder: str) -> list[str]:
        return list(self._by_folder.get(folder, []))

    def folders(self) -> list[str]:
        return sorted(f for f in self._by_folder if f != "." and "/" not in f)

    def close(self) -> None:
        self._zip.close()

    def reopen(self) -> None:
        self._zip = zipfile.ZipFile(self.label)


def _common_root(names: list[str]) -> str:
    """`export/` when every member sits in one folder holding the export's own JSON files."""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        top = next(iter(tops))
        if any(n.count("/") == 1 and n.endswith(".json") for n in names):
            return top + "/"
    return ""


def open_tree(path: Path) -> ExportTree:
    """The folder, or the ZIP archive, at `path`."""
    return FolderTree(path) if path.is_dir() else ZipTree(path)


def iter_json_files(path: Path) -> Iterator[Path]:
    """`path` itself, or every .json file under it in name order."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*.json") if p.is_file())
    else:
        yield path
