// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pmem.c - the pmem device of src/fs/pmem.c and its place in the
 * physical address space (SPEC.md section 4, fixture DAXF; SCENARIOS.md:
 * "RAM from frame 0, then pmem, then 1 GiB of device range").
 *
 *   pfn:  0 ........ ram_pages-1 | ram_pages ..... +pmem_pages-1 | io ...
 *         RAM (buddy, memmap)    | pmem (FS_DAX pgmap, memmap)   | no memmap
 *
 *  - pfn_valid() is true exactly for RAM and pmem frames; pfn_to_page() and
 *    page_to_pfn() round-trip for both, and a pmem page's pgmap is the
 *    device's, of type MEMORY_DEVICE_FS_DAX (RAM pages have none);
 *  - a FS-DAX page starts idle: refcount 0 under V5=zero_based (R63) and
 *    zero_based_entry_ref, 1 under one_based (R61); mapcount 0;
 *  - the bytes are a host file mapped MAP_SHARED: a store through
 *    pfn_to_virt() is in the file at once, and a kept file holds it after
 *    the device is gone;
 *  - pmem frames are not RAM: the final leak check passes with the device
 *    up, and the buddy allocator never hands one out;
 *  - once the device is gone, its pfns are invalid again;
 *  - the last put of a FS-DAX page never reaches the buddy allocator:
 *    zero_based frees it in place (one wakeup, R63) and keeps its mapping,
 *    as 6.18 does, unless fsdax_free_clears_mapping=on (SPEC R63, S002
 *    v1) clears it; one_based wakes at 2 -> 1 (R61), and
 *    dax_wait_page_idle() sleeps until then (R68).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>

#include "dax_test.h"

static void test_pfn_space(void **state)
{
	unsigned long first = machine.pmem_base_pfn, last = first + TEST_PMEM_PAGES - 1;

	(void)state;
	assert_int_equal(first, TEST_RAM_PAGES);
	assert_int_equal(machine.pmem_pages, TEST_PMEM_PAGES);
	assert_true(pfn_valid(0));
	assert_true(pfn_valid(TEST_RAM_PAGES - 1));
	assert_true(pfn_valid(first));
	assert_true(pfn_valid(last));
	assert_false(pfn_valid(last + 1));		/* the io range: no memmap */
	assert_int_equal(machine.io_base_pfn, last + 1);

	for (unsigned long pfn = first; pfn <= last; pfn += 4097) {
		struct page *p = pfn_to_page(pfn);

		assert_int_equal(page_to_pfn(p), pfn);
		assert_ptr_equal(p->pgmap, pmem_pgmap());
		assert_true(is_fsdax_page(p));
		assert_ptr_equal(pfn_to_virt(pfn), machine.pmem + ((pfn - first) << PAGE_SHIFT));
		assert_ptr_equal(page_address(p), pfn_to_virt(pfn));
	}
	assert_int_equal(pmem_pgmap()->type, MEMORY_DEVICE_FS_DAX);
	assert_int_equal(pmem_pgmap()->start_pfn, first);
	assert_int_equal(pmem_pgmap()->nr_pages, TEST_PMEM_PAGES);

	/* RAM is as it was */
	assert_int_equal(page_to_pfn(pfn_to_page(7)), 7);
	assert_ptr_equal(pfn_to_virt(7), machine.ram + 7 * PAGE_SIZE);
	assert_false(is_zone_device_page(pfn_to_page(7)));
}

