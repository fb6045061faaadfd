#!/usr/bin/env bash
# Debian packages the app needs: Pango for WeasyPrint, DejaVu fonts (they cover Vietnamese).
# Installs only what is missing, and only where it can (root with apt-get).
set -euo pipefail
need=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${QMS_E2E:-}" = "1" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing Debian packages: ${need[*]} (install them with apt-get as root)" >&2
  exit 1
fi
