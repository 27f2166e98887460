"""The package builds with its own backend (standard library only) and installs into a fresh virtual environment
without network access (no loss-service needed)."""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import loss_service_client

ROOT = Path(__file__).resolve().parents[1]


def load_backend():
    spec = importlib.util.spec_from_file_location("loss_service_client_backend",
                                                  ROOT / "_build" / "loss_service_client_backend.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class WheelTests(unittest.TestCase):

    def test_the_wheel_holds_every_module_and_a_correct_record(self) -> None:
        backend = load_backend()
        self.assertEqual(backend.get_requires_for_build_wheel(), [], "nothing to download to build")
        with tempfile.TemporaryDirectory() as directory:
            name = backend.build_wheel(directory)
            self.assertEqual(name, f"loss_service_client-{loss_service_client.__version__}-py3-none-any.whl")
            with zipfile.ZipFile(Path(directory) / name) as wheel:
                names = set(wheel.namelist())
                modules = {f"loss_service_client/{path.name}" for path in (ROOT / "loss_service_client").glob("*.py")}
                self.assertLessEqual(modules | {"loss_service_client/py.typed"}, names)
                dist_info = f"loss_service_client-{loss_service_client.__version__}.dist-info"
                metadata = wheel.read(f"{dist_info}/METADATA").decode("utf-8")
                record = list(csv.reader(io.StringIO(wheel.read(f"{dist_info}/RECORD").decode("utf-8"))))
                for path, digest, size in record:
                    if path.endswith("RECORD"):
                        continue
                    data = wheel.read(path)
                    expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    self.assertEqual((digest, int(size)), (f"sha256={expected}", len(data)), path)
                self.assertEqual({row[0] for row in record}, names)
        self.assertIn(f"Version: {loss_service_client.__version__}\n", metadata)
        self.assertIn("Name: loss-service-client\n", metadata)
        self.assertIn('Requires-Dist: numpy; extra == "numpy"', metadata)

    def test_pyproject_is_read_alike_with_and_without_tomllib(self) -> None:
        backend = load_backend()
        text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        fallback = backend._read_project_table(text)
        self.assertEqual(fallback["version"], loss_service_client.__version__)
        try:
            import tomllib
        except ImportError:
            self.skipTest("tomllib is Python 3.11's")
        self.assertEqual(fallback, tomllib.loads(text)["project"])


class VirtualEnvironmentTests(unittest.TestCase):

    def test_pip_installs_the_package_into_a_fresh_venv_without_an_index(self) -> None:
        if importlib.util.find_spec("ensurepip") is None:
            self.skipTest("this Python has no ensurepip (Debian: apt-get install python3-venv)")
        environment = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
        environment.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
        with tempfile.TemporaryDirectory() as directory:
            venv = Path(directory) / "venv"
            made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True,
                                  timeout=300)
            if made.returncode != 0:  # Debian's python3 without python3-venv, say
                self.skipTest(f"{sys.executable} -m venv fails here: {made.stdout}{made.stderr}".strip())
            python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
            installed = subprocess.run([str(python), "-m", "pip", "install", "--no-index", str(ROOT)],
                                       env=environment, capture_output=True, text=True, timeout=300)
            self.assertEqual(installed.returncode, 0, installed.stdout + installed.stderr)
            imported = subprocess.run([str(python), "-c", "import loss_service_client as c, inspect; "
                                       "print(c.__version__, c.__file__, inspect.signature(c.nll))"],
                                      env=environment, capture_output=True, text=True, timeout=60, cwd=directory)
        self.assertEqual(imported.returncode, 0, imported.stderr)
        self.assertIn(loss_service_client.__version__, imported.stdout)
        self.assertIn("site-packages", imported.stdout, "the installed copy, not the checkout")
        self.assertIn("log_probabilities", imported.stdout)


if __name__ == "__main__":
    unittest.main()
