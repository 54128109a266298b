#!/usr/bin/env bash
# Builds CPython 3.13 (and zlib) for wasm32-wasip1 from Debian trixie's sources with Debian's clang-19,
# into "$CACHE_ROOT/cpython-<hash>". Prints that directory. A finished entry is reused as it is.
#
# The entry holds:
#   sysroot/     trixie's wasi-libc, laid out for --target=wasm32-wasip1
#   resource/    a clang resource dir that finds the wasm32 compiler-rt builtins
#   lib/         libpython3.13.a, libmpdec.a, libexpat.a, libHacl_Hash_SHA2.a, libz.a
#   include/     CPython's headers (with pyconfig.h)
#   stdlib/      the pure-Python standard library (Lib/ plus the generated sysconfig data)
#   host-python/ the native Python 3.13 the cross build used, installed (compiles the bundle's .pyc)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require clang-19 llvm-ar-19 llvm-ranlib-19 wasm-ld-19 apt-get dpkg-deb make sha256sum
key=$(inputs_hash "$RUNTIME_DIR/cpython.sh" "$RUNTIME_DIR/common.sh" "$(clang-19 --version | head -1)")
out="$CACHE_ROOT/cpython-$key"
if [ -f "$out/.complete" ]; then echo "$out"; exit 0; fi

sources="$CACHE_ROOT/sources"
work="$CACHE_ROOT/work/cpython-$key"
rm -rf "$work" "$out"
mkdir -p "$sources" "$work" "$out/lib" "$out/include"

step "fetch sources from Debian trixie"
fetch_source() { # package orig sha
  if [ ! -f "$sources/$2" ] || ! (sha256sum "$sources/$2" | grep -q "^$3 "); then
    (cd "$sources" && logged "$work/fetch-$1.log" apt-get source --download-only -qq "$1/trixie")
  fi
  [ -f "$sources/$2" ] || fail "apt-get source $1/trixie did not produce $2 (is the trixie deb-src entry there? run runtime/toolchain.sh)"
  check_sha256 "$sources/$2" "$3"
}
fetch_source python3.13 "$CPYTHON_ORIG" "$CPYTHON_SHA256"
fetch_source zlib "$ZLIB_ORIG" "$ZLIB_SHA256"
if [ ! -f "$sources/$WASI_LIBC_DEB" ]; then
  (cd "$sources" && logged "$work/fetch-wasi-libc.log" apt-get download -qq wasi-libc/trixie)
fi
[ -f "$sources/$WASI_LIBC_DEB" ] || fail "apt-get download wasi-libc/trixie did not produce $WASI_LIBC_DEB"
check_sha256 "$sources/$WASI_LIBC_DEB" "$WASI_LIBC_SHA256"

step "wasm32-wasip1 sysroot and clang resource dir"
dpkg-deb -x "$sources/$WASI_LIBC_DEB" "$work/wasi-libc" || fail "cannot unpack $WASI_LIBC_DEB"
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

step "zlib for wasm32-wasip1"
mkdir -p "$work/zlib"
tar -xzf "$sources/$ZLIB_ORIG" -C "$work/zlib" --strip-components=1 || fail "cannot unpack $ZLIB_ORIG"
(cd "$work/zlib" && CFLAGS="-O2 $prefix_map" CHOST=wasm32 \
  logged "$work/zlib-configure.log" ./configure --static --prefix="$work/zlib-prefix")
(cd "$work/zlib" && logged "$work/zlib-make.log" make -j"$(nproc)" libz.a)
cp "$work/zlib/libz.a" "$out/lib/"
mkdir -p "$work/zlib-prefix/include"
cp "$work/zlib/zlib.h" "$work/zlib/zconf.h" "$work/zlib-prefix/include/"

step "unpack CPython $CPYTHON_VERSION"
mkdir -p "$work/src"
tar -xJf "$sources/$CPYTHON_ORIG" -C "$work/src" --strip-components=1 || fail "cannot unpack $CPYTHON_ORIG"

step "native build Python (needed to cross-compile; about 5 min on 2 cores)"
mkdir -p "$work/build-python"
(cd "$work/build-python" && unset CC CPP AR RANLIB && \
  logged "$work/build-python-configure.log" ../src/configure --prefix="$out/host-python" \
    --without-ensurepip --disable-test-modules)
(cd "$work/build-python" && unset CC CPP AR RANLIB && logged "$work/build-python-make.log" make -j"$(nproc)" all)
(cd "$work/build-python" && logged "$work/build-python-install.log" make install)

# configure leaves pymalloc out on WASI by default, so every Python object would come from libc's
# malloc; CPython's small-object allocator works the same over malloc'd arenas and is faster and
# denser (fewer bytes per object in the snapshot, cheaper calls).
step "configure CPython for wasm32-wasip1"
mkdir -p "$work/wasi"
(cd "$work/wasi" && \
  CONFIG_SITE="$work/src/Tools/wasm/config.site-wasm32-wasi" \
  CFLAGS="-O2 $wasi_defines $prefix_map" \
  LDFLAGS="-lwasi-emulated-signal -lwasi-emulated-getpid -lwasi-emulated-process-clocks" \
  ZLIB_CFLAGS="-I$work/zlib-prefix/include" ZLIB_LIBS="$out/lib/libz.a" \
  PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$out/sysroot/lib/pkgconfig" \
  ac_cv_func_dlopen=no ac_cv_lib_dl_dlopen=no \
  logged "$work/wasi-configure.log" ../src/configure \
    --host=wasm32-wasip1 --build=x86_64-pc-linux-gnu \
    --with-build-python="$out/host-python/bin/python3.13" \
    --disable-test-modules --without-ensurepip --disable-ipv6 --with-pymalloc)

step "build CPython for wasm32-wasip1 (about 3 min on 2 cores)"
(cd "$work/wasi" && logged "$work/wasi-make.log" make -j"$(nproc)" all)

step "collect CPython outputs"
w="$work/wasi"
for a in libpython3.13.a Modules/_decimal/libmpdec/libmpdec.a Modules/expat/libexpat.a \
         Modules/_hacl/libHacl_Hash_SHA2.a; do
  [ -f "$w/$a" ] || fail "the CPython build did not produce $a"
  cp "$w/$a" "$out/lib/"
done
cp -a "$work/src/Include/." "$out/include/"
cp "$w/pyconfig.h" "$out/include/"
cp -a "$work/src/Lib" "$out/stdlib"
sysconfigdata=$(find "$w/build" -name '_sysconfigdata_*.py' | head -1)
[ -n "$sysconfigdata" ] || fail "the CPython build did not produce _sysconfigdata_*.py"
cp "$sysconfigdata" "$out/stdlib/"

touch "$out/.complete"
rm -rf "$work"
echo "$out"
