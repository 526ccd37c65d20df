#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Handoff needs to build, run and test, skipping those present.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite's real git servers need)
set -euo pipefail

packages=(libgit2-dev pkg-config git ca-certificates)
if [ "${1:-}" = "--test" ]; then
  # ssh-keygen signs and verifies commits; sshd serves the SSH transport tests on 127.0.0.1;
  # GNU time measures the peak memory of a child process (wait4 of a spawned child would include ours).
  packages+=(openssh-client openssh-server time)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

install_python_jsonschema() {
  # The SARIF test validates handoff's output with Python's jsonschema against the published schema.
  python3 -c 'import jsonschema' 2>/dev/null && return 0
  echo "Installing Python's jsonschema for the SARIF test"
  python3 -m pip install --quiet jsonschema 2>/dev/null && return 0
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends python3-jsonschema
}

if [ ${#missing[@]} -eq 0 ]; then
  if [ "${1:-}" = "--test" ]; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    install_python_jsonschema
  fi
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: ${missing[*]} must be installed and this user is not root and has no sudo;" >&2
  echo "       run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
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
if [ "${1:-}" = "--test" ]; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends python3 >/dev/null
  install_python_jsonschema
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.1 or newer) is not on PATH; install it from swift.org and retry" >&2
  exit 1
fi
