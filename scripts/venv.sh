# Sourced by scripts/run and scripts/test from the repository's top: creates .venv once with
# Python 3.11+, installs teamops into it (again only when pyproject.toml changes) and puts it on PATH.
# EXTRAS names pyproject's optional dependencies to install too (scripts/test: "[test]").
if [[ ! -x .venv/bin/python ]]; then
  python=
  for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      python=$candidate; break
    fi
  done
  [[ -n $python ]] || { echo "scripts: needs Python 3.11 or newer (set PYTHON=...)" >&2; exit 1; }
  if ! "$python" -m venv .venv; then
    # Debian/Ubuntu ship venv separately; it is the one thing a root user can add for us.
    rm -rf .venv
    [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null \
      || { echo "scripts: install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$python" -m venv .venv
  fi
fi
stamp=.venv/.teamops-installed${EXTRAS:+-test}
if [[ "$(cksum < pyproject.toml)" != "$(cat "$stamp" 2>/dev/null)" ]]; then
  echo "== installing teamops${EXTRAS:-} into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${EXTRAS:-}"
  cksum < pyproject.toml > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