/* R61/R63: the refcount an idle FS-DAX page has, per V5. */
static void test_initial_refcount(void **state)
{
	static const struct { int mode; int ref; } cases[] = {
		{ FL_FSDAX_ONE_BASED, 1 },
		{ FL_FSDAX_ZERO_BASED, 0 },
		{ FL_FSDAX_ZERO_BASED_ENTRY_REF, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fl_config cfg;
		struct page *p;

		dax_test_config(&cfg);
		cfg.fsdax_refcount = cases[i].mode;
		assert_int_equal(dax_machine_up_with(&cfg), 0);
		p = pfn_to_page(machine.pmem_base_pfn + 5);
		assert_int_equal(atomic_read(&p->_refcount), cases[i].ref);
		assert_int_equal(atomic_read(&p->_mapcount), -1);
		assert_int_equal(dax_machine_down(NULL), 0);
	}
}

static void test_bytes_in_host_file(void **state)
{
	unsigned long pfn = machine.pmem_base_pfn + 300;
	uint8_t buf[16];

	(void)state;
	memcpy((uint8_t *)pfn_to_virt(pfn) + 8, "persistent", 10);
	assert_int_equal(pread(pmem_host_fd(), buf, 10, 300 * PAGE_SIZE + 8), 10);
	assert_memory_equal(buf, "persistent", 10);
	/* and the other way: the file is the media */
	assert_int_equal(pwrite(pmem_host_fd(), "media", 5, 301 * PAGE_SIZE), 5);
	assert_memory_equal(pfn_to_virt(pfn + 1), "media", 5);
	assert_int_equal(pmem_flush(), 0);
}

/* pmem_init_path(): the file outlives the device and the machine. */
static void test_kept_file(void **state)
{
	char path[] = "/tmp/faultline-test-pmem-XXXXXX";
	struct fl_config cfg;
	uint8_t buf[8];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	dax_test_config(&cfg);
	assert_int_equal(machine_up_with(&cfg), 0);
	assert_int_equal(pmem_init_path(path), 0);
	assert_int_equal(pmem_init(), -1);		/* one device per machine */
	memcpy(pfn_to_virt(machine.pmem_base_pfn + TEST_PMEM_PAGES - 1), "the end", 7);
	pmem_exit();
	assert_false(pfn_valid(machine.pmem_base_pfn));
	assert_null(pmem_pgmap());
	assert_int_equal(machine_down(NULL), 0);

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)TEST_PMEM);
	assert_int_equal(pread(fd, buf, 7, TEST_PMEM - PAGE_SIZE), 7);
	assert_memory_equal(buf, "the end", 7);
	close(fd);
	unlink(path);
}

/* pmem is not RAM: the buddy allocator never returns it, the leak check ignores it. */
static void test_not_ram(void **state)
{
	struct page *pages[TEST_RAM_PAGES >> MAX_PAGE_ORDER];
	int n = 0;

	(void)state;
	/* drain every max-order block: all RAM, none from pmem */
	while ((pages[n] = alloc_pages(0, MAX_PAGE_ORDER)) != NULL) {
		assert_true(page_to_pfn(pages[n]) < TEST_RAM_PAGES);
		assert_false(is_zone_device_page(pages[n]));
		n++;
	}
	assert_int_equal(n, (TEST_RAM_PAGES >> MAX_PAGE_ORDER) - 1);	/* one went to the zero page */
	while (n--)
		__free_pages(pages[n], MAX_PAGE_ORDER);
	/* the device is up; the filesystem (a model object) is not part of this */
	daxfs_unmount(test_fs);
	test_fs = NULL;
	assert_non_null(machine.pmem);
	assert_int_equal(fl_check_final(stderr), 0);
}

/* ------------------------------------------------ the last put (R61, R63) */

/*
 * T55, zero_based: the final put frees the page in place, with one wakeup.
 * Whether the page keeps its mapping is fsdax_free_clears_mapping's: 6.18
 * keeps it (the DAX entry still names the block), SPEC R63 clears it.
 */
static void final_put_zero_based(bool clears_mapping)
{
	struct fl_config cfg;
	struct folio *f;
	unsigned long free_before;
	long freed_before;

	dax_test_config(&cfg);
	cfg.fsdax_free_clears_mapping = clears_mapping;
	assert_int_equal(dax_machine_up_with(&cfg), 0);
	f = page_folio(pfn_to_page(machine.pmem_base_pfn + 9));
	free_before = nr_free_pages();
	freed_before = atomic_long_read(&machine.folios_freed);
	f->page.mapping = (void *)0x1000;	/* as R65 sets it */
	folio_get(f);				/* the mapping's reference (R64) */
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);	/* a pin */
	folio_put_refs(f, GUP_PIN_COUNTING_BIAS);
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 0);	/* no 2->1 hook in NEW */
	assert_non_null(f->page.mapping);
	folio_put(f);
	assert_int_equal(folio_ref_count(f), 0);
	if (clears_mapping)
		assert_null(f->page.mapping);
	else
		assert_ptr_equal(f->page.mapping, (void *)0x1000);
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 1);
	/* never the buddy's: no frame came free, no folio was counted freed */
	assert_int_equal(nr_free_pages(), free_before);
	assert_int_equal(atomic_long_read(&machine.folios_freed), freed_before);
	assert_true(pfn_valid(folio_pfn(f)) && is_fsdax_page(&f->page));
	assert_int_equal(fl_bug_count(), 0);
	f->page.mapping = NULL;			/* no entry to unassociate it */
	assert_int_equal(dax_machine_down(NULL), 0);
}

static void test_final_put_zero_based(void **state)
{
	(void)state;
	final_put_zero_based(false);
}

static void test_final_put_clears_mapping(void **state)
{
	(void)state;
	final_put_zero_based(true);
}

