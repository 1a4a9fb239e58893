#!/bin/bash
# Build wolfSSL with DTLS 1.3, Connection ID, PSK and the secret callback into
# a cached prefix. Debian's libwolfssl lacks DTLS 1.3 and the secret callback,
# so the Debian source package is rebuilt with the features m2msecd needs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"

# Bump whenever the configuration below changes: a cached build whose stamp
# differs is rebuilt.
RECIPE="m2msec-wolfssl-r2 cmake dtls dtls13 cid8 psk static-psk aesccm aesgcm chacha-poly tls13 opensslextra keying-material sni tickets hkdf secret-cb rpk server-reneg-info shared examples"
# Extra definitions passed in CFLAGS. WOLFSSL_STATIC_PSK enables the plain
# PSK suites of (D)TLS 1.2 (TLS_PSK_WITH_AES_128_CCM_8 is oneM2M's mandatory
# one); DTLS_CID_MAX_SIZE raises the 2-byte default Connection ID limit.
# HAVE_RPK: raw public keys (RFC 7250, certificate type extensions; this
# version's CMakeLists.txt has no switch for it). HAVE_SERVER_RENEGOTIATION_INFO:
# a server answers with the renegotiation_info extension (RFC 5746), which
# OpenSSL 3 clients require unless run with -legacy_server_connect; wolfSSL
# still refuses renegotiation itself. cmake's generated options.h only knows
# the macros listed in cmake/options.h.in, so these must also be defined by
# every consumer (written to $W/cflags and appended to the installed
# options.h).
EXTRA_DEFS=(-DHAVE_SECRET_CALLBACK -DDTLS_CID_MAX_SIZE=8 -DWOLFSSL_STATIC_PSK
    -DHAVE_RPK -DHAVE_SERVER_RENEGOTIATION_INFO)
MIRROR=http://deb.debian.org/debian
SUITES=(trixie bookworm) # preferred first

usage() {
    cat <<EOF
Usage: scripts/build-wolfssl.sh [--force] [--help]

Provide a wolfSSL with DTLS 1.2/1.3, Connection ID (up to 8 bytes), PSK,
AES-CCM/GCM, ChaCha20-Poly1305, TLS 1.3, OpenSSL-extra API, keying material
exporter, SNI, raw public keys (RFC 7250), renegotiation_info from servers
and the secret callback.

A system wolfSSL with these features (/usr/include/wolfssl/options.h) is used
when present. Otherwise Debian's wolfssl source package (trixie, falling back
to bookworm) is fetched with a private apt configuration, unpacked and built
with cmake into \$M2MSEC_CACHE/wolfssl/prefix. A stamp skips the work on
later runs.

M2MSEC_CACHE (default /var/cache/m2msec) selects the cache, so a changed
recipe can be tried without touching the shared one:
  M2MSEC_CACHE=/var/cache/m2msec-try scripts/build-wolfssl.sh
  make -C user M2MSEC_CACHE=/var/cache/m2msec-try

Recorded in \$M2MSEC_CACHE/wolfssl/ (default /var/cache/m2msec/wolfssl/),
one line each:
  prefixdir  installation prefix (include/, lib/, lib/pkgconfig/wolfssl.pc)
  cflags     extra -D flags every consumer must compile with
  libs       linker flags (-L, rpath, -lwolfssl)
  srcdir     unpacked source tree; run the examples with this as cwd
  examples   directory with the example 'client' and 'server' executables
  origin     'built' or 'system'
  version    wolfSSL version

Options:
  --force      rebuild even if the stamp matches
  -h, --help   show this help
EOF
}

