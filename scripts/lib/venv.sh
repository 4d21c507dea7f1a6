# shellcheck shell=bash
# The project's virtual environment, shared by scripts/demo, scripts/test and scripts/kb.
#
# Sourced, not run. `kb_venv_ensure EXTRAS` makes "$KB_VENV" (default ./.venv) exist and hold
# the package installed in editable mode with the given extras ("" or "test"), then sets
# KB_VENV_PYTHON. Why a venv and not `pip install` into whatever python3 is on PATH: a
# distribution's own Python (Debian 12 and later, Ubuntu 23.04 and later) is "externally
# managed" (PEP 668) and refuses pip installs, and installing into a pyenv or conda base
# would mix this project's pins into other work.
#
# The interpreter is the first Python 3.11 or newer among $KB_PYTHON, python3, python3.13,
# python3.12, python3.11 and python on PATH, so an activated pyenv or conda environment wins
# over the system one. An existing venv is reused as it is, whoever created it; pip runs only
# when pyproject.toml or the extras changed since the last install (a stamp in the venv
# records their hash) and the installed package no longer satisfies them. pip runs without
# -q: on a first install it downloads about 3 GB (torch), and a silent terminal looks hung.

KB_ROOT="${KB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
KB_VENV="${KB_VENV:-$KB_ROOT/.venv}"
KB_MIN_PYTHON="3.11"
KB_VENV_STAMP="$KB_VENV/.kb-install-stamp"

kb_say() { printf '%s\n' "$*" >&2; }

# Prints the path of the first Python >= 3.11; returns 1 (after saying what it found) when none.
kb_find_python() {
    local candidate path version found=""
    for candidate in ${KB_PYTHON:-} python3 python3.13 python3.12 python3.11 python; do
        path="$(command -v "$candidate" 2>/dev/null)" || continue
        version="$("$path" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || continue
        case "$version" in
            3.1[1-9] | 3.[2-9][0-9] | [4-9].*)
                printf '%s\n' "$path"
                return 0
                ;;
        esac
        found="$found $candidate=$version"
    done
    kb_say "error: this project needs Python $KB_MIN_PYTHON or newer; found${found:- no Python on PATH}."
    kb_say "  Debian/Ubuntu: apt-get install python3 python3-venv (Debian 12 ships 3.11)."
    kb_say "  Elsewhere: pyenv install 3.11, or a conda environment with python=3.11; or set KB_PYTHON=/path/to/python3.11."
    return 1
}

# Creates "$KB_VENV" with `python -m venv`. A distribution Python without its venv package
# (Debian/Ubuntu split ensurepip into python3.X-venv) fails saying which package: installed
# with apt-get when root, otherwise the exact command is printed and this fails.
kb_venv_create() {
    local python="$1" output package
    kb_say "== creating the virtual environment $KB_VENV ($("$python" --version 2>&1), $python)"
    if output="$("$python" -m venv "$KB_VENV" 2>&1)"; then
        return 0
    fi
    rm -rf "$KB_VENV"
    package="$(printf '%s\n' "$output" | grep -o 'install python3[.0-9]*-venv' | tail -n 1 | cut -d' ' -f2)"
    if [ -z "$package" ]; then
        kb_say "$output"
        kb_say "error: '$python -m venv' failed (above). Install the venv module for that Python, or set KB_PYTHON to another Python 3.11+."
        return 1
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        kb_say "== apt-get install $package ('$python -m venv' needs it)"
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package"; } >&2 \
            || { kb_say "error: apt-get install $package failed"; return 1; }
        "$python" -m venv "$KB_VENV" >&2 && return 0
        rm -rf "$KB_VENV"
        kb_say "error: '$python -m venv' still fails after installing $package"
        return 1
    fi
    kb_say "error: '$python -m venv' needs the $package package ($python has no ensurepip). Install it with:"
    kb_say "  sudo apt-get install $package"
    kb_say "then run this command again."
    return 1
}

