#!/usr/bin/env bash
# Builds CPython for wasm32-wasip1, with the C libraries its optional modules need (zlib, bzip2,
# xz, SQLite), from source with Debian's clang-19, into "$CACHE_ROOT/cpython-<hash>". Prints that
# directory. A finished entry is reused as it is.
#
# Sources:
#   CPython     the newest $CPYTHON_MINOR.x tarball Debian lists (common.sh: CPYTHON_SUITES),
#               verified against the SHA256 in Debian's signed index, or the newest older one the
#               mirror still has, verified by its signed .dsc (debian.sh: debian_orig_tarball)
#   wasi-libc   Debian's package (WASI_LIBC_SUITE), verified the same way
#   C libraries the upstream sources vendored by the crates runtime/c-libs names, checked by cargo
#               against runtime/c-libs/Cargo.lock
# The entry's key covers this script, the exact tarball and package, the crates' lock file and the
# compiler, so a new upstream release builds a new entry.
#
# The entry holds:
#   sysroot/     wasi-libc, laid out for --target=wasm32-wasip1
#   resource/    a clang resource dir that finds the wasm32 compiler-rt builtins
#   lib/         libpython3.X.a, its helper archives, libz.a, libbz2.a, liblzma.a, libsqlite3.a
#   include/     CPython's headers (with pyconfig.h)
#   stdlib/      the pure-Python standard library (Lib/ plus the generated sysconfig data)
#   host-python/ the native Python the cross build used, installed (compiles the bundle's .pyc)
#   version      the CPython version (e.g. 3.14.7)
#   link-libs    the static libraries the runtime links besides libpython, one name a line
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$RUNTIME_DIR/debian.sh"

require gcc clang-19 llvm-ar-19 llvm-ranlib-19 wasm-ld-19 apt-get dpkg-deb make sha256sum cargo flock

