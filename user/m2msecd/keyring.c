// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: PSKs from the kernel keyring.
 *
 *   [psk]
 *   identity CAE-sensor-17
 *   key-keyring m2msec:psk:CAE-sensor-17
 *
 * The key is a "user" key whose payload is the PSK itself (1 to 64 raw
 * bytes).  "logon" keys cannot be read back from userspace, so they
 * cannot hold a PSK that wolfSSL, in this process, must use.  The key is
 * looked up where an operator can provision it for a service:
 *
 *   1. the daemon's session keyring (and what is linked into it);
 *   2. the user keyring of the daemon's UID (keyctl padd user ... @u),
 *      which is reachable even with systemd's KeyringMode=private;
 *   3. the persistent keyring of the daemon's UID (keyctl get_persistent),
 *      which outlives every process of that user.
 *
 * The payload is read at each use (so a key updated in place is used by
 * the next handshake) into a locked, non-dumpable page, copied to
 * wolfSSL and zeroed.  Like a key file, a key that group or other may
 * read, write, link or re-permission is refused.  Nothing here logs key
 * material: errors name the description and the key's serial only.
 */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "m2msecd.h"

/*
 * Key permissions (keyctl(1), "PERMISSIONS"): one byte each for possessor,
 * user, group and other, from the top.  Group and other may not read,
 * write, link (linking gives possession) or change the permissions.
 */
enum {
	KP_READ = 0x02, KP_WRITE = 0x04, KP_LINK = 0x10, KP_SETATTR = 0x20,
	KP_ANY = KP_READ | KP_WRITE | KP_LINK | KP_SETATTR,
	KEY_PERM_LOOSE = KP_ANY << 8 | KP_ANY,	/* group, other */
};

uint8_t *hsd_secret_alloc(void)
{
	void *p = mmap(NULL, HSD_SECRET_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		hsd_log(LOG_ERR, "cannot map memory for key material: %s",
			strerror(errno));
		return NULL;
	}
	if (mlock(p, HSD_SECRET_SIZE)) {
		hsd_log(LOG_ERR, "cannot lock memory for key material: %s (raise RLIMIT_MEMLOCK, systemd: LimitMEMLOCK=)",
			strerror(errno));
		munmap(p, HSD_SECRET_SIZE);
		return NULL;
	}
	/* Not in core dumps; not shared with a child after fork(). */
	madvise(p, HSD_SECRET_SIZE, MADV_DONTDUMP);
	madvise(p, HSD_SECRET_SIZE, MADV_WIPEONFORK);
	return p;
}

void hsd_secret_free(uint8_t *p)
{
	if (!p)
		return;
	explicit_bzero(p, HSD_SECRET_SIZE);
	munlock(p, HSD_SECRET_SIZE);
	munmap(p, HSD_SECRET_SIZE);
}

static long kctl(int cmd, unsigned long a, unsigned long b, unsigned long c,
		 unsigned long d)
{
	return syscall(SYS_keyctl, cmd, a, b, c, d);
}

static int32_t search(int32_t keyring, const char *type, const char *desc)
{
	long id = kctl(KEYCTL_SEARCH, keyring, (unsigned long)type,
		       (unsigned long)desc, 0);

	return id > 0 ? (int32_t)id : -errno;
}

/* Session, user, persistent keyring: see the comment at the top. */
static int32_t find(const char *type, const char *desc)
{
	static const int32_t rings[] = {
		KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING,
	};
	int32_t id = -ENOKEY;
	long pers;
	size_t i;

	for (i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		id = search(rings[i], type, desc);
		if (id != -ENOKEY)
			return id;
	}
	/* Linked into the process keyring, which nl.c uses anyway. */
	pers = kctl(KEYCTL_GET_PERSISTENT, (unsigned long)-1,
		    KEY_SPEC_PROCESS_KEYRING, 0, 0);
	if (pers > 0)
		id = search(pers, type, desc);
	return id;
}

static int loose_perm(int32_t id, uint32_t *perm)
{
	char d[512], *s = d;
	long n = kctl(KEYCTL_DESCRIBE, id, (unsigned long)d, sizeof(d), 0);
	int i;

	if (n <= 0 || n > (long)sizeof(d))
		return -1;
	d[sizeof(d) - 1] = 0;
	/* "type;uid;gid;perm;description" */
	for (i = 0; i < 3 && s; i++) {
		s = strchr(s, ';');
		if (s)
			s++;
	}
	if (!s || sscanf(s, "%x", perm) != 1)
		return -1;
	return !!(*perm & KEY_PERM_LOOSE);
}

int hsd_keyring_psk(const char *desc, uint8_t *buf, size_t *len, char *why,
		    size_t whylen)
{
	int32_t id = find("user", desc);
	uint32_t perm = 0;
	long n;
	int r;

	if (id < 0) {
		if (id == -ENOKEY && find("logon", desc) > 0)
			snprintf(why, whylen, "keyring key '%s' is a logon key, which userspace cannot read; add the PSK as a user key (keyctl padd user '%s' @u)",
				 desc, desc);
		else if (id == -ENOKEY)
			snprintf(why, whylen, "no user key '%s' in the session, user or persistent keyring of m2msecd (keyctl padd user '%s' @u <key.bin)",
				 desc, desc);
		else
			snprintf(why, whylen, "keyring key '%s': %s", desc,
				 strerror(-id));
		return -1;
	}
	r = loose_perm(id, &perm);
	if (r < 0) {
		snprintf(why, whylen, "cannot describe keyring key '%s' (%d): %s",
			 desc, id, strerror(errno));
		return -1;
	}
	if (r) {
		snprintf(why, whylen, "refusing keyring key '%s' (%d): permissions %08x let group or other read, change or link it; run: keyctl setperm %d 0x3f010000",
			 desc, id, perm, id);
		return -1;
	}
	n = kctl(KEYCTL_READ, id, (unsigned long)buf, HSD_SECRET_SIZE, 0);
	if (n < 0) {
		snprintf(why, whylen, "cannot read keyring key '%s' (%d): %s",
			 desc, id, strerror(errno));
		return -1;
	}
	if (n < 1 || n > HSD_PSK_MAX) {
		explicit_bzero(buf, HSD_SECRET_SIZE);
		snprintf(why, whylen, "keyring key '%s' (%d) holds %ld bytes; a PSK is 1 to %d raw bytes (not hex)",
			 desc, id, n, HSD_PSK_MAX);
		return -1;
	}
	*len = n;
	return 0;
}

unsigned int hsd_psk_key(const struct hsd_conf *c, const struct hsd_psk *k,
			 uint8_t *key, unsigned int key_max)
{
	char why[512];
	size_t len;

	if (!k->keyring) {
		if (k->key_len > key_max)
			return 0;
		memcpy(key, k->key, k->key_len);
		return k->key_len;
	}
	if (!c->secret || hsd_keyring_psk(k->keyring, c->secret, &len, why,
					  sizeof(why))) {
		hsd_log(LOG_ERR, "PSK identity '%s': %s", k->identity,
			c->secret ? why : "no locked memory for key material");
		return 0;
	}
	if (len > key_max)
		len = 0;
	else
		memcpy(key, c->secret, len);
	explicit_bzero(c->secret, HSD_PSK_MAX);
	return len;
}
