"""The `kvspec` console entry point: runs the C++ CLI shipped in this package (kvspec/bin/kvspec), so its
output and exit codes (0 ok, 2 bad input, 1 internal) are the CLI's own."""
import os
import sys


def main() -> None:
    exe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "kvspec")
    if not os.access(exe, os.X_OK):
        sys.stderr.write(f"kvspec: the bundled CLI {exe} is missing; reinstall the package (pip install .)\n")
        sys.exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, ["kvspec", *sys.argv[1:]])


if __name__ == "__main__":
    main()
