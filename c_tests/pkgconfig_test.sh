#!/bin/sh
# Packaging test: installs the build into a scratch prefix and builds the
# consumer with `pkg-config --cflags --libs tspar`, shared and static.
# usage: pkgconfig_test.sh CMAKE BUILD_DIR SCRATCH CONSUMER_C DATA CC PKG_CONFIG LIBDIR
set -eu
cmake=$1 build=$2 scratch=$3 src=$4 data=$5 cc=$6 pkgconfig=$7 libdir=$8
rm -rf "$scratch"
mkdir -p "$scratch"
prefix=$scratch/prefix
"$cmake" --install "$build" --prefix "$prefix" >/dev/null
PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
export PKG_CONFIG_PATH

echo "pkg-config --cflags --libs tspar: $("$pkgconfig" --cflags --libs tspar)"
"$pkgconfig" --exists "tspar >= 0.1"
echo "pkg-config --modversion tspar: $("$pkgconfig" --modversion tspar)"
static_libs=$("$pkgconfig" --static --libs tspar)
for l in -lpthread -ldl -lm; do
    case " $static_libs " in
    *" $l "*) ;;
    *) echo "pkg-config --static --libs tspar lacks $l: $static_libs" >&2; exit 1 ;;
    esac
done

# Shared: the library is found at run time through an rpath taken from pkg-config.
lib=$("$pkgconfig" --variable=libdir tspar)
# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$scratch/consumer_pc" "$src" \
    $("$pkgconfig" --cflags --libs tspar) -Wl,-rpath,"$lib"
"$scratch/consumer_pc" "$data" "$scratch"

# Static: the archive by name, then the private libraries from --static.
private=$("$pkgconfig" --static --libs-only-l tspar | sed 's/-ltspar\( \|$\)//')
# shellcheck disable=SC2046,SC2086
"$cc" -std=c99 -Wall -Wextra -Wpedantic -Werror -o "$scratch/consumer_pc_static" "$src" \
    $("$pkgconfig" --cflags tspar) "$lib/libtspar.a" $private
env -u LD_LIBRARY_PATH "$scratch/consumer_pc_static" "$data" "$scratch"
echo "package_pkgconfig: ok"
