#!/usr/bin/env bash
# Installs what the special tests need (PostgreSQL server, Chromium, CJK fonts, gettext) from
# Debian's packages — only when running as root on Debian/Ubuntu. Elsewhere it prints what is
# missing; the tests that need it skip with a message naming it.
set -uo pipefail
PKGS=(postgresql chromium chromium-driver fonts-noto-cjk gettext)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "warning: could not install ${missing[*]}; those tests will skip"
else
  echo "note: not root or not Debian; missing ${missing[*]} — the tests that need them will skip"
fi
