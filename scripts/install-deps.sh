#!/usr/bin/env bash
# Installs what Handoff needs, skipping what is present. Debian/Ubuntu, as root or with sudo.
#   scripts/install-deps.sh          build and run: libgit2-dev, libssl-dev (SHA-1 for object checks), zlib1g-dev (large trees written stored), pkg-config, git
#   scripts/install-deps.sh --test   also what the tests drive: ssh tools and sshd (loopback tests),
#                                    GNU time (peak memory of a child), Python's jsonschema (SARIF check)
#                                    and chromium (headless screenshots of the dashboard)
#   scripts/install-deps.sh --bench  also the benchmark baselines: Python's openapi-spec-validator and its Rust-cored
#                                    companion openapi-spec-validator-rs (PyPI), with PyYAML's libyaml loader
set -euo pipefail

mode="${1:-}"
packages=(libgit2-dev libssl-dev zlib1g-dev pkg-config git ca-certificates)
case "$mode" in
  --test) packages+=(openssh-client openssh-server time python3 python3-pip chromium) ;;
  --bench) packages+=(python3 python3-pip) ;;
  "") ;;
  *) echo "usage: $0 [--test|--bench]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  sudo=(false)  # reported below, only if something is missing
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# A Python from elsewhere (pyenv) serves as well as Debian's.
if command -v python3 >/dev/null 2>&1; then
  filtered=()
  for package in "${missing[@]}"; do
    case "$package" in python3|python3-pip) python3 -m pip --version >/dev/null 2>&1 || filtered+=("$package") ;; *) filtered+=("$package") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "${sudo[*]}" = false ]; then
    echo "error: ${missing[*]} must be installed, and this user is neither root nor has sudo;" >&2
    echo "       as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  # Installing openssh-server must not start a system-wide sshd: the tests start their own, on loopback
  # only. Debian's policy-rc.d hook (exit 101) tells package scripts not to start services.
  policy=/usr/sbin/policy-rc.d
  added_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added_policy=yes
  fi
  status=0
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
  if [ "$added_policy" = yes ]; then "${sudo[@]}" rm -f "$policy"; fi
  [ "$status" -eq 0 ] || exit "$status"
fi

# python_module MODULE PIP-PACKAGE... : installs the PyPI packages when python3 cannot import MODULE.
python_module() {
  local module="$1"; shift
  python3 -c "import $module" 2>/dev/null && return 0
  echo "Installing Python packages: $*"
  python3 -m pip install --quiet "$@" 2>/dev/null || python3 -m pip install --quiet --break-system-packages "$@"
}

case "$mode" in
  --test) python_module jsonschema jsonschema ;;
  --bench)
    python_module openapi_spec_validator openapi-spec-validator pyyaml
    python_module openapi_spec_validator_rs openapi-spec-validator-rs
    python3 -c "import yaml; yaml.CSafeLoader" 2>/dev/null || {
      echo "error: PyYAML lacks libyaml's C loader (yaml.CSafeLoader), which B5 times; install libyaml-dev and reinstall pyyaml" >&2
      exit 1
    } ;;
esac

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.1 or newer) is not on PATH; install it from swift.org and retry" >&2
  exit 1
fi
