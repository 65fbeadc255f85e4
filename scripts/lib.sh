# scripts/lib.sh — shared by scripts/run, scripts/test and .ci/run:
# install missing Debian packages, configure and build.  Sourced, not run.

MO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the build, the tests and the demo need.
MO_PACKAGES="gcc pkg-config meson ninja-build python3 python3-pytest python3-cryptography
  libsqlite3-dev sqlite3 libcurl4-openssl-dev zlib1g-dev libssl-dev libcjson-dev
  libmicrohttpd-dev libcmocka-dev libpq-dev faketime"

mo_log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

mo_ensure_packages() {
	local missing=() p
	for p in $MO_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mo_log "installing Debian packages: ${missing[*]}"
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; return 1; }
		sudo="sudo"
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# mo_build DIR [meson options...]: configure DIR once (or reconfigure with the
# given options) and build it.
mo_build() {
	local dir=$1; shift
	if [ -f "$MO_ROOT/$dir/build.ninja" ]; then
		[ $# -gt 0 ] && meson configure "$MO_ROOT/$dir" "$@" >/dev/null
	else
		meson setup "$MO_ROOT/$dir" "$MO_ROOT" "$@" >/dev/null
	fi
	ninja -C "$MO_ROOT/$dir"
}

# Node (with npm) for the browser tests and the benchmark peer: the machines
# ship Node 20; on a machine without it, Debian's nodejs and npm.
mo_ensure_node() {
	command -v node >/dev/null && command -v npm >/dev/null && return 0
	MO_PACKAGES="" mo_ensure_packages nodejs npm
}

# Browser tests: Debian's Chromium and playwright-core (pinned in
# tests/browser/package-lock.json; no browser download).
mo_ensure_browser() {
	MO_PACKAGES="" mo_ensure_packages chromium || return 1
	mo_ensure_node || return 1
	if [ ! -d "$MO_ROOT/tests/browser/node_modules/playwright-core" ]; then
		mo_log "installing playwright-core for the browser tests"
		(cd "$MO_ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error) || return 1
	fi
}
