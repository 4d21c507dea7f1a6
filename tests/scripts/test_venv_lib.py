"""scripts/lib/venv.sh, the virtual environment behind scripts/demo, scripts/test and scripts/kb.

Each case runs the shell functions with a PATH of fake programs (python3, id, apt-get) that
record how they were called, so the branches a new user meets on a stock machine (an old
python3 first on PATH, Debian's Python without python3-venv, as root or not) run here for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIB = ROOT / "scripts" / "lib" / "venv.sh"

DEBIAN_NO_ENSUREPIP = """The virtual environment was not created successfully because ensurepip is not
available.  On Debian/Ubuntu systems, you need to install the python3-venv
package using the following command.

    apt install python3.11-venv

You may need to use sudo with that command."""


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n", "utf-8")
    path.chmod(0o755)


def fake_python(bin_dir: Path, name: str, version: str, venv: str = 'mkdir -p "$3/bin"') -> None:
    """A python that answers the version query and runs ``venv`` as given (a shell snippet)."""
    fake(bin_dir, name, f"""echo "$0 $*" >> "{bin_dir}/calls"
case "$1" in
  -c) echo {version} ;;
  --version) echo "Python {version}.0" ;;
  -m) {venv} ;;
esac""")


def run(tmp_path: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    full_env = {"KB_ROOT": str(tmp_path / "root"), "KB_VENV": str(tmp_path / "root" / ".venv"),
                "HOME": str(tmp_path), **env}
    # the fakes come first; the system's tools (cat, cksum, grep...) after them, but no real python
    path = f"{bin_dir}:/usr/bin:/bin"
    return subprocess.run(
        ["/bin/bash", "-c", f'. "{LIB}"; PATH="{path}"; {script}'],
        env=full_env, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    (tmp_path / "bin").mkdir()
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    fake(tmp_path / "bin", "id", 'echo 1000')
    return tmp_path / "bin"


@pytest.mark.parametrize(
    ("installed", "chosen"),
    [
        ({"python3": "3.9", "python3.12": "3.12", "python3.11": "3.11"}, "python3.12"),
        ({"python3": "3.11"}, "python3"),
        ({"python3": "3.13", "python3.11": "3.11"}, "python3"),
        ({"python3": "3.10", "python3.11": "3.11"}, "python3.11"),
        ({"python3": "3.8", "python": "3.12"}, "python"),
    ],
)
def test_the_first_python_311_or_newer_is_chosen(tmp_path, bin_dir, installed, chosen):
    for name, version in installed.items():
        fake_python(bin_dir, name, version)
    # /usr/bin is on PATH for coreutils: shadow every name the search tries, so the
    # machine's own pythons never answer
    for name in ("python3", "python3.13", "python3.12", "python3.11", "python"):
        if name not in installed:
            fake(bin_dir, name, "exit 127")
    proc = run(tmp_path, "kb_find_python")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(bin_dir / chosen)


def test_no_recent_python_says_what_it_found_and_what_to_install(tmp_path, bin_dir):
    fake_python(bin_dir, "python3", "3.9")
    for name in ("python3.13", "python3.12", "python3.11", "python"):
        fake(bin_dir, name, "exit 127")
    proc = run(tmp_path, "kb_find_python")
    assert proc.returncode == 1
    assert "needs Python 3.11 or newer; found python3=3.9" in proc.stderr
    assert "apt-get install python3 python3-venv" in proc.stderr


def test_kb_python_overrides_the_search(tmp_path, bin_dir):
    for name in ("python3", "python3.13", "python3.12", "python3.11", "python"):
        fake_python(bin_dir, name, "3.12")
    fake_python(bin_dir, "mypython", "3.11")
    proc = run(tmp_path, "kb_find_python", KB_PYTHON=str(bin_dir / "mypython"))
    assert proc.stdout.strip() == str(bin_dir / "mypython")


def test_debian_python_without_venv_as_a_user_prints_the_exact_command(tmp_path, bin_dir):
    fake_python(bin_dir, "python3", "3.11", venv=f"mkdir -p \"$3\"; cat <<'EOT'\n{DEBIAN_NO_ENSUREPIP}\nEOT\nexit 1")
    fake(bin_dir, "apt-get", f'echo "$*" >> "{bin_dir}/apt"')
    proc = run(tmp_path, f'kb_venv_create "{bin_dir}/python3"')
    assert proc.returncode == 1
    assert "sudo apt-get install python3.11-venv" in proc.stderr
    assert not (tmp_path / "root" / ".venv").exists(), "a half-made venv would be reused next time"
    assert not (bin_dir / "apt").exists(), "only root installs packages"


def test_debian_python_without_venv_as_root_installs_the_package_and_retries(tmp_path, bin_dir):
    installed = bin_dir / "installed"
    fake_python(bin_dir, "python3", "3.11", venv=(
        f'if [ -f "{installed}" ]; then mkdir -p "$3/bin"; exit 0; fi\n'
        f"cat <<'EOT'\n{DEBIAN_NO_ENSUREPIP}\nEOT\nexit 1"))
    fake(bin_dir, "id", "echo 0")
    fake(bin_dir, "apt-get", f'echo "$*" >> "{bin_dir}/apt"; case "$1" in install) touch "{installed}";; esac')
    proc = run(tmp_path, f'kb_venv_create "{bin_dir}/python3"')
    assert proc.returncode == 0, proc.stderr
    assert (bin_dir / "apt").read_text().splitlines() == [
        "update -qq", "install -y --no-install-recommends python3.11-venv"]
    assert (tmp_path / "root" / ".venv" / "bin").is_dir()


def test_another_venv_failure_is_shown_as_it_is(tmp_path, bin_dir):
    fake_python(bin_dir, "python3", "3.11", venv='echo "Error: [Errno 28] No space left on device"; exit 1')
    proc = run(tmp_path, f'kb_venv_create "{bin_dir}/python3"')
    assert proc.returncode == 1
    assert "No space left on device" in proc.stderr and "KB_PYTHON" in proc.stderr


def _venv_python(tmp_path: Path, satisfied: bool) -> Path:
    """A venv whose python records its calls; its install check answers ``satisfied``."""
    venv_bin = tmp_path / "root" / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    fake(venv_bin, "python", f"""echo "$*" >> "{tmp_path}/venv-calls"
