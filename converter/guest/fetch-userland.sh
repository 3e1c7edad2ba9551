#!/usr/bin/env bash
# Download Debian packages of one architecture (default riscv64 from trixie), with their dependency
# closure, using a private apt configuration: the host's apt sources, lists and dpkg status are
# neither read nor changed.
#
# Usage: fetch-userland.sh [PKG...]        (default: busybox-static)
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/userland/<hash>/ with
#   debs/*.deb      the downloaded packages
#   root/           all of them unpacked (dpkg-deb -x)
#   manifest.txt    "package version sha256" per .deb, sorted
# <hash> covers the package list, suite, architecture, mirror and this script. Prints the directory as the last
# line of stdout; a no-op when it already exists.
#
# Env: C2W_CACHE, C2W_DEBIAN_MIRROR (default: the host's deb.debian.org mirror), C2W_DEBIAN_SUITE
# (default trixie; bookworm has no riscv64), C2W_DEBIAN_ARCH (default riscv64; Debian's names:
# arm64, amd64, armhf, i386, ppc64el, s390x, ...).
set -euo pipefail

die() { echo "fetch-userland: $*" >&2; exit 1; }

pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(busybox-static)
for p in "${pkgs[@]}"; do
  [[ "$p" =~ ^[a-z0-9][a-z0-9+.-]+$ ]] || die "not a Debian package name: '$p'"
done
mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)

suite=${C2W_DEBIAN_SUITE:-trixie}
arch=${C2W_DEBIAN_ARCH:-riscv64}
[[ "$arch" =~ ^[a-z0-9]+$ ]] || die "not a Debian architecture name: '$arch'"
mirror=${C2W_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  # Same host the machine's own apt uses for Debian (deb822 "URIs:" or one-line "deb" form).
  mirror=$(grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
           | grep -v security | head -n1 | tr -d ' ') || true
  mirror=${mirror:-http://deb.debian.org/debian}
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "missing $keyring (install debian-archive-keyring)"

cache=${C2W_CACHE:-$HOME/.cache/c2w}/userland
hash=$( { echo "$suite $mirror $arch"; printf '%s\n' "${pkgs[@]}"; cat "$0"; } | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/manifest.txt" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/manifest.txt" ]; then echo "$out"; exit 0; fi

# Private apt tree: shared lists (per suite+mirror+arch; riscv64 keeps its old key), per-run
# download dir.
key="$suite $mirror"; [ "$arch" = riscv64 ] || key="$key $arch"
apt=$cache/apt-$(echo "$key" | sha256sum | cut -c1-12)
mkdir -p "$apt/etc/sources.list.d" "$apt/etc/preferences.d" "$apt/etc/apt.conf.d" \
         "$apt/state/lists/partial" "$apt/cache/archives/partial"
echo "deb [signed-by=$keyring] $mirror $suite main" > "$apt/etc/sources.list"
: > "$apt/state/status"
tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX"); chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs/partial"

opts=(
  -o Dir::Etc::SourceList="$apt/etc/sources.list"
  -o Dir::Etc::SourceParts="$apt/etc/sources.list.d"
  -o Dir::Etc::Preferences="$apt/etc/preferences"
  -o Dir::Etc::PreferencesParts="$apt/etc/preferences.d"
  -o Dir::State="$apt/state"
  -o Dir::State::status="$apt/state/status"
  -o Dir::Cache="$apt/cache"
  -o Dir::Cache::archives="$tmp/debs"
  -o APT::Architecture="$arch"
  -o APT::Architectures::="$arch"
  -o APT::Install-Recommends=false
  -o APT::Install-Suggests=false
  -o Acquire::Languages=none
  -o Debug::NoLocking=true
  -o APT::Sandbox::User=root
  -o pkgCacheFile::Generate=true
)

# Refresh the package lists at most once a day.
stamp=$apt/state/lists/.updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
  echo "fetch-userland: apt-get update ($suite $arch from $mirror)" >&2
  apt-get "${opts[@]}" -qq update >&2 || die "apt-get update failed for $mirror $suite"
  touch "$stamp"
fi

echo "fetch-userland: downloading ${pkgs[*]} (+ dependencies)" >&2
apt-get "${opts[@]}" -qq -y --download-only install "${pkgs[@]}" >&2 \
  || die "could not download ${pkgs[*]} for $arch from $mirror $suite"
rmdir "$tmp/debs/partial"
ls "$tmp/debs"/*.deb >/dev/null 2>&1 || die "apt downloaded nothing"

mkdir "$tmp/root"
: > "$tmp/manifest.unsorted"
for deb in "$tmp/debs"/*.deb; do
  dpkg-deb -x "$deb" "$tmp/root"
  echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(sha256sum < "$deb" | cut -d' ' -f1)" \
    >> "$tmp/manifest.unsorted"
done
sort "$tmp/manifest.unsorted" > "$tmp/manifest.txt"
rm "$tmp/manifest.unsorted"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
