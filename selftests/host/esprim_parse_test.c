// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: the ESPrim parsers of m2msec.ko (kmod/b64url.c,
 * kmod/jwe.c, kmod/jwe_header.c) built for userspace with ASan/UBSan.
 */
#include "../../kmod/b64url.h"
#include "../../kmod/jwe.h"
#include "../../kmod/jwe_header.h"
#include "../ktap.h"

struct b64_case {
	const char *in;
	long want;		/* decoded length, or -EINVAL */
	const char *what;
};

static const struct b64_case b64_cases[] = {
	{ "", 0, "the empty string decodes to nothing" },
	{ "Zg", 1, "'Zg' is canonical for one byte" },
	{ "Zh", -EINVAL, "'Zh' has non-zero unused bits (non-canonical)" },
	{ "Zm8", 2, "'Zm8' is canonical for two bytes" },
	{ "Zm9", -EINVAL, "'Zm9' has non-zero unused bits" },
	{ "Zm9v", 3, "four characters are three bytes" },
	{ "Zg==", -EINVAL, "padding is refused" },
	{ "Z", -EINVAL, "a length of 1 mod 4 is refused" },
	{ "Zm9vY", -EINVAL, "a length of 5 is refused" },
	{ "-_-_", 3, "'-' and '_' are in the alphabet" },
	{ "+/+/", -EINVAL, "'+' and '/' (base64) are refused" },
	{ "Zm 9v", -EINVAL, "whitespace is refused" },
	{ "Zm9v\n", -EINVAL, "a newline is refused" },
	{ "Zm9\xc3", -EINVAL, "non-ASCII bytes are refused" },
};

struct hdr_case {
	const char *json;
	int want;
	const char *what;
};

#define H(rest) "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"" rest "}"
#define ORO(body) H(",\"oro\":{\"esri\":\"o\",\"esrv\":\"AAAAAAAAAAAAAAAAAAAAAA==\"" body "}")

static const struct hdr_case hdr_cases[] = {
	{ H(""), 0, "the minimal ESPrim header parses" },
	{ "{ \"alg\" : \"dir\" ,\n\t\"enc\":\"A256GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\" }",
	  0, "JSON whitespace between tokens is accepted" },
	{ H(",\"cty\":\"application/json\""), 0, "cty is accepted" },
	{ ORO(",\"esrx\":\"20300101T000000\",\"esk\":1,\"espa\":[10,11]"), 0,
	  "oro with absolute esrx, esk and espa parses" },
	{ ORO(",\"esrx\":\"5000\""), 0, "oro with a relative esrx string parses" },
	{ ORO(",\"esrx\":5000"), 0, "oro with a relative esrx number parses" },
	{ ORO(",\"esrx\":\"20300230T000000\""), -EINVAL, "oro with 30 February is refused" },
	{ ORO(",\"esrx\":\"2030-01-01T00:00:00\""), -EINVAL, "an ISO 8601 extended esrx is refused" },
	{ ORO(",\"esrx\":05000"), -EINVAL, "a number with a leading zero is refused" },
	{ ORO(",\"esrx\":5e3"), -EINVAL, "a number with an exponent is refused" },
	{ ORO(",\"esrx\":-1"), -EINVAL, "a negative number is refused" },
	{ ORO(",\"esrx\":1,\"esk\":1,\"esks\":[1]"), -EINVAL, "esk and esks together are refused" },
	{ ORO(",\"esrx\":1,\"esri\":\"o\""), -EINVAL, "a duplicate member inside oro is refused" },
	{ ORO(",\"esrx\":1,\"x\":1"), -EINVAL, "an unknown member inside oro is refused" },
	{ H(",\"oro\":{\"esri\":\"o\",\"esrv\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"esrx\":1}"),
	  -EINVAL, "esrv without its padding is refused" },
	{ H(",\"oro\":{\"esri\":\"o\",\"esrv\":\"AAAAAAAAAAAAAAAAAAAA\",\"esrx\":1}"),
	  -EINVAL, "esrv of 15 bytes is refused" },
	{ H(",\"oro\":{\"esri\":\"x\",\"esrv\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"esrx\":1}"),
	  -EINVAL, "oro whose esri differs from ori is refused" },
	{ H(",\"kid\":\"k\""), -EINVAL, "a duplicate kid is refused" },
	{ H(",\"zip\":\"DEF\""), -EINVAL, "an unknown member is refused" },
	{ H(",\"crit\":[\"x\"]"), -EOPNOTSUPP, "crit is unsupported" },
	{ "{\"alg\":\"A128KW\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}",
	  -EOPNOTSUPP, "alg other than dir is unsupported" },
	{ "{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\",\"kid\":\"k\",\"ori\":\"o\",\"rri\":\"r\"}",
	  -EOPNOTSUPP, "enc A128CBC-HS256 is unsupported" },
	{ "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\",\"ori\":\"o\"}",
	  -EINVAL, "a header without rri is refused" },
	{ "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\\\"\",\"ori\":\"o\",\"rri\":\"r\"}",
	  -EINVAL, "an escape in a string is refused" },
	{ "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"\",\"ori\":\"o\",\"rri\":\"r\"}",
	  -EINVAL, "an empty kid is refused" },
	{ "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"a b\",\"ori\":\"o\",\"rri\":\"r\"}",
	  -EINVAL, "a kid with a space is refused" },
	{ H("") " x", -EINVAL, "trailing data after the object is refused" },
	{ H(","), -EINVAL, "a trailing comma is refused" },
	{ "[]", -EINVAL, "an array is refused" },
	{ "", -EINVAL, "an empty header is refused" },
};

