#!/usr/bin/env bash
# Debian packages the test suite needs and a fresh machine may lack: Chromium (browser
# tests), PostgreSQL 15 (the second database backend), PgBouncer (the cluster tests run the
# app through it in transaction mode), Node.js (front-end unit tests) and a CJK font
# (without one, Chinese in the browser's screenshots shows as boxes).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