step "resolve sources in Debian's index, fetch CPython's"
debian_indexes
sources="$CACHE_ROOT/sources"
# (Assigned first, so that a failed lookup stops the script here.)
cpython_source=$(debian_orig_tarball "$sources" "python$CPYTHON_MINOR" "${CPYTHON_SUITES[@]}")
read -r cpython_file cpython_sha <<<"$cpython_source"
cpython_version=${cpython_file#python"${CPYTHON_MINOR}"_}
cpython_version=${cpython_version%.orig.tar.xz}
libc_package=$(debian_file download wasi-libc "$WASI_LIBC_SUITE" 'wasi-libc_*_all.deb')
read -r libc_uri libc_file libc_sha <<<"$libc_package"

c_libs="$RUNTIME_DIR/c-libs"
key=$(inputs_hash "$RUNTIME_DIR/cpython.sh" "$RUNTIME_DIR/common.sh" "$c_libs/Cargo.lock" \
  "$(clang-19 --version | head -1)" "$cpython_file $cpython_sha" "$libc_file $libc_sha")
out="$CACHE_ROOT/cpython-$key"
hold_lock "$CACHE_ROOT/locks/cpython-$key"
if [ -f "$out/.complete" ]; then echo "$out"; exit 0; fi

work="$CACHE_ROOT/work/cpython-$key"
rm -rf "$work" "$out"
mkdir -p "$sources" "$work" "$out/lib" "$out/include"

step "fetch $libc_file from Debian"
fetch_verified "$sources" "$libc_uri" "$libc_file" "$libc_sha"

step "fetch the C libraries' sources (cargo vendor of runtime/c-libs)"
logged "$work/vendor.log" cargo vendor --locked --versioned-dirs --manifest-path "$c_libs/Cargo.toml" "$work/vendor"
crate_dir() { # crate name → its vendored directory
  local dirs=("$work/vendor/$1"-[0-9]*)
  [ -d "${dirs[0]}" ] || fail "cargo vendor did not produce the crate $1"
  echo "${dirs[0]}"
}

step "wasm32-wasip1 sysroot and clang resource dir"
dpkg-deb -x "$sources/$libc_file" "$work/wasi-libc" || fail "cannot unpack $libc_file"
mkdir -p "$out/sysroot/include" "$out/sysroot/lib"
cp -a "$work/wasi-libc/usr/include/wasm32-wasi" "$out/sysroot/include/wasm32-wasip1"
cp -a "$work/wasi-libc/usr/lib/wasm32-wasi" "$out/sysroot/lib/wasm32-wasip1"
clang_res=$(clang-19 -print-resource-dir)
builtins="$clang_res/lib/wasi/libclang_rt.builtins-wasm32.a"
[ -f "$builtins" ] || fail "$builtins is missing: install libclang-rt-19-dev-wasm32"
mkdir -p "$out/resource/lib/wasm32-unknown-wasip1"
cp -a "$clang_res/include" "$out/resource/include"
cp "$builtins" "$out/resource/lib/wasm32-unknown-wasip1/libclang_rt.builtins.a"

wasi_defines="-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_PROCESS_CLOCKS"
export CC="clang-19 --target=wasm32-wasip1 --sysroot=$out/sysroot -resource-dir=$out/resource"
export CPP="$CC -E"
export AR=llvm-ar-19 RANLIB=llvm-ranlib-19
# No build path may reach the objects: the outputs must not depend on where the cache lives.
prefix_map="-ffile-prefix-map=$work=/build -ffile-prefix-map=$out=/toolchain"
deps="$work/deps"
mkdir -p "$deps/include"

# Compiles the C files given after `--` into "$out/lib/lib<NAME>.a", with the given compiler flags.
static_lib() {
  local name="$1"; shift
  local flags=() objects=() src obj
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  mkdir -p "$work/obj-$name"
  for src in "$@"; do
    obj="$work/obj-$name/$(basename "${src%.c}").o"
    logged "$work/$name.log" $CC -O2 $prefix_map "${flags[@]}" -c "$src" -o "$obj"
    objects+=("$obj")
  done
  logged "$work/$name.log" $AR rcs "$out/lib/lib$name.a" "${objects[@]}"
}

step "zlib, bzip2, liblzma and SQLite for wasm32-wasip1"
zlib="$(crate_dir libz-sys)/src/zlib"
static_lib z -DHAVE_UNISTD_H -DHAVE_STDARG_H -- \
  "$zlib"/{adler32,compress,crc32,deflate,gzclose,gzlib,gzread,gzwrite,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c
cp "$zlib/zlib.h" "$zlib/zconf.h" "$deps/include/"

bzip2="$(echo "$(crate_dir bzip2-sys)"/bzip2-*)"
static_lib bz2 -D_FILE_OFFSET_BITS=64 -- \
  "$bzip2"/{blocksort,huffman,crctable,randtable,compress,decompress,bzlib}.c
cp "$bzip2/bzlib.h" "$deps/include/"

# liblzma as its crate builds it: every source of the library's parts, single-threaded, with the
# crate's config.h (no autotools run).
lzma="$(crate_dir liblzma-sys)"
mapfile -t lzma_sources < <(
  find "$lzma/xz/src/liblzma"/{common,lzma,lz,check,delta,rangecoder,simple} -maxdepth 1 -name '*.c' \
    ! -name '*_mt.c' ! -name 'crc32_small.c' ! -name 'crc64_small.c' ! -name 'crc_clmul_consts_gen.c' | sort
  printf '%s\n' "$lzma/xz/src/common/tuklib_physmem.c" "$lzma/xz/src/common/tuklib_cpucores.c"
)
lzma_includes=()
for d in api lzma lz check simple delta common rangecoder; do lzma_includes+=("-I$lzma/xz/src/liblzma/$d"); done
static_lib lzma -std=c99 -DHAVE_CONFIG_H -DNDEBUG "${lzma_includes[@]}" "-I$lzma/xz/src/common" "-I$lzma" -- \
  "${lzma_sources[@]}"
cp -a "$lzma/xz/src/liblzma/api/." "$deps/include/"

# SQLite without threads, extension loading, memory-mapped I/O or WAL (WASI has no threads,
# dlopen or mmap), with temporary tables in memory; its unix VFS over WASI files. Optimised for
# size (it is the largest library here); JSON and the math functions are in, the FTS, R-tree and
# dbstat extensions are not.
sqlite="$(crate_dir libsqlite3-sys)/sqlite3"
static_lib sqlite3 -Os $wasi_defines -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL \
  -DSQLITE_MAX_MMAP_SIZE=0 -DSQLITE_TEMP_STORE=3 -DSQLITE_DEFAULT_MEMSTATUS=0 \
  -DSQLITE_ENABLE_MATH_FUNCTIONS -DLONGDOUBLE_TYPE=double -- \
  "$sqlite/sqlite3.c"
cp "$sqlite/sqlite3.h" "$deps/include/"

step "unpack CPython $cpython_version"
mkdir -p "$work/src"
tar -xJf "$sources/$cpython_file" -C "$work/src" --strip-components=1 || fail "cannot unpack $cpython_file"

# The native "build Python" a cross build needs, from the same tarball. It has its own cache entry,
# so that a change to the wasm build below does not rebuild it.
host_key=$(inputs_hash "$cpython_file $cpython_sha" "$(gcc --version | head -1)" "host-python 1")
host_python="$CACHE_ROOT/host-python-$host_key"
if [ ! -f "$host_python/.complete" ]; then
  step "native build Python $cpython_version (needed to cross-compile; about 5 min on 2 cores)"
  rm -rf "$host_python"
  mkdir -p "$work/build-python"
  (cd "$work/build-python" && unset CC CPP AR RANLIB && \
    logged "$work/build-python-configure.log" ../src/configure --prefix="$host_python" \
      --without-ensurepip --disable-test-modules)
  (cd "$work/build-python" && unset CC CPP AR RANLIB && logged "$work/build-python-make.log" make -j"$(nproc)" all)
  (cd "$work/build-python" && logged "$work/build-python-install.log" make install)
  touch "$host_python/.complete"
fi
cp -a "$host_python" "$out/host-python"

# configure leaves pymalloc out on WASI by default, so every Python object would come from libc's
# malloc; CPython's small-object allocator works the same over malloc'd arenas and is faster and
# denser (fewer bytes per object in the snapshot, cheaper calls). The optional modules find their
# libraries through the *_CFLAGS/*_LIBS variables, not pkg-config.
step "configure CPython for wasm32-wasip1"
# `sys.version` records the build's date and time (__DATE__/__TIME__); a fixed one keeps the
# runtime byte-identical wherever and whenever it is built.
export SOURCE_DATE_EPOCH=315532800
config_site=$(find "$work/src/Tools/wasm" -name 'config.site-wasm32-wasi' | head -1)
[ -n "$config_site" ] || fail "CPython $cpython_version has no Tools/wasm/**/config.site-wasm32-wasi"
mkdir -p "$work/wasi"
(cd "$work/wasi" && \
  CONFIG_SITE="$config_site" \
  CFLAGS="-O2 $wasi_defines $prefix_map" \
  LDFLAGS="-lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks" \
  ZLIB_CFLAGS="-I$deps/include" ZLIB_LIBS="-L$out/lib -lz" \
  BZIP2_CFLAGS="-I$deps/include" BZIP2_LIBS="-L$out/lib -lbz2" \
  LIBLZMA_CFLAGS="-I$deps/include" LIBLZMA_LIBS="-L$out/lib -llzma" \
  LIBSQLITE3_CFLAGS="-I$deps/include" LIBSQLITE3_LIBS="-L$out/lib -lsqlite3" \
  PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$out/sysroot/lib/pkgconfig" \
  ac_cv_func_dlopen=no ac_cv_lib_dl_dlopen=no \
  logged "$work/wasi-configure.log" ../src/configure \
    --host=wasm32-wasip1 --build=x86_64-pc-linux-gnu \
    --with-build-python="$host_python/bin/python$CPYTHON_MINOR" \
    --disable-test-modules --without-ensurepip --disable-ipv6 --with-pymalloc)

step "build CPython for wasm32-wasip1 (about 3 min on 2 cores)"
(cd "$work/wasi" && logged "$work/wasi-make.log" make -j"$(nproc)" all)

step "collect CPython outputs"
w="$work/wasi"
for module in _sqlite3 _lzma _bz2 zlib; do
  grep -q "^MODBUILT_NAMES=.*\b$module\b" "$w/Makefile" ||
    fail "configure left out the $module module (see $work/wasi-configure.log)"
done
[ -f "$w/libpython$CPYTHON_MINOR.a" ] || fail "the CPython build did not produce libpython$CPYTHON_MINOR.a"
cp "$w/libpython$CPYTHON_MINOR.a" "$out/lib/"
# The helper archives (libmpdec, libexpat, HACL*) that `make install` leaves out.
mapfile -t helpers < <(cd "$w" && find Modules -name 'lib*.a' | sort)
[ ${#helpers[@]} -gt 0 ] || fail "the CPython build produced no helper archives under Modules/"
for a in "${helpers[@]}"; do cp "$w/$a" "$out/lib/"; done
{
  for a in "${helpers[@]}"; do a=$(basename "$a" .a); echo "${a#lib}"; done
  printf '%s\n' z bz2 lzma sqlite3
} >"$out/link-libs"
cp -a "$work/src/Include/." "$out/include/"
cp "$w/pyconfig.h" "$out/include/"
cp -a "$work/src/Lib" "$out/stdlib"
sysconfigdata=$(find "$w/build" -name '_sysconfigdata_*.py' | head -1)
[ -n "$sysconfigdata" ] || fail "the CPython build did not produce _sysconfigdata_*.py"
cp "$sysconfigdata" "$out/stdlib/"
echo "$cpython_version" >"$out/version"

touch "$out/.complete"
rm -rf "$work"
echo "$out"
