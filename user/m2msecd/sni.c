// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: the server name a ClientHello asks for, read before wolfSSL sees
 * it, so that the server's credentials can be chosen by it in both DTLS
 * versions.
 *
 *   record header (RFC 6347 4.1)    type 22, version, epoch, seq, length: 13
 *   handshake header (4.2.2)        type 1, length(3), message_seq(2),
 *                                   fragment_offset(3), fragment_length(3)
 *   ClientHello (4.2.1)             version(2) random(32) session_id<1>
 *                                   cookie<1> cipher_suites<2>
 *                                   compression_methods<1> extensions<2>
 *   server_name (RFC 6066 3)        list<2>: name_type(1) = 0, name<2>
 *
 * Only an unfragmented ClientHello in the first record is looked at.
 */
#include <string.h>

#include "m2msecd.h"

static unsigned int be(const uint8_t *p, int n)
{
	unsigned int v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

int hsd_clienthello_sni(const uint8_t *d, size_t len, char *out,
			size_t outlen)
{
	size_t off, end, n, ext_end, t, l;

	if (len < 13 + 12 || d[0] != 22)
		return -1;
	end = 13 + be(d + 11, 2);
	if (end > len || d[13] != 1 || be(d + 19, 3) != 0 ||
	    be(d + 14, 3) != be(d + 22, 3))
		return -1;
	if (13 + 12 + be(d + 14, 3) < end)
		end = 13 + 12 + be(d + 14, 3);
	off = 13 + 12 + 2 + 32;
	/* session_id, cookie: 1-byte lengths; suites: 2; compression: 1 */
	if (off + 1 > end)
		return -1;
	off += 1 + d[off];
	if (off + 1 > end)
		return -1;
	off += 1 + d[off];
	if (off + 2 > end)
		return -1;
	off += 2 + be(d + off, 2);
	if (off + 1 > end)
		return -1;
	off += 1 + d[off];
	if (off + 2 > end)
		return -1;
	ext_end = off + 2 + be(d + off, 2);
	off += 2;
	if (ext_end > end)
		return -1;
	while (off + 4 <= ext_end) {
		t = be(d + off, 2);
		l = be(d + off + 2, 2);
		off += 4;
		if (off + l > ext_end)
			return -1;
		if (t == 0 && l >= 5 && d[off + 2] == 0) {
			n = be(d + off + 3, 2);
			if (5 + n > l || n == 0 || n >= outlen ||
			    memchr(d + off + 5, 0, n))
				return -1;
			memcpy(out, d + off + 5, n);
			out[n] = 0;
			return 0;
		}
		off += l;
	}
	return -1;
}
