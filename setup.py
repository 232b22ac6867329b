"""Builds kvspec._kvspec and the CLI with this tree's CMake (tests and benchmarks off) for the running Python,
and puts both in the package: the extension beside __init__.py, the CLI as kvspec/bin/kvspec (the console entry
kvspec._cli:main runs it). Metadata is in pyproject.toml.

Environment: KVSPEC_CMAKE_ARGS (extra -D options), CMAKE_BUILD_PARALLEL_LEVEL (jobs; default 2).
"""
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        build = pathlib.Path(self.build_temp).resolve() / "cmake"
        configure = ["cmake", "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                     "-DKVSPEC_BUILD_TESTS=OFF", "-DKVSPEC_BUILD_BENCH=OFF", "-DKVSPEC_BUILD_PYTHON=ON",
                     f"-DPython3_EXECUTABLE={sys.executable}"]
        if shutil.which("ccache") and "CMAKE_CXX_COMPILER_LAUNCHER" not in os.environ:
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        configure += shlex.split(os.environ.get("KVSPEC_CMAKE_ARGS", ""))
        subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or "2"
        subprocess.run(["cmake", "--build", str(build), "--target", "kvspec_python", "kvspec_cli", "-j", jobs],
                       check=True)
        built = build / "python" / "kvspec" / target.name
        if not built.exists():
            sys.exit(f"kvspec: CMake did not build {built} (is pybind11-dev installed, and python3-dev for "
                     f"{sys.executable}?)")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)
        bin_dir = target.parent / "bin"
        bin_dir.mkdir(exist_ok=True)
        shutil.copy2(build / "kvspec", bin_dir / "kvspec")


setup(
    ext_modules=[Extension("kvspec._kvspec", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": "build-pip"}},
)