/* T55, one_based: idle is 1, the 2->1 put wakes, the free path is never entered. */
static void test_put_one_based(void **state)
{
	struct fl_config cfg;
	struct folio *f;

	(void)state;
	dax_test_config(&cfg);
	cfg.fsdax_refcount = FL_FSDAX_ONE_BASED;
	assert_int_equal(dax_machine_up_with(&cfg), 0);
	f = page_folio(pfn_to_page(machine.pmem_base_pfn + 9));
	f->page.mapping = (void *)0x1000;
	assert_int_equal(fsdax_idle_refcount(), 1);
	folio_get(f);						/* GUP get: 2 */
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);		/* pin: 1026 */
	folio_put_refs(f, GUP_PIN_COUNTING_BIAS);		/* unpin: 2 */
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 0);
	folio_put(f);						/* 1: wakeup */
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 1);
	assert_non_null(f->page.mapping);			/* idle, not freed */
	f->page.mapping = NULL;
	assert_int_equal(dax_machine_down(NULL), 0);
}

struct idle_waiter {
	pthread_t thread;
	struct page *page;
	atomic_t sleeps, wakes;
	atomic_t done;
};

static void idle_cb(void *ctx, bool sleeping)
{
	struct idle_waiter *w = ctx;

	atomic_inc(sleeping ? &w->sleeps : &w->wakes);
}

static void *idle_fn(void *arg)
{
	struct idle_waiter *w = arg;

	dax_wait_page_idle(w->page, idle_cb, w);
	atomic_set(&w->done, 1);
	return NULL;
}

/* R68 (T56 steps 3-4): the waiter sleeps, with the callback, until the unpin. */
static void test_wait_page_idle(void **state)
{
	struct idle_waiter w = { .page = pfn_to_page(machine.pmem_base_pfn + 77) };
	struct folio *f = page_folio(w.page);

	(void)state;
	dax_wait_page_idle(w.page, NULL, NULL);		/* idle already: returns */
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);	/* DMA pin: busy */
	assert_int_equal(pthread_create(&w.thread, NULL, idle_fn, &w), 0);
	while (atomic_read(&w.sleeps) == 0)
		usleep(100);
	usleep(2000);
	assert_int_equal(atomic_read(&w.done), 0);
	folio_put_refs(f, GUP_PIN_COUNTING_BIAS);	/* unpin: 0, free path wakes */
	pthread_join(w.thread, NULL);
	assert_int_equal(atomic_read(&w.done), 1);
	assert_int_equal(atomic_read(&w.sleeps), atomic_read(&w.wakes));		/* locks retaken after every sleep */
	assert_int_equal(folio_ref_count(f), 0);
}

/* dax_direct_access(): clipped at the end of the device; injected errors (T44). */
static void test_direct_access(void **state)
{
	unsigned long pfn;
	void *kaddr;

	(void)state;
	assert_int_equal(pmem_dax_direct_access(512, 512, &kaddr, &pfn), 512);
	assert_int_equal(pfn, machine.pmem_base_pfn + 512);
	assert_ptr_equal(kaddr, pfn_to_virt(pfn));
	assert_int_equal(pmem_dax_direct_access(TEST_PMEM_PAGES - 3, 512, NULL, NULL), 3);
	assert_int_equal(pmem_dax_direct_access(TEST_PMEM_PAGES, 1, NULL, NULL), -ERANGE);
	pmem_inject_direct_access(-EIO, 2);
	assert_int_equal(pmem_dax_direct_access(0, 1, NULL, NULL), -EIO);
	assert_int_equal(pmem_dax_direct_access(0, 1, NULL, NULL), -EIO);
	assert_int_equal(pmem_dax_direct_access(0, 1, NULL, NULL), 1);
	pmem_inject_direct_access(-ENOMEM, 1);
	assert_int_equal(pmem_dax_direct_access(0, 1, NULL, NULL), -ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pfn_space, dax_machine_up, dax_machine_down),
		cmocka_unit_test(test_initial_refcount),
		cmocka_unit_test_setup_teardown(test_bytes_in_host_file, dax_machine_up, dax_machine_down),
		cmocka_unit_test(test_kept_file),
		cmocka_unit_test_setup_teardown(test_not_ram, dax_machine_up, dax_machine_down),
		cmocka_unit_test(test_final_put_zero_based),
		cmocka_unit_test(test_final_put_clears_mapping),
		cmocka_unit_test(test_put_one_based),
		cmocka_unit_test_setup_teardown(test_wait_page_idle, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_direct_access, dax_machine_up, dax_machine_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
