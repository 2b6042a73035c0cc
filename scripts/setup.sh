#!/usr/bin/env bash
# Installs the Debian packages Piket needs to build, run and test (only those missing).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ccache git curl ca-certificates tzdata python3
  libboost1.81-dev libhiredis-dev libzmq3-dev cppzmq-dev libhowardhinnant-date-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev openssl libsodium-dev libsystemd-dev catch2
  redis-server redis-tools faketime liboath-dev oathtool python3-aiosmtpd
  chromium fonts-dejavu-core  # the console's browser tests (playwright-core drives it)
)
# Node.js and npm may come from elsewhere (the machine image); Debian's only when absent.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The npm packages the tests use (ical.js checks our iCalendar feeds, playwright-core drives
# Chromium through the console), from package-lock.json.
npm_packages() {
  cd "$(dirname "$0")/.."
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  npm_packages
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup: run as root (or install sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The packaged redis-server service is not ours: Piket starts its own instances.
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl disable --now redis-server || true
fi
npm_packages
echo "setup: done"
