"""The build backend of loss-service-client (PEP 517 and PEP 660), on the standard library only.

The package is pure Python: its wheel is the package's files and the metadata, zipped. Building needs nothing that
is not already there, so ``pip install ./clients/python`` works in a fresh virtual environment without network
access and without ``setuptools`` or ``wheel`` (a fresh Debian venv has neither). pyproject.toml points pip here
with ``backend-path``; ``requires`` is empty.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "loss_service_client"
TAG = "py3-none-any"
# Files get this time in archives (or SOURCE_DATE_EPOCH), so that the same sources give the same bytes.
DEFAULT_EPOCH = 315532800  # 1980-01-01, the earliest a zip can say


# ---- metadata -----------------------------------------------------------------------------------------------------


def _project() -> Dict[str, object]:
    """The [project] table of pyproject.toml (tomllib where there is one, else the few forms this file uses)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return _read_project_table(text)
    return tomllib.loads(text)["project"]


def _read_project_table(text: str) -> Dict[str, object]:
    project: Dict[str, object] = {}
    table: Optional[str] = None
    key: Optional[str] = None
    buffer = ""
    for line in text.splitlines():
        stripped = line.split(" #")[0].strip()
        if key is not None:  # inside a multi-line array
            buffer += " " + stripped
            if "]" in stripped:
                _store(project, table, key, buffer)
                key = None
            continue
        header = re.fullmatch(r"\[\[?([^\]]+)\]\]?", stripped)  # [table] or [[array of tables]]
        if header:
            table = header.group(1)
            continue
        if not table or not table.startswith("project") or "=" not in stripped:
            continue
        name, value = (part.strip() for part in stripped.split("=", 1))
        if value.startswith("[") and "]" not in value:
            key, buffer = name, value
        else:
            _store(project, table, name, value)
    return project


def _store(project: Dict[str, object], table: Optional[str], name: str, value: str) -> None:
    if value.startswith("["):
        parsed: object = re.findall(r'"([^"]*)"', value)
    else:
        parsed = value.strip('"')
    if table == "project":
        project[name.strip('"')] = parsed
    elif table and table.startswith("project."):
        project.setdefault(table[len("project."):], {})[name.strip('"')] = parsed  # type: ignore[index]


def _name_and_version() -> Tuple[str, str]:
    project = _project()
    return str(project["name"]), str(project["version"])


def _distribution() -> str:
    name, _ = _name_and_version()
    return re.sub(r"[-_.]+", "_", name).lower()


def _metadata() -> str:
    project = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    for classifier in project.get("classifiers") or ():  # type: ignore[union-attr]
        lines.append(f"Classifier: {classifier}")
    for requirement in project.get("dependencies") or ():  # type: ignore[union-attr]
        lines.append(f"Requires-Dist: {requirement}")
    for extra, requirements in (project.get("optional-dependencies") or {}).items():  # type: ignore[union-attr]
        lines.append(f"Provides-Extra: {extra}")
        for requirement in requirements:
            lines.append(f'Requires-Dist: {requirement}; extra == "{extra}"')
    readme = project.get("readme")
    if isinstance(readme, str) and (ROOT / readme).is_file():
        lines.append("Description-Content-Type: text/markdown")
        return "\n".join(lines) + "\n\n" + (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n"


def _wheel_file() -> str:
    return f"Wheel-Version: 1.0\nGenerator: {PACKAGE}_backend\nRoot-Is-Purelib: true\nTag: {TAG}\n"


def _dist_info() -> str:
    name, version = _name_and_version()
    return f"{_distribution()}-{version}.dist-info"


# ---- archives -----------------------------------------------------------------------------------------------------


def _epoch() -> int:
    return max(DEFAULT_EPOCH, int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)))


def _package_files() -> List[Path]:
    files = [path for path in sorted((ROOT / PACKAGE).rglob("*"))
             if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")]
    return files


class _Wheel:
    """A wheel being written: every file is recorded with its hash for RECORD."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.records: List[Tuple[str, str, str]] = []
        self.date = time.gmtime(_epoch())[:6]

    def add(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=self.date)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
        self.records.append((name, f"sha256={digest}", str(len(data))))

    def close(self, dist_info: str) -> None:
        record = io.StringIO()
        writer = csv.writer(record, lineterminator="\n")
        writer.writerows(self.records)
        writer.writerow((f"{dist_info}/RECORD", "", ""))
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=self.date)
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, record.getvalue())
        self.zip.close()


def _write_wheel(wheel_directory: str, contents: Iterable[Tuple[str, bytes]]) -> str:
    _, version = _name_and_version()
    basename = f"{_distribution()}-{version}-{TAG}.whl"
    wheel = _Wheel(Path(wheel_directory) / basename)
    for name, data in contents:
        wheel.add(name, data)
    dist_info = _dist_info()
    wheel.add(f"{dist_info}/METADATA", _metadata().encode("utf-8"))
    wheel.add(f"{dist_info}/WHEEL", _wheel_file().encode("utf-8"))
    wheel.add(f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode("utf-8"))
    wheel.close(dist_info)
    return basename


# ---- PEP 517 ------------------------------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    dist_info = Path(metadata_directory) / _dist_info()
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata(), encoding="utf-8")
    (dist_info / "WHEEL").write_text(_wheel_file(), encoding="utf-8")
    return dist_info.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, ((path.relative_to(ROOT).as_posix(), path.read_bytes())
                                          for path in _package_files()))


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    """A wheel whose only file is a .pth putting this checkout on sys.path (PEP 660)."""
    return _write_wheel(wheel_directory, [(f"_{PACKAGE}_editable.pth", (str(ROOT) + "\n").encode("utf-8"))])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    _, version = _name_and_version()
    base = f"{_distribution()}-{version}"
    files = [ROOT / "pyproject.toml", ROOT / "README.md", Path(__file__).resolve()] + _package_files()
    path = Path(sdist_directory) / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{base}/{name}")
            info.size, info.mtime, info.mode = len(data), _epoch(), 0o644
            archive.addfile(info, io.BytesIO(data))

        for file in files:
            add(file.relative_to(ROOT).as_posix(), file.read_bytes())
        add("PKG-INFO", _metadata().encode("utf-8"))
    return path.name