case "$1" in -I) cat >/dev/null; {"exit 0" if satisfied else 'echo "x is not installed yet" >&2; exit 1'} ;; esac""")
    return tmp_path / "venv-calls"


def test_pip_runs_once_and_again_only_when_pyproject_changes(tmp_path, bin_dir):
    calls = _venv_python(tmp_path, satisfied=False)
    first = run(tmp_path, "kb_venv_ensure test")
    assert first.returncode == 0, first.stderr
    assert "pip install -e '.[test]'" in first.stderr and "x is not installed yet" in first.stderr
    assert calls.read_text().splitlines()[-1] == "-m pip install --disable-pip-version-check -e .[test]"

    calls.unlink()
    again = run(tmp_path, "kb_venv_ensure test")
    assert again.returncode == 0
    assert "pip" not in calls.read_text() and "-I -" not in calls.read_text(), \
        "an unchanged pyproject.toml must start neither pip nor the install check"

    (tmp_path / "root" / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "2"\n', "utf-8")
    changed = run(tmp_path, "kb_venv_ensure test")
    assert changed.returncode == 0
    assert "-m pip install --disable-pip-version-check -e .[test]" in calls.read_text()


def test_a_venv_that_already_satisfies_the_project_is_adopted_without_pip(tmp_path, bin_dir):
    calls = _venv_python(tmp_path, satisfied=True)
    proc = run(tmp_path, 'kb_venv_ensure ""')
    assert proc.returncode == 0, proc.stderr
    assert not any("pip" in line for line in calls.read_text().splitlines())
    assert (tmp_path / "root" / ".venv" / ".kb-install-stamp").exists()


def test_the_install_check_knows_this_checkout_is_installed():
    """The real check, run by the interpreter running these tests against this checkout."""
    env = {**os.environ, "KB_ROOT": str(ROOT), "KB_VENV": str(Path(sys.prefix))}
    proc = subprocess.run(["/bin/bash", "-c", f'. "{LIB}"; kb_venv_satisfied test && cat /dev/null'],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, (Path(sys.prefix) / ".kb-install-check").read_text()


def test_a_venv_of_an_old_python_is_refused_with_the_way_out(tmp_path, bin_dir):
    venv_bin = tmp_path / "root" / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    fake(venv_bin, "python", 'case "$1" in -c) exit 1 ;; --version) echo "Python 3.9.2" ;; esac')
    proc = run(tmp_path, "kb_venv_ensure test")
    assert proc.returncode == 1
    assert "holds Python 3.9.2" in proc.stderr and "rm -rf" in proc.stderr
