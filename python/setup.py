"""Builds the tspar library with cargo and bundles it into the package.

The package is built from this source tree: the Rust crate is the parent
directory of python/ (its Cargo.toml). ``pip install ./python`` runs
``cargo build --release --lib`` there and copies ``libtspar.so`` and the
C header ``include/tspar.h`` into the package, so the wheel carries the
library it binds (through cffi, in ABI mode: no C compiler is needed).

``TSPAR_PREBUILT_LIB=/path/to/libtspar.so`` skips cargo and bundles that
library instead (the test script uses it to avoid building twice).
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class BuildWithCargo(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "tspar"
        target.mkdir(parents=True, exist_ok=True)
        prebuilt = os.environ.get("TSPAR_PREBUILT_LIB")
        if prebuilt:
            lib = Path(prebuilt)
            if not lib.is_file():
                raise SystemExit(f"TSPAR_PREBUILT_LIB={prebuilt}: no such file")
        else:
            if not (ROOT / "Cargo.toml").is_file():
                raise SystemExit(
                    f"tspar builds from its source tree: no Cargo.toml in {ROOT} "
                    "(install from the repository: pip install ./python)"
                )
            cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
            subprocess.run([cargo, "build", "--release", "--lib"], cwd=ROOT, check=True)
            target_dir = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
            lib = target_dir / "release" / "libtspar.so"
        shutil.copyfile(lib, target / "libtspar.so")
        shutil.copyfile(ROOT / "include" / "tspar.h", target / "tspar.h")


class BinaryDistribution(Distribution):
    """The wheel holds a native library: platform-specific, not pure."""

    def has_ext_modules(self):
        return True


try:
    from wheel.bdist_wheel import bdist_wheel as _bdist_wheel

    class BdistWheel(_bdist_wheel):
        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            _, _, plat = super().get_tag()
            # ABI mode: the library is loaded with dlopen, so any CPython 3 fits.
            return "py3", "none", plat

    cmdclass = {"build_py": BuildWithCargo, "bdist_wheel": BdistWheel}
except ImportError:  # pragma: no cover
    cmdclass = {"build_py": BuildWithCargo}

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
