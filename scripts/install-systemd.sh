#!/usr/bin/env bash
# Installs Piket as systemd services on this machine (docs/operations.md, "Install with systemd").
#
#   scripts/build.sh --release && sudo scripts/install-systemd.sh [--build-dir DIR]
#
# DESTDIR=/tmp/x installs under /tmp/x instead of / and skips systemctl (for packaging and tests).
#
# Copies the four daemons to /usr/local/bin, the units to /etc/systemd/system and the
# configuration to /etc/piket. Existing configuration, data and secrets are never overwritten, so
# running it again (for an upgrade) only replaces binaries and units.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${repo}/build-release"
daemons=(dispatcher scheduler notifier gateway)
destdir="${DESTDIR:-}"
etc="${destdir}/etc/piket"
bindir="${destdir}/usr/local/bin"
unitdir="${destdir}/etc/systemd/system"
docdir="${destdir}/usr/local/share/doc/piket"
webdir="${destdir}/usr/local/share/piket/web"  # the gateway looks in ../share/piket/web from its binary

usage() {
  echo "usage: $0 [--build-dir DIR]   (default: ${repo}/build-release, made by scripts/build.sh --release)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      build_dir="$2"
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
done

say() { printf '  %s\n' "$*"; }
fail() {
  printf 'install-systemd: %s\n' "$*" >&2
  exit 1
}

# --- checks first: nothing is changed unless all of them pass -------------------------------
if [[ "$(id -u)" -ne 0 ]]; then
  fail "this installs system services and must run as root; try: sudo $0"
fi
if ! command -v systemctl >/dev/null 2>&1; then
  fail "systemctl not found: this machine does not use systemd. Run the daemons by hand instead (README.md)."
fi
if [[ ! -d /run/systemd/system ]]; then
  echo "install-systemd: warning: systemd is not running as init here; units are installed but cannot start." >&2
fi
for d in "${daemons[@]}"; do
  [[ -x "${build_dir}/${d}/piket-${d}" ]] ||
    fail "${build_dir}/${d}/piket-${d} is missing: build first (scripts/build.sh --release), or pass --build-dir DIR"
done
# A test build lets an environment variable move the daemons' clock: never in production.
if grep -q '^PIKET_TEST_CLOCK:BOOL=ON' "${build_dir}/CMakeCache.txt" 2>/dev/null; then
  fail "${build_dir} is a test build (PIKET_TEST_CLOCK=ON): build with scripts/build.sh --release"
fi
[[ -x /usr/bin/redis-server ]] || fail "/usr/bin/redis-server is missing: apt-get install redis-server"
[[ -f "${repo}/config/piket.toml" ]] || fail "${repo}/config/piket.toml is missing"
if systemctl is-active --quiet redis-server.service 2>/dev/null; then
  echo "install-systemd: warning: redis-server.service is active and may hold port 6379;" \
    "piket-redis.service needs it (systemctl disable --now redis-server)." >&2
fi

echo "Installing Piket from ${repo}"

# --- binaries and units (always replaced: this is also the upgrade path) ----------------------
install -d -m 0755 "${bindir}" "${unitdir}" "${docdir}"
[[ -x "${build_dir}/admin/piket-admin" ]] && install -m 0755 "${build_dir}/admin/piket-admin" "${bindir}/piket-admin"
for d in "${daemons[@]}"; do
  install -m 0755 "${build_dir}/${d}/piket-${d}" "${bindir}/piket-${d}"
  say "${bindir}/piket-${d}"
done
for u in "${repo}"/systemd/piket-*.service "${repo}/systemd/piket.target"; do
  install -m 0644 "$u" "${unitdir}/$(basename "$u")"
  say "${unitdir}/$(basename "$u")"
done
install -m 0644 "${repo}/docs/operations.md" "${docdir}/operations.md"
# The web console's files, replaced whole so no file of an older console stays behind.
rm -rf "${webdir}"
install -d -m 0755 "${webdir}"
cp -R "${repo}/gateway/web/." "${webdir}/"
chmod -R u=rwX,go=rX "${webdir}"
say "${webdir}/"

# --- configuration: only what is absent ------------------------------------------------------
install -d -m 0755 "${etc}" "${etc}/data"

install_if_absent() { # mode source target
  if [[ -e "$3" ]]; then
    say "$3 (kept as it is)"
  else
    install -m "$1" "$2" "$3"
    say "$3"
  fi
}

install_if_absent 0644 "${repo}/systemd/redis.conf" "${etc}/redis.conf"
for f in "${repo}"/config/demo/*; do
  [[ -f "$f" ]] && install_if_absent 0644 "$f" "${etc}/data/$(basename "$f")"
done

if [[ -e "${etc}/piket.toml" ]]; then
  say "${etc}/piket.toml (kept as it is)"
else
  # Paths in piket.toml are relative to the file: the demo data moves from config/demo/ to
  # /etc/piket/data/. The webhook secret comes from the environment file written below.
  tmp="$(mktemp)"
  sed -E \
    -e 's#"(\./)?demo/#"data/#g' \
    -e 's#^([[:space:]]*)webhook_secret_(env|file)[[:space:]]*=.*#\1webhook_secret_env = "PIKET_WEBHOOK_SECRET"#' \
    "${repo}/config/piket.toml" >"${tmp}"
  install -m 0644 "${tmp}" "${etc}/piket.toml"
  rm -f "${tmp}"
  say "${etc}/piket.toml (from config/piket.toml, data paths now data/...)"
  if ! grep -q 'webhook_secret_env = "PIKET_WEBHOOK_SECRET"' "${etc}/piket.toml"; then
    echo "install-systemd: warning: no webhook_secret_env/_file line in [notifier];" \
      "add: webhook_secret_env = \"PIKET_WEBHOOK_SECRET\"" >&2
  fi
fi

# Secrets: readable by root only. systemd reads them as root and hands them to the services
# (LoadCredential= for the notifier, EnvironmentFile= for the daemons).
if [[ -e "${etc}/webhook_secret" ]]; then
  say "${etc}/webhook_secret (kept as it is)"
else
  (
    umask 077
    od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"${etc}/webhook_secret"
    echo >>"${etc}/webhook_secret"
  )
  say "${etc}/webhook_secret (new: 32 random bytes, hex)"
fi
chown root:root "${etc}/webhook_secret"
chmod 0600 "${etc}/webhook_secret"

if [[ -e "${etc}/piket.env" ]]; then
  say "${etc}/piket.env (kept as it is)"
else
  (
    umask 077
    {
      echo "# Environment for the Piket daemons; secrets only here, never in piket.toml."
      echo "PIKET_WEBHOOK_SECRET=$(head -n 1 "${etc}/webhook_secret")"
    } >"${etc}/piket.env"
  )
  say "${etc}/piket.env (new, holds the webhook secret)"
fi
chown root:root "${etc}/piket.env"
chmod 0600 "${etc}/piket.env"

if [[ -z "${destdir}" ]]; then
  systemctl daemon-reload
else
  say "DESTDIR set: skipped systemctl daemon-reload"
fi

cat <<EOF

Installed. Next:
  review ${etc}/piket.toml (gateway.public_url, listen addresses) and ${etc}/data/
  systemctl enable --now piket.target      # start Redis and the four daemons, and at every boot
  systemctl status 'piket-*'               # all five should be "active (running)"
  journalctl -u 'piket-*' -f               # follow the logs
Webhook receivers verify alerts with the secret in ${etc}/webhook_secret.
EOF
