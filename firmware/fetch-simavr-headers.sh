#!/bin/sh
# Unpacks simavr's C headers into DEST (default build/simavr-dev) from Debian's libsimavr-dev,
# without installing it: installing pulls libsimavrparts1 and ~360 MB of Mesa, LLVM and X11
# that the emulator does not use. The headers are taken at exactly the version of the
# installed libsimavr2, because the emulator reads avr_t's fields directly.
set -eu
dest=${1:-build/simavr-dev}
version=$(dpkg-query -W -f='${Version}' libsimavr2 2>/dev/null) || {
  echo "fetch-simavr-headers: libsimavr2 is not installed; run: sudo apt-get install libsimavr2" >&2
  exit 1
}
mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "$(dirname "$dest")/.simavr-dev.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# apt-get download works as any user. As root, apt drops to the _apt user, which cannot
# write here; download as root instead of warning about it.
if [ "$(id -u)" = 0 ]; then sandbox="-o APT::Sandbox::User=root"; else sandbox=""; fi
download() { apt-get -q $sandbox download "libsimavr-dev=$version"; }
if ! download; then
  # A fresh machine (CI) may have no package lists yet.
  if [ "$(id -u)" = 0 ]; then
    apt-get -q update && download
  elif sudo -n true 2>/dev/null; then
    sudo -n apt-get -q update && download
  else
    echo "fetch-simavr-headers: cannot download libsimavr-dev $version; run: sudo apt-get update, then make -C firmware" >&2
    exit 1
  fi
fi
dpkg-deb -x libsimavr-dev_*.deb unpacked
test -f unpacked/usr/include/simavr/sim_avr.h
cd - >/dev/null
rm -rf "$dest"
mv "$work/unpacked" "$dest"
echo "fetch-simavr-headers: simavr $version headers in $dest/usr/include/simavr"
