/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m2msecd: locked memory for traffic secrets, in whole pages.
 */
#ifndef M2MSECD_SECMEM_H
#define M2MSECD_SECMEM_H

#include <stddef.h>
#include <stdint.h>

#define HSD_SECMEM_ALIGN	64

struct hsd_secmem_page;

/* A pool of equal slots in locked, non-dumpable pages. */
struct hsd_secmem {
	struct hsd_secmem_page *pages;
	size_t page_size;
	size_t slot_size;	/* the object size, HSD_SECMEM_ALIGN rounded */
	unsigned int per_page;	/* slots in one page, at most 64 */
	unsigned int npages;	/* pages mapped */
	unsigned int unlocked;	/* of them, pages mlock() refused */
};

/**
 * hsd_secmem_init() - an empty pool of @size-byte objects
 * @m: the pool
 * @size: object size, at most one page
 *
 * Return: 0, or -EINVAL.
 */
int hsd_secmem_init(struct hsd_secmem *m, size_t size);

/**
 * hsd_secmem_alloc() - a zeroed slot
 * @m: the pool
 * @lock_err: 0, or the errno of mlock() when the slot's page is not
 *	locked (RLIMIT_MEMLOCK reached); the slot is usable either way
 *
 * Return: the slot, or NULL (no memory).
 */
void *hsd_secmem_alloc(struct hsd_secmem *m, int *lock_err);

/**
 * hsd_secmem_free() - wipe a slot and give it back
 * @m: the pool
 * @p: a slot of @m, or NULL
 *
 * A page whose last slot is freed is wiped, unlocked and unmapped; a page
 * is never unlocked while it holds a slot in use.
 */
void hsd_secmem_free(struct hsd_secmem *m, void *p);

/* Free every page (the pool may then be initialised again). */
void hsd_secmem_exit(struct hsd_secmem *m);

#endif /* M2MSECD_SECMEM_H */