# The hash of what the install depends on: pyproject.toml and the extras asked for.
kb_venv_wanted_stamp() {
    local extras="$1"
    { cat "$KB_ROOT/pyproject.toml"; printf '\nextras=%s\nroot=%s\n' "$extras" "$KB_ROOT"; } | cksum | cut -d' ' -f1
}

# True when the venv already holds this checkout in editable mode, with every requirement of
# the extras satisfied: a venv made before stamps existed (or by hand) is adopted without pip.
# The reason when not is left in .kb-install-check for the message. -I: the checkout's own
# luohu_kb.egg-info in the working directory must not stand in for the venv's install.
kb_venv_satisfied() {
    local extras="$1"
    "$KB_VENV/bin/python" -I - "$KB_ROOT" "$extras" <<'PY' >/dev/null 2>"$KB_VENV/.kb-install-check"
import json
import sys
import tomllib
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # a fresh venv has packaging only inside pip
    from pip._vendor.packaging.requirements import Requirement

root, extras = Path(sys.argv[1]).resolve(), {e for e in sys.argv[2].split(",") if e}
project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
try:
    dist = metadata.distribution(project["name"])
except metadata.PackageNotFoundError:
    sys.exit(f"{project['name']} is not installed yet")
direct = json.loads(dist.read_text("direct_url.json") or "{}")
if not direct.get("dir_info", {}).get("editable") or Path(direct["url"].removeprefix("file://")).resolve() != root:
    sys.exit("not an editable install of this checkout")
if dist.version != project["version"]:
    sys.exit("another version")
if any(not (Path(sys.prefix) / "bin" / name).exists() for name in project.get("scripts", {})):
    sys.exit("a console script is missing")
requirements = list(project["dependencies"])
for extra in extras:
    requirements += project["optional-dependencies"][extra]
seen = set()
while requirements:
    req = Requirement(requirements.pop())
    if req.marker and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        installed = metadata.distribution(req.name)
    except metadata.PackageNotFoundError:
        sys.exit(f"{req.name} is not installed")
    if not req.specifier.contains(installed.version, prereleases=True):
        sys.exit(f"{req.name} {installed.version} does not satisfy {req}")
    for extra in {(req.name, e) for e in req.extras} - seen:  # psycopg[binary] needs psycopg-binary too
        seen.add(extra)
        for line in installed.requires or []:
            sub = Requirement(line)
            if sub.marker and sub.marker.evaluate({"extra": extra[1]}) and not sub.marker.evaluate({"extra": ""}):
                requirements.append(str(sub).split(";")[0])
PY
}

# Makes the venv exist and hold the package with the extras ("" or "test"); sets KB_VENV_PYTHON.
kb_venv_ensure() {
    local extras="${1:-}" python wanted spec="."
    if [ ! -x "$KB_VENV/bin/python" ]; then
        python="$(kb_find_python)" || return 1
        kb_venv_create "$python" || return 1
    elif ! "$KB_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        kb_say "error: $KB_VENV holds $("$KB_VENV/bin/python" --version 2>&1), this project needs Python $KB_MIN_PYTHON+."
        kb_say "  Remove it (rm -rf $KB_VENV) and run this command again to make a new one."
        return 1
    fi
    KB_VENV_PYTHON="$KB_VENV/bin/python"
    wanted="$(kb_venv_wanted_stamp "$extras")"
    if [ "$(cat "$KB_VENV_STAMP" 2>/dev/null)" = "$wanted" ]; then
        return 0
    fi
    if kb_venv_satisfied "$extras"; then
        printf '%s\n' "$wanted" >"$KB_VENV_STAMP"
        return 0
    fi
    [ -n "$extras" ] && spec=".[$extras]"
    kb_say "== pip install -e '$spec' into $KB_VENV ($(tail -n 1 "$KB_VENV/.kb-install-check" 2>/dev/null))"
    kb_say "   a first install downloads about 3 GB (torch) and takes several minutes"
    (cd "$KB_ROOT" && "$KB_VENV_PYTHON" -m pip install --disable-pip-version-check -e "$spec") >&2 \
        || { kb_say "error: pip install -e '$spec' failed (see above)"; return 1; }
    printf '%s\n' "$wanted" >"$KB_VENV_STAMP"
}
