# scripts/lib.sh — shared by scripts/run, scripts/test and .ci/run:
# install missing Debian packages, configure and build.  Sourced, not run.

MO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the build, the tests and the demo need.
MO_PACKAGES="gcc libqrencode-dev pkg-config meson ninja-build python3 python3-pytest python3-cryptography
  libsqlite3-dev sqlite3 libcurl4-openssl-dev zlib1g-dev libssl-dev libcjson-dev
  libmicrohttpd-dev libcmocka-dev libpq-dev faketime libxlsxwriter-dev python3-openpyxl tzdata"

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

# mo_node_major: the major version of the `node` on PATH, or 0 without one.
mo_node_major() {
	local v
	v=$(node --version 2>/dev/null) || { echo 0; return; }
	v=${v#v}
	v=${v%%.*}
	case $v in '' | *[!0-9]*) echo 0 ;; *) echo "$v" ;; esac
}

# Node (with npm) for the browser tests and the benchmark peer: Node 18 or
# newer (Debian 12's nodejs is 18; playwright-core is pinned to a release
# that runs on it).  Without node or npm, or with a node older than 18,
# Debian's nodejs and npm.
mo_ensure_node() {
	if command -v npm >/dev/null && [ "$(mo_node_major)" -ge 18 ]; then
		return 0
	fi
	MO_PACKAGES="" mo_ensure_packages nodejs npm || return 1
	hash -r
	[ "$(mo_node_major)" -ge 18 ] && command -v npm >/dev/null && return 0
	echo "Node 18 or newer is needed for the browser tests (found: $(node --version 2>/dev/null || echo none))" >&2
	return 1
}

# Browser tests: Debian's Chromium, playwright-core and axe-core (the
# accessibility check), both pinned in tests/browser/package-lock.json and
# installed from it (npm ci); no browser download.
mo_ensure_browser() {
	MO_PACKAGES="" mo_ensure_packages chromium || return 1
	mo_ensure_node || return 1
	if [ ! -d "$MO_ROOT/tests/browser/node_modules/playwright-core" ] ||
		[ ! -f "$MO_ROOT/tests/browser/node_modules/axe-core/axe.min.js" ]; then
		mo_log "installing playwright-core and axe-core for the browser tests"
		(cd "$MO_ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error) || return 1
	fi
}
