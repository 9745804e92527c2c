#!/usr/bin/env bash
# Prints the path of a Python interpreter that has torch, numpy, scipy and POT, for
# bench/reference.py (measuring only: the library never needs Python). Usage:
#
#   FM_ANCHOR="$(bench/setup-python.sh) bench/reference.py" npx tsx bench/run.ts assignment
#
# Order of attempts: $FM_PYTHON if set; a virtual environment under
# ${FM_PYTHON_VENV:-~/.cache/flow-matching/bench-python}, created and filled with pip if
# needed (pip uses your pip configuration, so a local index or wheel directory works);
# a system python3 that already has the packages; Debian's packages (apt-get, as root).
# Progress goes to stderr; stdout is only the interpreter's path.
set -euo pipefail

packages=(torch numpy scipy pot)
# finds the modules without importing them (importing torch takes seconds on a busy machine)
has_all() {
  [ -x "$1" ] && "$1" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ("torch", "numpy", "scipy", "ot")))' >/dev/null 2>&1
}
say() { echo "setup-python: $*" >&2; }

if [ -n "${FM_PYTHON:-}" ]; then
  has_all "$FM_PYTHON" && { echo "$FM_PYTHON"; exit 0; }
  say "FM_PYTHON=$FM_PYTHON lacks one of torch, numpy, scipy, ot"; exit 1
fi

venv="${FM_PYTHON_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/flow-matching/bench-python}"
if has_all "$venv/bin/python"; then echo "$venv/bin/python"; exit 0; fi

system=$(command -v python3 || true)
if [ -n "$system" ]; then
  if has_all "$system"; then echo "$system"; exit 0; fi
  say "creating $venv and installing ${packages[*]} with pip (a few minutes the first time)"
  if "$system" -m venv "$venv" >&2 && "$venv/bin/python" -m pip install --quiet "${packages[@]}" >&2 && has_all "$venv/bin/python"; then
    echo "$venv/bin/python"; exit 0
  fi
  say "pip did not give a working environment"
fi

# Fallback: Debian's packages (older versions, needs root).
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  say "installing Debian's python3-torch python3-numpy python3-scipy python3-pot"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy python3-scipy python3-pot; } >&2 || true
  if has_all /usr/bin/python3; then echo /usr/bin/python3; exit 0; fi
fi
say "could not find or install a python with torch, numpy, scipy and POT; set FM_PYTHON to one"
exit 1