static int split(const char *s)
{
	struct m2msec_jwe jwe;

	return m2msec_jwe_split(s, strlen(s), &jwe);
}

int main(void)
{
	const int n_b64 = sizeof(b64_cases) / sizeof(b64_cases[0]);
	const int n_hdr = sizeof(hdr_cases) / sizeof(hdr_cases[0]);
	unsigned char out[64];
	struct m2msec_jwe_hdr h;
	char big[600], built[2048];
	long n;
	int i;

	ktap_plan(n_b64 + n_hdr + 9);
	for (i = 0; i < n_b64; i++) {
		n = m2msec_b64url_decode(b64_cases[i].in,
					 strlen(b64_cases[i].in), out);
		ktap_result(n == b64_cases[i].want, "b64url: %s",
			    b64_cases[i].what);
	}
	for (i = 0; i < n_hdr; i++) {
		int err = m2msec_jwe_hdr_parse(hdr_cases[i].json,
					       strlen(hdr_cases[i].json), &h);

		ktap_result(err == hdr_cases[i].want, "jwe header: %s",
			    hdr_cases[i].what);
	}

	memset(big, 'k', sizeof(big));
	memcpy(big, "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"ori\":\"o\",\"rri\":\"r\",\"kid\":\"", 57);
	memcpy(big + sizeof(big) - 2, "\"}", 2);
	ktap_result(m2msec_jwe_hdr_parse(big, sizeof(big), &h) == -EINVAL,
		    "jwe header: a kid longer than %d characters is refused",
		    M2MSEC_ESPRIM_KID_MAX);

	ktap_result(!split("eyJ9..AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA"),
		    "jwe split: five parts, empty key, 12-byte IV, 16-byte tag");
	ktap_result(split("eyJ9.AAAA.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA") == -EINVAL,
		    "jwe split: a non-empty encrypted key is refused");
	ktap_result(split("eyJ9..AAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA") == -EINVAL,
		    "jwe split: a 9-byte IV is refused");
	ktap_result(split("eyJ9..AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAA") == -EINVAL,
		    "jwe split: a 15-byte tag is refused");
	ktap_result(split("eyJ9..AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA.") == -EINVAL,
		    "jwe split: a sixth part is refused");
	ktap_result(split("..AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA") == -EINVAL,
		    "jwe split: an empty protected header is refused");

	i = m2msec_jwe_hdr_parse(hdr_cases[3].json, strlen(hdr_cases[3].json), &h);
	n = i ? -1 : m2msec_jwe_hdr_build(&h, built, sizeof(built));
	ktap_result(n > 0 && (size_t)n == strlen(hdr_cases[3].json) &&
		    !memcmp(built, hdr_cases[3].json, n),
		    "jwe header: building a parsed compact header gives the same bytes");
	n = i ? -1 : m2msec_jwe_hdr_build(&h, built, 20);
	ktap_result(n == -EMSGSIZE,
		    "jwe header: building into a short buffer fails with EMSGSIZE");
	return ktap_exit();
}
