// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: a small allocator of locked pages for traffic secrets.
 *
 * mlock() and munlock() work on whole pages.  Objects allocated with
 * malloc() and locked one by one share pages with their neighbours, and
 * munlock() of one freed object unlocks the page under the others, which
 * then may reach swap.  So secrets live in pages of their own, mmap()ed,
 * locked once, excluded from core dumps (MADV_DONTDUMP) and from a child
 * after fork() (MADV_WIPEONFORK), and cut into equal slots:
 *
 *   page (locked)   | slot 0 | slot 1 | ... | slot per_page-1 |
 *   header (heap)   base, bitmap of slots in use, count, locked
 *
 * The headers are not secret and stay outside the pages, so a page holds
 * per_page = page_size / slot_size slots.  A slot is wiped when freed; a
 * page is wiped, unlocked and unmapped when its last slot is freed, never
 * before.  Pages are found by a walk of a list: one per page_size /
 * slot_size associations, a few thousand at most, walked once per
 * association set up or torn down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secmem.h"

struct hsd_secmem_page {
	struct hsd_secmem_page *next;
	uint8_t *base;
	uint64_t used;		/* bit i: slot i in use */
	unsigned int count;
	int locked;
};

int hsd_secmem_init(struct hsd_secmem *m, size_t size)
{
	long ps = sysconf(_SC_PAGESIZE);

	memset(m, 0, sizeof(*m));
	m->page_size = ps > 0 ? (size_t)ps : 4096;
	m->slot_size = (size + HSD_SECMEM_ALIGN - 1) & ~(size_t)(HSD_SECMEM_ALIGN - 1);
	if (!size || m->slot_size > m->page_size)
		return -EINVAL;
	m->per_page = m->page_size / m->slot_size;
	if (m->per_page > 64)
		m->per_page = 64;
	return 0;
}

static struct hsd_secmem_page *page_new(struct hsd_secmem *m, int *lock_err)
{
	struct hsd_secmem_page *pg = calloc(1, sizeof(*pg));
	void *p;

	if (!pg)
		return NULL;
	p = mmap(NULL, m->page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(pg);
		return NULL;
	}
	pg->base = p;
	pg->locked = !mlock(p, m->page_size);
	if (!pg->locked) {
		*lock_err = errno;
		m->unlocked++;
	}
	madvise(p, m->page_size, MADV_DONTDUMP);
	madvise(p, m->page_size, MADV_WIPEONFORK);
	pg->next = m->pages;
	m->pages = pg;
	m->npages++;
	return pg;
}

static void page_release(struct hsd_secmem *m, struct hsd_secmem_page *pg)
{
	struct hsd_secmem_page **pp;

	for (pp = &m->pages; *pp; pp = &(*pp)->next) {
		if (*pp == pg) {
			*pp = pg->next;
			break;
		}
	}
	explicit_bzero(pg->base, m->page_size);
	if (pg->locked)
		munlock(pg->base, m->page_size);
	else
		m->unlocked--;
	munmap(pg->base, m->page_size);
	m->npages--;
	free(pg);
}

void *hsd_secmem_alloc(struct hsd_secmem *m, int *lock_err)
{
	struct hsd_secmem_page *pg;
	unsigned int i;

	*lock_err = 0;
	for (pg = m->pages; pg; pg = pg->next) {
		if (pg->count < m->per_page)
			break;
	}
	if (!pg) {
		pg = page_new(m, lock_err);
		if (!pg)
			return NULL;
	} else if (!pg->locked) {
		*lock_err = ENOMEM;
	}
	for (i = 0; pg->used & (1ULL << i); i++)
		;
	pg->used |= 1ULL << i;
	pg->count++;
	return pg->base + (size_t)i * m->slot_size;
}

void hsd_secmem_free(struct hsd_secmem *m, void *p)
{
	struct hsd_secmem_page *pg;
	size_t off;

	if (!p)
		return;
	for (pg = m->pages; pg; pg = pg->next) {
		if ((uint8_t *)p >= pg->base &&
		    (uint8_t *)p < pg->base + m->page_size)
			break;
	}
	if (!pg)
		abort();	/* not ours: a bug, never leave it unwiped */
	off = (uint8_t *)p - pg->base;
	if (off % m->slot_size || !(pg->used & (1ULL << (off / m->slot_size))))
		abort();
	explicit_bzero(p, m->slot_size);
	pg->used &= ~(1ULL << (off / m->slot_size));
	if (--pg->count == 0)
		page_release(m, pg);
}

void hsd_secmem_exit(struct hsd_secmem *m)
{
	while (m->pages)
		page_release(m, m->pages);
}