force=0
while [[ $# -gt 0 ]]; do
    case $1 in
    --force) force=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; m2msec_die "unknown argument: $1" ;;
    esac
    shift
done

W="$M2MSEC_CACHE/wolfssl"
A="$M2MSEC_CACHE/apt-src"
PREFIX="$W/prefix"
start=$SECONDS

record() { printf '%s\n' "$2" >"$W/$1.tmp" && mv -f "$W/$1.tmp" "$W/$1"; }

# --- 1. a system wolfSSL that already has everything -----------------------
sys_opts=/usr/include/wolfssl/options.h
if [[ -r $sys_opts ]] && grep -q '^#define WOLFSSL_DTLS13' "$sys_opts" &&
    grep -q '^#define WOLFSSL_DTLS_CID' "$sys_opts" &&
    grep -q '^#define HAVE_SECRET_CALLBACK' "$sys_opts" &&
    ! grep -q '^#define NO_PSK' "$sys_opts"; then
    mkdir -p "$W"
    record origin system
    record prefixdir /usr
    record cflags ""
    record libs "-lwolfssl"
    record version "$(pkg-config --modversion wolfssl 2>/dev/null || echo unknown)"
    rm -f "$W/srcdir" "$W/examples" "$W/.stamp"
    m2msec_log "using the system wolfSSL (has DTLS 1.3, CID, PSK, secret callback)"
    exit 0
fi

# --- 2. cached build ---------------------------------------------------------
if [[ $force -eq 0 && -r $W/.stamp ]] && [[ "$(cat "$W/.stamp")" == "$RECIPE" ]] &&
    [[ -e $PREFIX/lib/libwolfssl.so ]] && [[ -d "$(cat "$W/srcdir" 2>/dev/null)" ]]; then
    m2msec_log "cached build is current ($PREFIX)"
    exit 0
fi

m2msec_require_root
for tool in apt-get dpkg-source cmake make cc; do
    command -v "$tool" >/dev/null || m2msec_die "'$tool' not found; run scripts/deps.sh --no-wolfssl first"
done
mkdir -p "$W"
rm -f "$W/.stamp"

# --- 3. fetch the Debian source package with a private apt configuration ----
# The system's apt configuration stays untouched: own sources.list (deb-src
# only), own lists and cache directories.
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/sources.list.d" "$A/dl"
{
    for s in "${SUITES[@]}"; do printf 'deb-src %s %s main\n' "$MIRROR" "$s"; done
} >"$A/sources.list"
apt_opts=(
    -o "Dir::Etc::SourceList=$A/sources.list"
    -o "Dir::Etc::SourceParts=$A/sources.list.d"
    -o "Dir::State::Lists=$A/lists"
    -o "Dir::Cache=$A/cache"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
    -o "Acquire::Languages=none"
)
m2msec_log "fetching source package lists (${SUITES[*]}) into $A"
apt-get "${apt_opts[@]}" -qq update || m2msec_die "apt-get update with the private source list failed ($A/sources.list)"

dsc=
for s in "${SUITES[@]}"; do
    rm -rf "$A/dl/$s"
    mkdir -p "$A/dl/$s"
    if (cd "$A/dl/$s" && apt-get "${apt_opts[@]}" -qq source --download-only "wolfssl/$s" >/dev/null); then
        for f in "$A/dl/$s"/wolfssl_*.dsc; do
            [[ -f $f ]] && dsc=$f
        done
        [[ -n $dsc ]] && break
    fi
    m2msec_log "wolfssl source from $s not available, trying the next suite"
done
[[ -n $dsc ]] || m2msec_die "could not download Debian's wolfssl source package from ${SUITES[*]}"

debver=$(sed -n 's/^Version: //p' "$dsc" | head -n 1)
upver=${debver%%-*}
upver=${upver#*:}
src="$W/src-$debver"
if [[ ! -f $src/CMakeLists.txt ]]; then
    rm -rf "$src"
    m2msec_log "unpacking wolfssl $debver"
    dpkg-source --no-check -x "$dsc" "$src" >/dev/null || m2msec_die "dpkg-source -x $dsc failed"
    # dpkg-source leaves a copy of the upstream tarball next to the tree.
    rm -f "$W"/wolfssl_*.orig.tar.*
fi
[[ -f $src/CMakeLists.txt ]] || m2msec_die "$src has no CMakeLists.txt; cannot build without autoreconf"

# --- 4. configure and build ---------------------------------------------------
# Every option used must exist in this version's CMakeLists.txt: a silently
# ignored option would produce a library without the feature.
cm_opts=(
    WOLFSSL_DTLS WOLFSSL_DTLS13 WOLFSSL_DTLS_CID WOLFSSL_TLS13
    WOLFSSL_AESCCM WOLFSSL_AESGCM WOLFSSL_CHACHA WOLFSSL_POLY1305
    WOLFSSL_OPENSSLEXTRA WOLFSSL_KEYING_MATERIAL WOLFSSL_SNI
    WOLFSSL_SESSION_TICKET WOLFSSL_HKDF WOLFSSL_EXAMPLES
)
cmake_args=()
for o in "${cm_opts[@]}"; do
    grep -q "add_option(\"\\?$o\"\\?[[:space:]]" "$src/CMakeLists.txt" ||
        grep -q "add_option(\"\\?$o\"\\?\$" "$src/CMakeLists.txt" ||
        m2msec_die "wolfssl $debver: cmake option $o does not exist"
    cmake_args+=("-D$o=yes")
done
# PSK is a plain cache variable (no add_option) that keeps NO_PSK undefined.
grep -q 'NOT WOLFSSL_PSK' "$src/CMakeLists.txt" || m2msec_die "wolfssl $debver: no WOLFSSL_PSK switch in CMakeLists.txt"
grep -q '#ifndef DTLS_CID_MAX_SIZE' "$src/wolfssl/internal.h" ||
    m2msec_die "wolfssl $debver: DTLS_CID_MAX_SIZE cannot be overridden"

# GCC 12 reports a false stringop-overflow in tls.c and wolfSSL builds with
# -Werror: keep the warning, not the error.
cflags="${EXTRA_DEFS[*]} -Wno-error=stringop-overflow"
build="$W/build"
rm -rf "$build" "$PREFIX"
mkdir -p "$build"
m2msec_log "configuring wolfssl $debver (log: $build/cmake.log)"
cmake -S "$src" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_INSTALL_RPATH="$PREFIX/lib" \
    -DCMAKE_C_FLAGS="$cflags" \
    -DBUILD_SHARED_LIBS=yes \
    -DWOLFSSL_PSK=yes \
    -DWOLFSSL_CRYPT_TESTS=no \
    "${cmake_args[@]}" >"$build/cmake.log" 2>&1 ||
    { tail -n 30 "$build/cmake.log" >&2; m2msec_die "cmake configure failed (see $build/cmake.log)"; }

m2msec_log "building (log: $build/build.log)"
# Only the library and the example programs: the unit test suite would double
# the build time and is not used.
cmake --build "$build" -j "$(nproc)" --target wolfssl client server echoclient echoserver \
    >"$build/build.log" 2>&1 ||
    { grep -E 'error|Error' "$build/build.log" | head -n 20 >&2; m2msec_die "build failed (see $build/build.log)"; }
cmake --install "$build" >"$build/install.log" 2>&1 ||
    { tail -n 20 "$build/install.log" >&2; m2msec_die "install failed (see $build/install.log)"; }

opts_h="$PREFIX/include/wolfssl/options.h"
[[ -f $opts_h ]] || m2msec_die "$opts_h was not installed"
for m in WOLFSSL_DTLS13 WOLFSSL_DTLS_CID WOLFSSL_DTLS HAVE_AESCCM HAVE_SNI OPENSSL_EXTRA HAVE_KEYING_MATERIAL; do
    grep -q "^#define $m\$" "$opts_h" || m2msec_die "$opts_h lacks $m: the cmake options had no effect"
done
grep -q '^#define NO_PSK' "$opts_h" && m2msec_die "$opts_h defines NO_PSK"

# Make the installed options.h describe the library as built, so a consumer
# that forgets the cflags file still sees the same configuration.
{
    printf '\n/* Definitions this build passed in CFLAGS, which cmake does not carry\n'
    printf ' * into options.h. Consumers must see the same configuration. */\n'
    for d in "${EXTRA_DEFS[@]}"; do
        d=${d#-D}
        name=${d%%=*}
        val=
        [[ $d == *=* ]] && val=" ${d#*=}"
        printf '#ifndef %s\n#define %s%s\n#endif\n' "$name" "$name" "$val"
    done
} >>"$opts_h"

ex="$build/examples"
for p in client/client server/server; do
    [[ -x $ex/$p ]] || m2msec_die "example program $ex/$p was not built"
done
mkdir -p "$W/bin"
for p in client server echoclient echoserver; do
    ln -sfn "$ex/$p/$p" "$W/bin/$p"
done

# --- 5. verify the features really exist --------------------------------------
chk="$W/check"
mkdir -p "$chk"
cat >"$chk/check.c" <<'EOF'
/* Fails unless the library offers what m2msecd relies on. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <stdio.h>
#include <string.h>

static int secret_cb(WOLFSSL *ssl, int id, const unsigned char *secret,
                     int secret_sz, void *ctx)
{
    (void)ssl; (void)id; (void)secret; (void)secret_sz; (void)ctx;
    return 0;
}

static unsigned int psk_cb(WOLFSSL *ssl, const char *hint, char *identity,
                           unsigned int id_max, unsigned char *key,
                           unsigned int key_max)
{
    (void)ssl; (void)hint; (void)identity; (void)id_max; (void)key;
    (void)key_max;
    return 0;
}

static int fail(const char *what)
{
    fprintf(stderr, "wolfssl check: %s\n", what);
    return 1;
}

int main(void)
{
    static const char *suites13[] = {
        "TLS13-AES128-GCM-SHA256", "TLS13-AES256-GCM-SHA384",
        "TLS13-CHACHA20-POLY1305-SHA256", "TLS13-AES128-CCM-SHA256",
        "TLS13-AES128-CCM-8-SHA256",
    };
    static const char *suites12[] = {
        "PSK-AES128-CCM-8", "PSK-AES128-CCM", "PSK-AES128-GCM-SHA256",
    };
    unsigned char cid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    unsigned char out[32];
    WOLFSSL_CTX *ctx, *ctx12;
    WOLFSSL *ssl;
    size_t i;

    if (wolfSSL_Init() != WOLFSSL_SUCCESS)
        return fail("wolfSSL_Init");
    ctx = wolfSSL_CTX_new(wolfDTLSv1_3_client_method());
    if (!ctx)
        return fail("no DTLS 1.3 client method");
    wolfSSL_CTX_set_psk_client_callback(ctx, psk_cb);
    for (i = 0; i < sizeof(suites13) / sizeof(suites13[0]); i++)
        if (wolfSSL_CTX_set_cipher_list(ctx, suites13[i]) != WOLFSSL_SUCCESS)
            return fail(suites13[i]);
    ssl = wolfSSL_new(ctx);
    if (!ssl)
        return fail("wolfSSL_new");
    if (wolfSSL_dtls_cid_use(ssl) != WOLFSSL_SUCCESS)
        return fail("wolfSSL_dtls_cid_use");
    if (wolfSSL_dtls_cid_set(ssl, cid, sizeof(cid)) != WOLFSSL_SUCCESS)
        return fail("8-byte connection ID rejected (DTLS_CID_MAX_SIZE)");
    if (wolfSSL_set_tls13_secret_cb(ssl, secret_cb, NULL) != WOLFSSL_SUCCESS)
        return fail("wolfSSL_set_tls13_secret_cb");
    if (wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, "cse.example", 11) != WOLFSSL_SUCCESS)
        return fail("wolfSSL_UseSNI");
#ifndef HAVE_RPK
    return fail("HAVE_RPK is not defined");
#else
    {
        char types[] = { WOLFSSL_CERT_TYPE_RPK, WOLFSSL_CERT_TYPE_X509 };

        if (wolfSSL_set_server_cert_type(ssl, types, 2) != WOLFSSL_SUCCESS ||
            wolfSSL_set_client_cert_type(ssl, types, 2) != WOLFSSL_SUCCESS)
            return fail("raw public key certificate types (RFC 7250)");
    }
#endif
    /* Not connected, so it must fail; the call only proves that the
     * exporter is declared and linked. */
    if (wolfSSL_export_keying_material(ssl, out, sizeof(out), "EXPORTER-m2msec",
                                       15, NULL, 0, 0) == WOLFSSL_SUCCESS)
        return fail("wolfSSL_export_keying_material succeeded without a handshake");
    wolfSSL_free(ssl);

    ctx12 = wolfSSL_CTX_new(wolfDTLSv1_2_client_method());
    if (!ctx12)
        return fail("no DTLS 1.2 client method");
    for (i = 0; i < sizeof(suites12) / sizeof(suites12[0]); i++)
        if (wolfSSL_CTX_set_cipher_list(ctx12, suites12[i]) != WOLFSSL_SUCCESS)
            return fail(suites12[i]);
    wolfSSL_CTX_free(ctx12);
    wolfSSL_CTX_free(ctx);
    wolfSSL_Cleanup();
    printf("wolfssl check: ok (%s)\n", LIBWOLFSSL_VERSION_STRING);
    return 0;
}
EOF
libs="-L$PREFIX/lib -Wl,-rpath,$PREFIX/lib -lwolfssl"
cc -Wall -Werror "${EXTRA_DEFS[@]}" -I"$PREFIX/include" -o "$chk/check" "$chk/check.c" \
    -L"$PREFIX/lib" -Wl,-rpath,"$PREFIX/lib" -lwolfssl ||
    m2msec_die "the feature check program does not compile/link against $PREFIX"
"$chk/check" || m2msec_die "the feature check failed against $PREFIX"
# The examples refuse to run outside the source root ("wolf root not found").
for p in client server; do
    (cd "$src" && "$W/bin/$p" -? >/dev/null 2>&1) ||
        m2msec_die "the example $p does not run from $src"
done

record origin built
record prefixdir "$PREFIX"
record cflags "${EXTRA_DEFS[*]}"
record libs "$libs"
record srcdir "$src"
record examples "$W/bin"
record version "$upver"
# Remove older unpacked trees (a new Debian revision unpacks elsewhere).
for old in "$W"/src-*; do
    [[ $old == "$src" ]] || rm -rf "$old"
done
printf '%s\n' "$RECIPE" >"$W/.stamp"
m2msec_log "wolfSSL $debver built into $PREFIX in $((SECONDS - start))s"
