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

# Downloads URI to "$dir/FILE" unless a file with that SHA256 is there already, and stops on a
# checksum mismatch (naming WHERE the expected sum comes from, by default Debian's index). A
# partial or wrong download never takes the final name. Returns 1 when the download itself fails,
# with the cause in FETCH_FAILURE.
try_fetch_verified() {
  local dir="$1" uri="$2" file="$3" want="$4" where="${5:-}" got tmp
  [ -n "$where" ] || where="Debian's index"
  mkdir -p "$dir"
  if [ -f "$dir/$file" ] && [ "$(sha256sum "$dir/$file" | cut -d' ' -f1)" = "$want" ]; then
    return 0
  fi
  tmp="$dir/.$file.partial.$$"
  try_download "$uri" "$tmp" "$file" || return 1
  got=$(sha256sum "$tmp" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    rm -f "$tmp"
    fail "checksum mismatch for $file from $uri: $where says $want, the download has $got"
  fi
  mv "$tmp" "$dir/$file"
}

# Downloads URI (the file NAME) to DEST, leaving nothing there when it fails; returns 1 when it
# fails, with the cause in FETCH_FAILURE.
try_download() {
  local uri="$1" dest="$2" name="$3"
  rm -f "$dest"
  if ! "$APT_HELPER" download-file "$uri" "$dest" >"$dest.log" 2>&1; then
    FETCH_FAILURE=$(grep -m1 '^E: ' "$dest.log" || tail -n 1 "$dest.log")
    FETCH_FAILURE="downloading $name from $uri failed: ${FETCH_FAILURE#E: }"
    rm -f "$dest" "$dest.log"
    return 1
  fi
  rm -f "$dest.log"
}

# try_fetch_verified, stopping when the download fails.
fetch_verified() {
  try_fetch_verified "$@" || fail "$FETCH_FAILURE"
}

# Prints the path of the keyring of Debian's uploaders: debian-keyring's debian-keyring.gpg, from
# the package in the first of DEBIAN_BINARY_SUITES (fetched into DIR), or
# $COMPONENTIZE_PY_DEBIAN_KEYRING.
debian_uploaders_keyring() {
  local dir="$1" package uri file sha
  if [ -n "${COMPONENTIZE_PY_DEBIAN_KEYRING:-}" ]; then
    echo "$COMPONENTIZE_PY_DEBIAN_KEYRING"
    return 0
  fi
  package=$(debian_file download debian-keyring "${DEBIAN_BINARY_SUITES[0]}" 'debian-keyring_*_all.deb')
  read -r uri file sha <<<"$package"
  fetch_verified "$dir" "$uri" "$file" "$sha"
  if [ ! -f "$dir/${file%.deb}/usr/share/keyrings/debian-keyring.gpg" ]; then
    rm -rf "$dir/${file%.deb}"
    dpkg-deb -x "$dir/$file" "$dir/${file%.deb}" || fail "cannot unpack $file"
  fi
  echo "$dir/${file%.deb}/usr/share/keyrings/debian-keyring.gpg"
}

# Fetches into DIR the upstream tarball (PACKAGE_VERSION.orig.tar.xz) of the newest release of
# source PACKAGE that the first of SUITES to list it carries, checked against the signed index,
# and prints "FILE SHA256".
#
# Testing and unstable replace a release as soon as the next one arrives, and a mirror may not
# have the newest files yet: when the listed tarball cannot be downloaded, the newest older patch
# release (same major.minor) whose source package the mirror still serves is taken instead, its
# tarball checked against the SHA256 in that release's .dsc, whose OpenPGP signature by a Debian
# uploader gpgv checks with debian-keyring (itself checked against the signed binary index).
debian_orig_tarball() {
  local dir="$1" package="$2" suite listed="" uri file sha version
  shift 2
  for suite in "$@"; do
    if listed=$(debian_file source "$package" "$suite" "${package}_*.orig.tar.xz" 2>"$APT_DIR/resolve.log"); then
      break
    fi
  done
  [ -n "$listed" ] || fail "no $package source in Debian ($*): $(sed 's/^\[runtime\] error in step "[^"]*": //' "$APT_DIR/resolve.log")"
  read -r uri file sha <<<"$listed"
  if try_fetch_verified "$dir" "$uri" "$file" "$sha"; then
    echo "$file $sha"
    return 0
  fi
  local listed_failure="$FETCH_FAILURE"
  version=${file#"${package}"_}
  version=${version%.orig.tar.xz}
  [[ "$version" =~ ^([0-9]+\.[0-9]+)\.([0-9]+)$ ]] || fail "$listed_failure"
  local series="${BASH_REMATCH[1]}" patch="${BASH_REMATCH[2]}" pool="${uri%/*}" keyring="" older revision dsc
  printf '[runtime] %s is listed in Debian %s but the mirror does not serve it (%s); looking for the newest older %s.x whose signed source package it has\n' \
    "$file" "$suite" "$listed_failure" "$series" >&2
  # The .dsc files of the candidates, newest first.
  local candidates=()
  for ((older = patch - 1; older >= 0; older--)); do
    for revision in 1 2 3; do candidates+=("${package}_$series.$older-$revision.dsc"); done
  done
  # One checked before (a .dsc keeps its name only once its signature is checked) needs no request.
  for dsc in "${candidates[@]}"; do
    if [ -f "$dir/$dsc" ]; then
      debian_dsc_orig "$dir" "$pool" "$package" "$dsc"
      return 0
    fi
  done
  for dsc in "${candidates[@]}"; do
    try_download "$pool/$dsc" "$dir/.$dsc.unverified" "$dsc" || continue
    [ -n "$keyring" ] || keyring=$(debian_uploaders_keyring "$dir")
    if ! gpgv --keyring "$keyring" "$dir/.$dsc.unverified" >"$dir/.$dsc.gpgv" 2>&1; then
      local why
      why=$(grep -m1 -e 'BAD signature' -e "No public key" -e "no valid OpenPGP" -e "Can't check" "$dir/.$dsc.gpgv" || tail -n 1 "$dir/.$dsc.gpgv")
      rm -f "$dir/.$dsc.unverified" "$dir/.$dsc.gpgv"
      fail "$pool/$dsc has no valid signature by a Debian uploader (${why#gpgv: })"
    fi
    rm -f "$dir/.$dsc.gpgv"
    mv "$dir/.$dsc.unverified" "$dir/$dsc"
    debian_dsc_orig "$dir" "$pool" "$package" "$dsc"
    return 0
  done
  fail "$listed_failure, and the mirror has no older $series.x source package of $package"
}

# Fetches into DIR the upstream tarball that the checked DIR/DSC (of source PACKAGE, in the pool
# directory POOL) names, checked against the SHA256 it gives; prints "FILE SHA256".
debian_dsc_orig() {
  local dir="$1" pool="$2" package="$3" dsc="$4" version orig sha
  version=${dsc#"${package}"_}
  orig="${package}_${version%-*}.orig.tar.xz"
  grep -qx "Source: $package" "$dir/$dsc" || fail "$dsc is not a source package of $package"
  sha=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dir/$dsc" | awk -v f="$orig" '$3 == f { print $1; exit }')
  [ -n "$sha" ] || fail "$dsc lists no SHA256 for $orig"
  fetch_verified "$dir" "$pool/$orig" "$orig" "$sha" "the signed $dsc"
  printf '[runtime] using %s (from the signed %s)\n' "$orig" "$dsc" >&2
  echo "$orig $sha"
}
