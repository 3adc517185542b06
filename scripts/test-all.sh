#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the real services the
# tests start for themselves (InfluxDB, Mosquitto, PostgreSQL, socat pseudo-terminals,
# mbpoll, Chromium with a CJK font for the Chinese console, docker-compose for the compose-file check,
# HAProxy in front of the cluster test's instances), installs the npm
# packages, builds, and runs every test. Ends with the line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(socat mosquitto mosquitto-clients influxdb mbpoll chromium fonts-wqy-microhei docker-compose postgresql sqlite3 haproxy)

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  # The tests start these servers themselves on free ports; keep the distribution's
  # own services from starting (and taking 1883, 8086, 5432) during the install.
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${as_root[@]}" chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
  "${as_root[@]}" rm -f /usr/sbin/policy-rc.d
fi

npm ci --no-audit --no-fund
# Lint and formatting first: a style or lint error fails CI like a failing test.
npm run lint
npm test
