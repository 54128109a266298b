# Fetches single files from Debian's archive, checked against the signed indexes: a source
# package's upstream tarball, or a binary package. Sourced by cpython.sh (after common.sh), not run.
#
# apt works on a private configuration under "$CACHE_ROOT/apt" (its own source list, index lists
# and preferences), so the machine's apt sources are never touched and any suite can be queried.
# apt verifies the indexes against Debian's archive keyring; the file names, URIs and SHA256 sums
# come from those indexes (`--print-uris`), so only the files the build uses are downloaded, and a
# newer revision, or a missing .dsc or .debian.tar.xz, cannot make the step fail.
#
# Test seams: COMPONENTIZE_PY_APT_GET and COMPONENTIZE_PY_APT_HELPER replace apt-get and
# apt-helper, COMPONENTIZE_PY_DEBIAN_MIRROR the mirror read from /etc/apt.

APT_GET="${COMPONENTIZE_PY_APT_GET:-apt-get}"
APT_HELPER="${COMPONENTIZE_PY_APT_HELPER:-/usr/lib/apt/apt-helper}"
APT_DIR="$CACHE_ROOT/apt"
# The suites whose source and binary indexes are fetched, and how long fetched indexes are trusted
# before a refresh.
DEBIAN_SOURCE_SUITES=(trixie forky sid)
DEBIAN_BINARY_SUITES=(trixie)
DEBIAN_INDEX_MAX_AGE_MINUTES=720
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

apt_private() {
  "$APT_GET" -q -o Dir::Etc::SourceList="$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache" \
    -o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false \
    -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false "$@"
}

# The Debian mirror this machine's apt already uses.
debian_mirror() {
  local mirror="${COMPONENTIZE_PY_DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    mirror=$(grep -h -m1 -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | head -1) || true
  fi
  if [ -z "$mirror" ]; then
    mirror=$(grep -h -m1 -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1) || true
  fi
  [ -n "$mirror" ] || fail "cannot find this machine's Debian mirror in /etc/apt"
  echo "$mirror"
}

# Fetches the private indexes (the sources of DEBIAN_SOURCE_SUITES, the binaries of
# DEBIAN_BINARY_SUITES) unless recent ones for the same suites are there. A failed refresh of
# indexes already present only warns: they still name verified files.
debian_indexes() {
  mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  local stamp="$APT_DIR/updated" mirror suite list
  mirror=$(debian_mirror)
  list=$(
    for suite in "${DEBIAN_BINARY_SUITES[@]}"; do
      printf 'deb [signed-by=%s] %s %s main\n' "$DEBIAN_KEYRING" "$mirror" "$suite"
    done
    for suite in "${DEBIAN_SOURCE_SUITES[@]}"; do
      printf 'deb-src [signed-by=%s] %s %s main\n' "$DEBIAN_KEYRING" "$mirror" "$suite"
    done
  )
  if [ "$list" != "$(cat "$APT_DIR/sources.list" 2>/dev/null)" ]; then
    printf '%s\n' "$list" >"$APT_DIR/sources.list"
    rm -f "$stamp"
  elif [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +"$DEBIAN_INDEX_MAX_AGE_MINUTES")" ]; then
    return 0
  fi
  if apt_private update >"$APT_DIR/update.log" 2>&1; then
    touch "$stamp"
  elif [ -f "$stamp" ]; then
    printf '[runtime] warning: refreshing the Debian indexes failed (log: %s); using the ones from %s\n' \
      "$APT_DIR/update.log" "$(date -r "$stamp" '+%F %T')" >&2
  else
    tail -n 20 "$APT_DIR/update.log" >&2
    fail "apt-get update of the Debian indexes failed (log: $APT_DIR/update.log)"
  fi
}

# Prints "URI FILE SHA256" for the one file of what `apt-get KIND --print-uris PACKAGE/SUITE`
# lists whose name matches the glob PATTERN. KIND is `source` or `download`.
debian_file() {
  local kind="$1" package="$2" suite="$3" pattern="$4" listing uri file size hash found=""
  listing=$(cd "$APT_DIR" && apt_private "$kind" --print-uris "$package/$suite" 2>"$APT_DIR/print-uris.log") \
    || fail "apt-get $kind --print-uris $package/$suite failed: $(tail -n 3 "$APT_DIR/print-uris.log" | tr '\n' ' ')"
  while read -r uri file size hash; do
    # shellcheck disable=SC2254 # PATTERN is a glob on purpose
    case "$file" in
      $pattern) ;;
      *) continue ;;
    esac
    [ -z "$found" ] || fail "$package/$suite lists more than one file matching $pattern"
    [[ "$hash" == SHA256:* ]] || fail "$package/$suite lists $file without a SHA256 sum ($hash)"
    found="${uri//\'/} $file ${hash#SHA256:}"
  done <<<"$(grep "^'" <<<"$listing" || true)"
  [ -n "$found" ] || fail "$package/$suite: Debian's index lists no file matching $pattern"
  echo "$found"
}

# Downloads URI to "$dir/FILE" unless a file with that SHA256 is there already. A partial or
# wrong download never takes the final name.
fetch_verified() {
  local dir="$1" uri="$2" file="$3" want="$4" got tmp
  mkdir -p "$dir"
  if [ -f "$dir/$file" ] && [ "$(sha256sum "$dir/$file" | cut -d' ' -f1)" = "$want" ]; then
    return 0
  fi
  tmp="$dir/.$file.partial.$$"
  rm -f "$tmp"
  if ! "$APT_HELPER" download-file "$uri" "$tmp" >"$tmp.log" 2>&1; then
    local cause
    cause=$(grep -m1 '^E: ' "$tmp.log" || tail -n 1 "$tmp.log")
    rm -f "$tmp" "$tmp.log"
    fail "downloading $file from $uri failed: ${cause#E: }"
  fi
  rm -f "$tmp.log"
  got=$(sha256sum "$tmp" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    rm -f "$tmp"
    fail "checksum mismatch for $file from $uri: Debian's index says $want, the download has $got"
  fi
  mv "$tmp" "$dir/$file"
}
