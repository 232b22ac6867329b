"""`pip install` of this checkout into a fresh venv, then kvspec used from outside the source tree: the module
(a figure worked out by hand) and the `kvspec` console entry (the C++ CLI's output and exit codes).

Usage: package_test.py SOURCE_DIR (run by CTest, label `package`, with the Python the build found). The tree is
copied to a temporary folder first so the checkout stays clean; ccache (CCACHE_BASEDIR) makes rebuilds cheap.
Exits 77 (skipped) when that Python cannot build offline: no venv, setuptools or wheel.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
# Gemma-3-12B (the bundled example) at 32k tokens, f16: 2 (K, V) x 8 KV heads x 256 x 2 B = 8192 B per layer
# and token; 40 sliding layers x 1024 + 8 full layers x 32768 tokens.
EXPECTED = 40 * 1024 * 8192 + 8 * 32768 * 8192


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], text=True, capture_output=True, **kw)


def main():
    source = pathlib.Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="kvspec-package-") as tmp:
        tmp = pathlib.Path(tmp)
        tree = tmp / "src"
        top = {".git", ".cache", "bench", "fuzz", "docs"}  # and the build folders, /build*/ (src/spec/build.hpp stays)

        def ignore(folder, names):
            at_top = pathlib.Path(folder).resolve() == source
            return [n for n in names if n == "__pycache__" or n.endswith(".egg-info") or n.endswith(".so")
                    or (at_top and (n in top or n.startswith("build")))]

        shutil.copytree(source, tree, ignore=ignore)
        venv = tmp / "venv"
        made = run([sys.executable, "-m", "venv", "--system-site-packages", venv])
        if made.returncode != 0:
            print(f"SKIP: python3 -m venv failed (python3-venv?):\n{made.stderr}")
            return SKIP
        py = venv / "bin" / "python"
        have = run([py, "-c", "import setuptools, wheel"])
        if have.returncode != 0:
            print(f"SKIP: {sys.executable} has no setuptools or wheel (python3-setuptools, python3-wheel):\n"
                  f"{have.stderr}")
            return SKIP
        env = dict(os.environ, CCACHE_BASEDIR=str(tmp), CMAKE_BUILD_PARALLEL_LEVEL="2", PIP_NO_INDEX="1",
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.pop("PYTHONPATH", None)
        pip = run([py, "-m", "pip", "install", "--no-build-isolation", "--no-deps", tree], env=env, cwd=tmp)
        if pip.returncode != 0:
            print(pip.stdout, pip.stderr)
            return 1
        outside = tmp / "elsewhere"
        outside.mkdir()
        check = ("import kvspec, pathlib; spec = kvspec.inspect(context='32k');"
                 "print(spec['cache']['total_bytes'], pathlib.Path(kvspec.__file__).resolve());"
                 "assert (pathlib.Path(kvspec.__file__).parent / 'py.typed').exists()")
        got = run([py, "-c", check], env=env, cwd=outside)
        if got.returncode != 0:
            print(got.stdout, got.stderr)
            return 1
        total, where = got.stdout.split()
        assert int(total) == EXPECTED, (total, EXPECTED)
        assert pathlib.Path(where).is_relative_to(venv.resolve()), where  # installed, not the checkout
        cli = venv / "bin" / "kvspec"
        ok = run([cli, "inspect", "--context", "32k"], env=env, cwd=outside)
        assert ok.returncode == 0, (ok.returncode, ok.stderr)
        assert f"{EXPECTED} B" in ok.stdout, ok.stdout
        bad = run([cli, "inspect", "--context", "lots"], env=env, cwd=outside)
        assert bad.returncode == 2, (bad.returncode, bad.stderr)  # bad input, as the C++ CLI
        assert "--context" in bad.stderr, bad.stderr
        print(f"ok: kvspec installed in {venv}, {EXPECTED} B from the module and the CLI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
