/*
 * The C every generated selftest carries after its uapi block: the trace's
 * operations as the syscalls the kernel's guest_memfd selftests make. Each
 * helper returns a `struct gmem_res` (0, an errno, GMEM_SIGBUS, and the
 * error_offset / KVM_EXIT_MEMORY_FAULT payload when the kernel gave one); the
 * test body asserts it against the trace with gmem_expect_*().
 *
 * Not a translation unit of its own: src/selftest/emit.ts copies everything
 * after this comment into each generated file, after the headers that file
 * includes and the variant's uapi block (src/selftest/uapi.ts), which define
 * GMEM_TREE and select the branches below (GMEM_ATTRIBUTES_ON_VM,
 * GMEM_CONVERT_RFC_V2, GMEM_CREATE_WITH_PAGE_ORDER with
 * GMEM_HUGETLB_PAGE_ORDER, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE). This
 * comment is not copied. test/selftest-compile.test.ts compiles the file
 * after each variant's part before it (runtimePrologue() in emit.ts).
 *
 * Where it follows the kernel's tests (cited so a reviewer can compare):
 * - SIGBUS asserted with sigsetjmp/siglongjmp around the access, as
 *   TEST_EXPECT_SIGBUS in tools/testing/selftests/kvm/include/test_util.h
 *   (torvalds/linux, v6.18) does; defined here because 6.12 lacks it.
 * - guest accesses: guest code reading a command synced with
 *   sync_global_to_guest() and answering GUEST_SYNC, as guest_do_rmw() in
 *   guest_memfd_conversions_test.c (googleprodkernel/linux-cc); a memory
 *   fault asserted on KVM_EXIT_MEMORY_FAULT's gpa/size/flags as
 *   __test_implicit_conversion_to_private() in
 *   x86/tdx_gmem_private_and_shared_test.c (intel/tdx).
 * - pins: vmsplice() of the page into a pipe, held until the pipe is closed,
 *   as pin_pages()/unpin_pages() of the elevated_refcount test (in-place
 *   conversion series, googleprodkernel/linux-cc).
 * - other processes: fork()ed children, as forked_accesses in
 *   guest_memfd_conversions_test.c; a child maps the file only when it
 *   first touches it, with the fd passed over SCM_RIGHTS, so an open fd in
 *   a child never keeps the file alive (TRACE-FORMAT Lifetime).
 * - settle: sleep(1), the wait test_close_with_pinning() uses for the merge
 *   worker (RFC v2 guest_memfd_conversions_test.c, linux-cc).
 * - mainline 6.12 (GMEM_ATTRIBUTES_ON_VM, S-ML612): the file bound with
 *   vm_set_user_memory_region2() at GMEM_GPA, offset 0, and made private with
 *   vm_mem_set_private(), as test_private_access_memslot_deleted() in
 *   x86_64/private_mem_kvm_exits_test.c (v6.12) does; conversions are
 *   KVM_SET_MEMORY_ATTRIBUTES on the VM fd, as handle_exit_hypercall() in
 *   x86_64/private_mem_conversions_test.c (v6.12) makes them; unbind is the
 *   memslot's deletion (vm_mem_region_delete() there).
 * - requirements: checked in main() before the harness runs the test, and a
 *   missing one exits KSFT_SKIP through __TEST_REQUIRE, as the kernel's own
 *   tests' main() does (TEST_REQUIRE in private_mem_conversions_test.c): a
 *   SKIP() inside a kselftest_harness test exits 0 in v6.12
 *   (test_harness_run() counts it, then ksft_exit(ret == 0)).
 * - pool counters: /proc/meminfo HugePages_Free / HugePages_Rsvd for 2 MiB
 *   pages (x86's default size), else the hstate's sysfs files; cgroup
 *   reservation and usage from the test's own hugetlb cgroup (v2) files, as
 *   guest_memfd_hugetlb_reporting_test.c reads them (intel/tdx).
 */

/* ---- gmem-model selftest runtime (src/selftest/c/gmem_runtime.c) ---- */

#define GMEM_SIGBUS		(-1)		/* a result: the access raised SIGBUS */
#define GMEM_EXIT		(-2)		/* a result: KVM_RUN returned 0 with an exit other than a ucall */
#define GMEM_SLOT		10
#define GMEM_GPA		((uint64_t)1 << 32)	/* SZ_4G: above the APIC page, 1 GiB aligned */
#define GMEM_GVA		((uint64_t)1 << 44)
#define GMEM_IO_MAX		65536
#define GMEM_MAX_PROCS		8
#define GMEM_MAX_PINS		64
#define GMEM_HIGH_FD		900		/* fds parked here are never reused by open() */

struct gmem_res {
	int err;			/* 0, an errno, GMEM_SIGBUS or GMEM_EXIT */
	uint32_t exit_reason;		/* KVM_RUN's, for a guest access */
	uint64_t mmio_gpa;		/* a KVM_EXIT_MMIO's address */
	bool has_error_offset;
	uint64_t error_offset;
	bool memory_fault;		/* KVM_EXIT_MEMORY_FAULT */
	uint64_t mf_gpa, mf_size, mf_flags;
	uint8_t data[GMEM_IO_MAX];	/* bytes a read returned */
};

struct gmem_pin { int proc; uint64_t offset; int pipe[2]; };

struct gmem_state {
	uint64_t vm_type;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int next_vcpu_id;
	int stale_vm_fd, stale_vcpu_fd;	/* dups: KVM ioctls after close answer EBADF */
	bool vm_gone;
	int fd;				/* the guest_memfd, parked at a high number */
	uint64_t size, map_len, page_size, huge_page_size;
	uint64_t block;			/* the file's block: its huge page, or a page */
	void *slot_hva;
	bool slot_hva_is_file;
	bool fd_closed;
	char *map;			/* process 0's mapping of the file */
	bool mapped[GMEM_MAX_PROCS];
	pid_t pid[GMEM_MAX_PROCS];
	int sock[GMEM_MAX_PROCS];
	struct gmem_pin pins[GMEM_MAX_PINS];
	int nr_pins;
};

static struct gmem_state gmem;
static struct gmem_res gmem_r;

/* ---- SIGBUS ---- */

static sigjmp_buf gmem_sigbus_jmp;

static void gmem_sigbus_handler(int sig)
{
	siglongjmp(gmem_sigbus_jmp, 1);
}

/* Touches [off, off + len) of a mapping page by page (reads first, so a
 * SIGBUS on any page comes before any byte is written), then copies. */
static __attribute__((unused)) int gmem_touch(char *map, uint64_t off, uint64_t len,
					       bool write, uint8_t *buf, uint64_t page_size)
{
	struct sigaction sa_new = { .sa_handler = gmem_sigbus_handler }, sa_old;
	volatile int result = 0;
	uint64_t i;

	sigaction(SIGBUS, &sa_new, &sa_old);
	if (sigsetjmp(gmem_sigbus_jmp, 1) == 0) {
		for (i = off - off % page_size; i < off + len; i += page_size)
			(void)READ_ONCE(map[i < off ? off : i]);
		for (i = 0; i < len; i++) {
			if (write)
				WRITE_ONCE(map[off + i], buf[i]);
			else
				buf[i] = READ_ONCE(map[off + i]);
		}
	} else {
		result = GMEM_SIGBUS;
	}
	sigaction(SIGBUS, &sa_old, NULL);
	return result;
}

/* ---- one process's view: its mapping, its pins ---- */

enum gmem_req_op { GMEM_REQ_READ, GMEM_REQ_WRITE, GMEM_REQ_PIN, GMEM_REQ_UNPIN, GMEM_REQ_MUNMAP };

struct gmem_req {
	int op;
	uint64_t offset, len, map_len, page_size, align;
	uint8_t data[GMEM_IO_MAX];
};

struct gmem_local {
	char *map;
	uint64_t map_len;
	int nr_pins;
	struct { uint64_t offset; int pipe[2]; } pins[GMEM_MAX_PINS];
};

/*
 * Maps the whole file, one block beyond EOF so an access past the size faults
 * in the file (SIGBUS) rather than outside any mapping (SIGSEGV), at an
 * address aligned to the block so a HugeTLB file can be mapped huge.
 */
static int gmem_local_map(struct gmem_local *l, int fd, uint64_t map_len, uint64_t align)
{
	char *reserve, *start;
	void *m;

	if (l->map)
		return 0;
	reserve = mmap(NULL, map_len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(reserve != MAP_FAILED, "cannot reserve address space for the file");
	start = (char *)(((uintptr_t)reserve + align - 1) & ~(uintptr_t)(align - 1));
	m = mmap(start, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED) {
		int err = errno;

		munmap(reserve, map_len + align);
		return err;
	}
	if (start > reserve)
		munmap(reserve, start - reserve);
	if (reserve + map_len + align > start + map_len)
		munmap(start + map_len, reserve + align - start);
	l->map = m;
	l->map_len = map_len;
	return 0;
}

static int gmem_local_op(struct gmem_local *l, struct gmem_req *q, int fd, uint8_t *out)
{
	struct iovec iov;
	int i, err;

	switch (q->op) {
	case GMEM_REQ_READ:
	case GMEM_REQ_WRITE:
	case GMEM_REQ_PIN:
		if (!l->map && fd < 0)
			return EBADF;	/* no mapping and no fd to map: sendmsg() said EBADF */
		err = gmem_local_map(l, fd, q->map_len, q->align);
		if (err)
			return err;
		if (q->op != GMEM_REQ_PIN)
			return gmem_touch(l->map, q->offset, q->len, q->op == GMEM_REQ_WRITE,
					  q->op == GMEM_REQ_WRITE ? q->data : out, q->page_size);
		TEST_ASSERT(l->nr_pins < GMEM_MAX_PINS, "too many pins");
		TEST_ASSERT_EQ(pipe(l->pins[l->nr_pins].pipe), 0);
		iov.iov_base = l->map + q->offset - q->offset % q->page_size;
		iov.iov_len = q->page_size;
		if (vmsplice(l->pins[l->nr_pins].pipe[1], &iov, 1, 0) < 0) {
			err = errno;
			close(l->pins[l->nr_pins].pipe[0]);
			close(l->pins[l->nr_pins].pipe[1]);
			return err;
		}
		l->pins[l->nr_pins++].offset = q->offset - q->offset % q->page_size;
		return 0;
	case GMEM_REQ_UNPIN:
		for (i = l->nr_pins - 1; i >= 0; i--) {
			if (l->pins[i].offset != q->offset - q->offset % q->page_size)
				continue;
			close(l->pins[i].pipe[0]);
			close(l->pins[i].pipe[1]);
			l->pins[i] = l->pins[--l->nr_pins];
			return 0;
		}
		return EINVAL;
	case GMEM_REQ_MUNMAP:
		if (q->len == 0 || q->offset % q->page_size)
			/* Let munmap() itself refuse the arguments. */
			return munmap((l->map ? l->map : (char *)q->page_size) + q->offset, q->len) ? errno : 0;
		if (!l->map)
			return EBADF;	/* nothing mapped in this process: no syscall to make */
		if (q->offset == 0 && q->len >= l->map_len - q->align) {
			err = munmap(l->map, l->map_len) ? errno : 0;
			if (!err)
				l->map = NULL;
			return err;
		}
		/* Less than the whole file removes only the range's PTEs (TRACE-FORMAT Lifetime). */
		return madvise(l->map + q->offset, q->len, MADV_DONTNEED) ? errno : 0;
	}
	return EINVAL;
}

/* ---- child processes (process 1..N of the trace) ---- */

static void gmem_child_loop(int sock)
{
	static struct gmem_req q;
	static struct { int err; uint8_t data[GMEM_IO_MAX]; } reply;
	struct gmem_local l = {};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &q, .iov_len = sizeof(q) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	for (;;) {
		msg.msg_controllen = sizeof(cbuf);
		if (recvmsg(sock, &msg, 0) <= 0)
			_exit(0);
		fd = -1;
		c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		reply.err = gmem_local_op(&l, &q, fd, reply.data);
		/* The mapping now holds the file; the child's fd must not. */
		if (fd >= 0)
			close(fd);
		TEST_ASSERT_EQ(send(sock, &reply, sizeof(reply), 0), (ssize_t)sizeof(reply));
	}
}

static __attribute__((unused)) void gmem_start_processes(int nr)
{
	int sv[2], p, fd;

	for (p = 1; p < nr; p++) {
		TEST_ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
		gmem.pid[p] = fork();
		TEST_ASSERT(gmem.pid[p] >= 0, "fork failed");
		if (gmem.pid[p] == 0) {
			/* Started before the VM exists; hold no fd but the socket. */
			for (fd = 3; fd < GMEM_HIGH_FD + 16; fd++)
				if (fd != sv[1])
					close(fd);
			gmem_child_loop(sv[1]);
		}
		close(sv[1]);
		gmem.sock[p] = sv[0];
	}
}

static struct gmem_local gmem_self;

/* Runs a request in process p (0 is this process). */
static void gmem_in_process(int p, struct gmem_req *q)
{
	static struct { int err; uint8_t data[GMEM_IO_MAX]; } reply;
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = q, .iov_len = sizeof(*q) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	bool needs_map = q->op == GMEM_REQ_READ || q->op == GMEM_REQ_WRITE || q->op == GMEM_REQ_PIN;

	memset(&gmem_r, 0, sizeof(gmem_r));
	q->map_len = gmem.map_len;
	q->page_size = gmem.page_size;
	q->align = gmem.block;
	if (p == 0) {
		gmem_r.err = gmem_local_op(&gmem_self, q, gmem.fd, gmem_r.data);
		gmem.mapped[0] = gmem_self.map != NULL;
		return;
	}
	if (needs_map && !gmem.mapped[p]) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &gmem.fd, sizeof(int));
	}
	if (sendmsg(gmem.sock[p], &msg, 0) < 0) {
		/* Passing a closed fd: the kernel's own EBADF. */
		gmem_r.err = errno;
		return;
	}
	TEST_ASSERT_EQ(recv(gmem.sock[p], &reply, sizeof(reply), 0), (ssize_t)sizeof(reply));
	gmem_r.err = reply.err;
	memcpy(gmem_r.data, reply.data, q->op == GMEM_REQ_READ ? q->len : 0);
	if (needs_map && reply.err != EBADF && reply.err != ENODEV)
		gmem.mapped[p] = true;
	if (q->op == GMEM_REQ_MUNMAP && !reply.err && q->offset == 0 && q->len >= gmem.size)
		gmem.mapped[p] = false;
}

static struct gmem_req gmem_q;

static __attribute__((unused)) void gmem_host_read(int p, uint64_t off, uint64_t len)
{
	gmem_q.op = GMEM_REQ_READ;
	gmem_q.offset = off;
	gmem_q.len = len;
	gmem_in_process(p, &gmem_q);
}

static __attribute__((unused)) void gmem_host_write(int p, uint64_t off, const uint8_t *data, uint64_t len)
{
	gmem_q.op = GMEM_REQ_WRITE;
	gmem_q.offset = off;
	gmem_q.len = len;
	memcpy(gmem_q.data, data, len);
	gmem_in_process(p, &gmem_q);
}

static __attribute__((unused)) void gmem_pin(int p, uint64_t off)
{
	gmem_q.op = GMEM_REQ_PIN;
	gmem_q.offset = off;
	gmem_q.len = 0;
	gmem_in_process(p, &gmem_q);
	if (!gmem_r.err) {
		gmem.pins[gmem.nr_pins].proc = p;
		gmem.pins[gmem.nr_pins++].offset = off - off % gmem.page_size;
	}
}

/* Most recent pin of that page first, whatever its process (TRACE-FORMAT Pin). */
static __attribute__((unused)) void gmem_unpin(uint64_t off)
{
	int i;

	memset(&gmem_r, 0, sizeof(gmem_r));
	for (i = gmem.nr_pins - 1; i >= 0; i--) {
		if (gmem.pins[i].offset != off - off % gmem.page_size)
			continue;
		gmem_q.op = GMEM_REQ_UNPIN;
		gmem_q.offset = off;
		gmem_in_process(gmem.pins[i].proc, &gmem_q);
		gmem.pins[i] = gmem.pins[--gmem.nr_pins];
		return;
	}
	gmem_r.err = EINVAL;	/* no pin on that page: nothing to release */
}

static __attribute__((unused)) void gmem_munmap(int p, uint64_t off, uint64_t len)
{
	gmem_q.op = GMEM_REQ_MUNMAP;
	gmem_q.offset = off;
	gmem_q.len = len;
	gmem_in_process(p, &gmem_q);
}

/* ---- what the kernel must offer: main(), before the harness forks the test ---- */

/*
 * Exits KSFT_SKIP (4) with the reason unless the running kernel has the VM
 * type, guest_memfd, and the uapi of the tree the trace describes (GMEM_TREE):
 * - mainline 6.12: the private attribute on the VM
 *   (KVM_CAP_MEMORY_ATTRIBUTES), and no guest_memfd flag at all
 *   (kvm_gmem_create()'s valid_flags is 0): a kernel that takes
 *   GUEST_MEMFD_FLAG_MMAP (v6.18) answers differently from 6.12.
 * - the series: flags, the creation flags of the trace's creates that
 *   succeed (HugeTLB bits aside, which need the pool), and the conversion
 *   ioctl on a guest_memfd, probed with size 0. ENOTTY means no such ioctl:
 *   vfs_ioctl() on a file without .unlocked_ioctl, as 6.12's kvm_gmem_fops.
 */
static __attribute__((unused)) void gmem_require(uint64_t vm_type, const char *vm_type_name, uint64_t flags)
{
	struct kvm_vm *vm;
	int fd;

	__TEST_REQUIRE(kvm_check_cap(KVM_CAP_VM_TYPES) & BIT(vm_type), "KVM does not offer %s", vm_type_name);
	__TEST_REQUIRE(kvm_check_cap(KVM_CAP_GUEST_MEMFD), "KVM has no guest_memfd");
	vm = vm_create_barebones_type(vm_type);
#ifdef GMEM_ATTRIBUTES_ON_VM
	__TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES) & KVM_MEMORY_ATTRIBUTE_PRIVATE,
		       "KVM has no private memory attribute for %s VMs", vm_type_name);
	fd = __vm_create_guest_memfd(vm, getpagesize(), GUEST_MEMFD_FLAG_MMAP);
	__TEST_REQUIRE(fd < 0 && errno == EINVAL,
		       "this kernel's guest_memfd takes GUEST_MEMFD_FLAG_MMAP: a later uapi than %s's", GMEM_TREE);
	(void)flags;
#else
	{
		int err;

		fd = -1;
		if (flags) {
			fd = __vm_create_guest_memfd(vm, getpagesize(), flags);
			__TEST_REQUIRE(fd >= 0 || errno != EINVAL,
				       "KVM refuses the guest_memfd flags 0x%lx (EINVAL): not %s's uapi", flags, GMEM_TREE);
		}
		if (fd < 0)
			fd = vm_create_guest_memfd(vm, getpagesize(), 0);
#ifdef GMEM_CONVERT_RFC_V2
		struct kvm_gmem_convert probe = {};

		err = ioctl(fd, KVM_GMEM_CONVERT_SHARED, &probe) ? errno : 0;
		__TEST_REQUIRE(err != ENOTTY, "a guest_memfd takes no KVM_GMEM_CONVERT_SHARED (ENOTTY): not %s's uapi", GMEM_TREE);
#else
		struct kvm_memory_attributes2 probe = {};

		err = ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &probe) ? errno : 0;
		__TEST_REQUIRE(err != ENOTTY, "a guest_memfd takes no KVM_SET_MEMORY_ATTRIBUTES2 (ENOTTY): not %s's uapi", GMEM_TREE);
#endif
		close(fd);
	}
#endif
	kvm_vm_free(vm);
}

/* ---- the VM, the file, its binding ---- */

static __attribute__((unused)) void gmem_park_fd(int *fd)
{
	int high = fcntl(*fd, F_DUPFD_CLOEXEC, GMEM_HIGH_FD);

	TEST_ASSERT(high >= 0, "F_DUPFD failed");
	close(*fd);
	*fd = high;
}

static struct ucall gmem_uc;

struct gmem_guest_cmd {
	uint64_t gva;
	uint64_t len;
	uint64_t write;
	uint64_t page_size;
	uint8_t buf[GMEM_IO_MAX];
};
static struct gmem_guest_cmd gmem_cmd;

/*
 * One command per KVM_RUN: the access, then GUEST_SYNC. Every page of the
 * range is read once first, so an access that exits to userspace does so
 * before any byte moves: a trace's access is all or nothing (TRACE-FORMAT
 * Guest access: the payload is the first such page), as gmem_touch() makes
 * the host's.
 */
static void gmem_guest_code(void)
{
	for (;;) {
		volatile uint8_t *mem = (volatile uint8_t *)READ_ONCE(gmem_cmd.gva);
		uint64_t len = READ_ONCE(gmem_cmd.len), i;
		uint64_t page = READ_ONCE(gmem_cmd.page_size), start = (uint64_t)mem;

		for (i = start - start % page; i < start + len; i += page)
			(void)*(volatile uint8_t *)(i < start ? start : i);
		if (READ_ONCE(gmem_cmd.write))
			for (i = 0; i < len; i++)
				mem[i] = gmem_cmd.buf[i];
		else
			for (i = 0; i < len; i++)
				gmem_cmd.buf[i] = mem[i];
		GUEST_SYNC(0);
	}
}

static __attribute__((unused)) void gmem_vm_create(uint64_t vm_type, bool with_vcpu, uint64_t map_bytes)
{
	const struct vm_shape shape = { .mode = VM_MODE_DEFAULT, .type = vm_type };
	uint64_t pt_pages = map_bytes / getpagesize() / 512 + 64;

	gmem.vm_type = vm_type;
	gmem.fd = -1;
	if (with_vcpu)
		gmem.vm = __vm_create_shape_with_one_vcpu(shape, &gmem.vcpu, pt_pages, gmem_guest_code);
	else
		gmem.vm = vm_create_barebones_type(vm_type);
	gmem.next_vcpu_id = 1;
	gmem.stale_vm_fd = fcntl(gmem.vm->fd, F_DUPFD_CLOEXEC, GMEM_HIGH_FD);
	gmem.stale_vcpu_fd = gmem.vcpu ? fcntl(gmem.vcpu->fd, F_DUPFD_CLOEXEC, GMEM_HIGH_FD) : -1;
}

/* KVM_CREATE_GUEST_MEMFD, then the memslot at GMEM_GPA and the guest's page tables. */
static __attribute__((unused)) void gmem_create(uint64_t size, uint64_t flags, bool mmap_file, uint64_t block)
{
	int fd;

	memset(&gmem_r, 0, sizeof(gmem_r));
#ifdef GMEM_CREATE_WITH_PAGE_ORDER
	{
		struct gmem_create_guest_memfd_order arg = {
			.size = size, .flags = flags,
			.page_order = flags & GUEST_MEMFD_FLAG_HUGETLB ? GMEM_HUGETLB_PAGE_ORDER : 0,
		};

		fd = ioctl(gmem.vm->fd, KVM_CREATE_GUEST_MEMFD, &arg);
	}
#else
	fd = __vm_create_guest_memfd(gmem.vm, size, flags);
#endif
	if (fd < 0) {
		gmem_r.err = errno;
		return;
	}
	gmem_park_fd(&fd);
	gmem.fd = fd;
	gmem.size = size;
	gmem.block = block;
	gmem.map_len = size + block;
	/*
	 * userspace_addr is a mapping of the file when it can be mapped, as the
	 * kernel's tests bind it (vm_mem_add() with GUEST_MEMFD_FLAG_MMAP;
	 * add_memslot() in tdx_gmem_private_and_shared_test.c); else anonymous
	 * memory. It is the harness's, not a process of the trace: closeFd
	 * drops it so the file's lifetime follows the trace (TRACE-FORMAT
	 * Lifetime). Where the file cannot be mapped (6.12 has no .mmap), the
	 * anonymous memory is the guest's shared memory (S-ML612).
	 */
	gmem.slot_hva = MAP_FAILED;
	if (mmap_file)
		gmem.slot_hva = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	gmem.slot_hva_is_file = gmem.slot_hva != MAP_FAILED;
	if (!gmem.slot_hva_is_file)
		gmem.slot_hva = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(gmem.slot_hva != MAP_FAILED, "mmap of the slot's userspace_addr failed");
	vm_set_user_memory_region2(gmem.vm, GMEM_SLOT, KVM_MEM_GUEST_MEMFD, GMEM_GPA, size,
				   gmem.slot_hva, fd, 0);
#ifdef GMEM_ATTRIBUTES_ON_VM
	/*
	 * The VM's attributes start shared (an empty mem_attr_array): every
	 * page of the file starts private as in the trace (DOMAIN 7.4), set as
	 * private_mem_kvm_exits_test.c does before its guest runs.
	 */
	vm_mem_set_private(gmem.vm, GMEM_GPA, size);
#endif
	if (gmem.vcpu)
		/* One block further, so an access past the size reaches KVM (not a guest #PF). */
		virt_map(gmem.vm, GMEM_GVA, GMEM_GPA, (size + block) / gmem.page_size);
}

/*
 * fallocate(2) on the guest_memfd with the trace's mode bits, as
 * test_fallocate() in guest_memfd_test.c calls it; vfs_fallocate() and
 * kvm_gmem_fallocate() answer.
 */
static __attribute__((unused)) void gmem_fallocate(int mode, uint64_t off, uint64_t len)
{
	memset(&gmem_r, 0, sizeof(gmem_r));
	if (fallocate(gmem.fd, mode, off, len))
		gmem_r.err = errno;
}

static void gmem_drop_slot_mapping(void)
{
	if (gmem.slot_hva_is_file) {
		TEST_ASSERT_EQ(munmap(gmem.slot_hva, gmem.size), 0);
		gmem.slot_hva_is_file = false;
	}
}

/*
 * close(2) of the guest_memfd. With the last reference kvm_gmem_release()
 * clears the bindings' file (a private fault then exits, kvm_gmem_get_pfn():
 * -EFAULT) and zaps; the memslot stays.
 */
static __attribute__((unused)) void gmem_close_fd(void)
{
	memset(&gmem_r, 0, sizeof(gmem_r));
	if (!gmem.fd_closed)
		gmem_drop_slot_mapping();
	/* The number stays parked: later calls on it answer EBADF. */
	if (close(gmem.fd)) {
		gmem_r.err = errno;
	} else {
		gmem.fd_closed = true;
		/* If that was the last reference, the inode goes in an RCU callback. */
		usleep(300 * 1000);
	}
}

/*
 * The memslot's deletion (memory_size 0), as vm_mem_region_delete() makes
 * it; kvm_set_memory_region() answers EINVAL for a slot already gone, EBADF
 * on the VM's closed fd after close.
 */
static __attribute__((unused)) void gmem_unbind(void)
{
	struct kvm_userspace_memory_region2 region = {
		.slot = GMEM_SLOT, .flags = KVM_MEM_GUEST_MEMFD, .guest_phys_addr = GMEM_GPA,
		.memory_size = 0, .guest_memfd = (uint32_t)gmem.fd,
	};

	memset(&gmem_r, 0, sizeof(gmem_r));
	if (ioctl(gmem.vm_gone ? gmem.stale_vm_fd : gmem.vm->fd, KVM_SET_USER_MEMORY_REGION2, &region))
		gmem_r.err = errno;
}

/*
 * Every reference at once: mappings in every process, the fd, the VM. When
 * the file's references are gone already (fd closed, no process mapping
 * it), close is EBADF and does nothing (TRACE-FORMAT Lifetime): the answer
 * is the kernel's to a close() of the closed fd, and the VM stays.
 */
static __attribute__((unused)) void gmem_close_all(int nr_procs)
{
	int p;

	memset(&gmem_r, 0, sizeof(gmem_r));
	if (gmem.vm_gone) {
		gmem_r.err = close(gmem.fd) ? errno : 0;
		return;
	}
	if (gmem.fd_closed) {
		for (p = 0; p < nr_procs && !gmem.mapped[p]; p++)
			;
		if (p == nr_procs) {
			gmem_r.err = close(gmem.fd) ? errno : 0;
			return;
		}
	}
	for (p = 0; p < nr_procs; p++) {
		if (!gmem.mapped[p])
			continue;
		gmem_munmap(p, 0, gmem.size);
		TEST_ASSERT_EQ(gmem_r.err, 0);
	}
	memset(&gmem_r, 0, sizeof(gmem_r));
	gmem_drop_slot_mapping();
	if (gmem.fd >= 0 && !gmem.fd_closed && close(gmem.fd))
		gmem_r.err = errno;
	gmem.fd_closed = true;
	kvm_vm_free(gmem.vm);
	gmem.vm = NULL;
	gmem.vcpu = NULL;
	close(gmem.stale_vm_fd);
	if (gmem.stale_vcpu_fd >= 0)
		close(gmem.stale_vcpu_fd);
	gmem.vm_gone = true;
	/* The inode is freed in an RCU callback: the reporting test's wait before counting. */
	usleep(300 * 1000);
}

/* ---- guest accesses ---- */

static __attribute__((unused)) void gmem_guest_access(uint64_t off, uint64_t len, bool write, const uint8_t *data)
{
	int r;

	memset(&gmem_r, 0, sizeof(gmem_r));
	if (gmem.vm_gone) {
		/* The vCPU is gone with the VM: KVM_RUN on its (closed) fd. */
		gmem_r.err = ioctl(gmem.stale_vcpu_fd, KVM_RUN, NULL) ? errno : 0;
		return;
	}
	gmem_cmd.gva = GMEM_GVA + off;
	gmem_cmd.len = len;
	gmem_cmd.write = write;
	gmem_cmd.page_size = gmem.page_size;
	if (write)
		memcpy(gmem_cmd.buf, data, len);
	sync_global_to_guest(gmem.vm, gmem_cmd);
	do {
		r = __vcpu_run(gmem.vcpu);
	} while (r == -1 && errno == EINTR);
	gmem_r.exit_reason = gmem.vcpu->run->exit_reason;
	if (r == -1) {
		gmem_r.err = errno;
		/* As run_vcpu_get_exit_reason() in private_mem_kvm_exits_test.c reads it. */
		if (gmem.vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
			gmem_r.memory_fault = true;
			gmem_r.mf_gpa = gmem.vcpu->run->memory_fault.gpa;
			gmem_r.mf_size = gmem.vcpu->run->memory_fault.size;
			gmem_r.mf_flags = gmem.vcpu->run->memory_fault.flags;
		}
		/*
		 * Resuming would retry the faulting access; later steps get a
		 * fresh vCPU starting at the command loop.
		 */
		gmem.vcpu = vm_vcpu_add(gmem.vm, gmem.next_vcpu_id++, gmem_guest_code);
		return;
	}
	switch (get_ucall(gmem.vcpu, &gmem_uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(gmem_uc);
		break;
	default:
		/*
		 * Any other exit (KVM_EXIT_MMIO: a shared access where no
		 * memslot is) is the kernel's answer, which the step's
		 * expectation judges; the access is abandoned with its vCPU.
		 */
		gmem_r.err = GMEM_EXIT;
		if (gmem_r.exit_reason == KVM_EXIT_MMIO)
			gmem_r.mmio_gpa = gmem.vcpu->run->mmio.phys_addr;
		gmem.vcpu = vm_vcpu_add(gmem.vm, gmem.next_vcpu_id++, gmem_guest_code);
		return;
	}
	if (!write) {
		sync_global_from_guest(gmem.vm, gmem_cmd);
		memcpy(gmem_r.data, gmem_cmd.buf, len);
	}
}

/*
 * Accesses of a scaled trace that cross one of its pages become one real
 * access per page (real pages of a block are not adjacent in the trace's
 * geometry): in order, stopping at the first failure, bytes gathered.
 */
static __attribute__((unused)) void gmem_host_read_segs(int p, int n, const uint64_t *off, const uint64_t *len)
{
	static uint8_t buf[GMEM_IO_MAX];
	uint64_t at = 0;
	int i;

	for (i = 0; i < n; i++) {
		gmem_host_read(p, off[i], len[i]);
		if (gmem_r.err)
			return;
		memcpy(buf + at, gmem_r.data, len[i]);
		at += len[i];
	}
	memcpy(gmem_r.data, buf, at);
}

static __attribute__((unused)) void gmem_host_write_segs(int p, int n, const uint64_t *off, const uint64_t *len,
							  const uint8_t *data)
{
	uint64_t at = 0;
	int i;

	for (i = 0; i < n; i++) {
		gmem_host_write(p, off[i], data + at, len[i]);
		if (gmem_r.err)
			return;
		at += len[i];
	}
}

static __attribute__((unused)) void gmem_guest_access_segs(int n, const uint64_t *off, const uint64_t *len,
							    bool write, const uint8_t *data)
{
	static uint8_t buf[GMEM_IO_MAX];
	uint64_t at = 0;
	int i;

	for (i = 0; i < n; i++) {
		gmem_guest_access(off[i], len[i], write, write ? data + at : NULL);
		if (gmem_r.err)
			return;
		if (!write)
			memcpy(buf + at, gmem_r.data, len[i]);
		at += len[i];
	}
	if (!write)
		memcpy(gmem_r.data, buf, at);
}

/* ---- conversions ---- */

static __attribute__((unused)) void gmem_convert(uint64_t off, uint64_t len, bool to_private)
{
	memset(&gmem_r, 0, sizeof(gmem_r));
#if defined(GMEM_ATTRIBUTES_ON_VM)
	/*
	 * KVM_SET_MEMORY_ATTRIBUTES on the VM, over guest physical addresses
	 * (kvm_vm_ioctl_set_mem_attributes): what vm_set_memory_attributes()
	 * does, with the errno kept. No error_offset in this uapi. After close
	 * the VM's fd number is closed: the ioctl answers EBADF.
	 */
	struct kvm_memory_attributes arg = {
		.address = GMEM_GPA + off, .size = len,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	if (ioctl(gmem.vm_gone ? gmem.stale_vm_fd : gmem.vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &arg))
		gmem_r.err = errno;
#elif defined(GMEM_CONVERT_RFC_V2)
	struct kvm_gmem_convert arg = { .offset = off, .size = len, .error_offset = ~0ULL };

	if (ioctl(gmem.fd, to_private ? KVM_GMEM_CONVERT_PRIVATE : KVM_GMEM_CONVERT_SHARED, &arg))
		gmem_r.err = errno;
	gmem_r.has_error_offset = arg.error_offset != ~0ULL;
	gmem_r.error_offset = arg.error_offset;
#else
	struct kvm_memory_attributes2 arg = {
		.offset = off, .size = len,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.error_offset = ~0ULL,
	};

#ifdef KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
	/*
	 * Trees with content modes: sw-protected VMs keep contents, as
	 * test_convert_to_private() in guest_memfd_conversions_test.c asks.
	 */
	if (gmem.vm_type == KVM_X86_SW_PROTECTED_VM)
		arg.flags = KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
#endif

	if (ioctl(gmem.fd, KVM_SET_MEMORY_ATTRIBUTES2, &arg))
		gmem_r.err = errno;
	gmem_r.has_error_offset = arg.error_offset != ~0ULL;
	gmem_r.error_offset = arg.error_offset;
#endif
}

/* ---- pool and cgroup counters ---- */

static __attribute__((unused)) uint64_t gmem_meminfo(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	uint64_t v = ~0ULL;
	FILE *f = fopen("/proc/meminfo", "r");

	TEST_ASSERT(f, "cannot open /proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 10);
	fclose(f);
	TEST_ASSERT(v != ~0ULL, "no %s in /proc/meminfo", key);
	return v;
}

static __attribute__((unused)) uint64_t gmem_read_u64(const char *path)
{
	char buf[64] = {};
	int fd = open(path, O_RDONLY);
	ssize_t n;

	TEST_ASSERT(fd >= 0, "cannot open %s", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	TEST_ASSERT(n > 0, "cannot read %s", path);
	return strtoull(buf, NULL, 10);
}

static __attribute__((unused)) void gmem_write_u64(const char *path, uint64_t v)
{
	FILE *f = fopen(path, "w");

	TEST_ASSERT(f, "cannot open %s", path);
	TEST_ASSERT(fprintf(f, "%lu", v) > 0 && !fclose(f), "cannot write %s", path);
}

/* "free" or "resv" huge pages of the trace's size. */
static __attribute__((unused)) uint64_t gmem_hugepages(const char *which)
{
	char path[128];

	if (gmem.huge_page_size == 2ULL << 20)
		return gmem_meminfo(!strcmp(which, "free") ? "HugePages_Free" : "HugePages_Rsvd");
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/%s_hugepages",
		 gmem.huge_page_size >> 10, which);
	return gmem_read_u64(path);
}

static char gmem_pool_path[128];
static uint64_t gmem_pool_saved;
static pid_t gmem_pool_owner;

/* Puts nr_hugepages back as it was, however the test ends (TEST_ASSERT exits). */
static void gmem_restore_pool(void)
{
	FILE *f;

	if (getpid() != gmem_pool_owner)
		return;
	f = fopen(gmem_pool_path, "w");
	if (f) {
		fprintf(f, "%lu", gmem_pool_saved);
		fclose(f);
	}
}

/* Sets the pool to n huge pages of the trace's size; false if they are not all free. */
static __attribute__((unused)) bool gmem_set_pool(uint64_t n)
{
	char *path = gmem_pool_path;

	snprintf(path, sizeof(gmem_pool_path), "/sys/kernel/mm/hugepages/hugepages-%lukB/nr_hugepages",
		 gmem.huge_page_size >> 10);
	if (access(path, W_OK))
		return false;
	gmem_pool_saved = gmem_read_u64(path);
	gmem_pool_owner = getpid();
	atexit(gmem_restore_pool);
	gmem_write_u64(path, n);
	return gmem_read_u64(path) == n && gmem_hugepages("free") == n && gmem_hugepages("resv") == 0;
}

/*
 * A hugetlb cgroup counter file, "rsvd" or "usage": under HUGETLB_CGROUP_PATH
 * (a cgroup v1 hugetlb mount) as guest_memfd_hugetlb_reporting_test.c reads
 * it (hugetlb.2MB.rsvd.usage_in_bytes), else this process's cgroup v2 files
 * (hugetlb.2MB.rsvd.current, hugetlb.2MB.current).
 */
static __attribute__((unused)) bool gmem_cgroup_path(char *path, size_t len, const char *which)
{
	const char *size = gmem.huge_page_size == 1ULL << 30 ? "1GB" : "2MB";
	const char *v1 = getenv("HUGETLB_CGROUP_PATH");
	char line[512] = {};
	FILE *f;

	if (v1) {
		snprintf(path, len, "%s/hugetlb.%s.%susage_in_bytes", v1, size, !strcmp(which, "rsvd") ? "rsvd." : "");
		return !access(path, R_OK);
	}
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f) || strncmp(line, "0::", 3)) {
		fclose(f);
		return false;
	}
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	snprintf(path, len, "/sys/fs/cgroup%s/hugetlb.%s.%scurrent", line + 3, size, !strcmp(which, "rsvd") ? "rsvd." : "");
	return !access(path, R_OK);
}

static uint64_t gmem_cgroup_base[2];	/* rsvd, usage in bytes before step 0: the reporting test's baseline */

static __attribute__((unused)) uint64_t gmem_cgroup_bytes(const char *which)
{
	char path[640];

	TEST_ASSERT(gmem_cgroup_path(path, sizeof(path), which), "no hugetlb cgroup %s file", which);
	return gmem_read_u64(path);
}

static __attribute__((unused)) void gmem_cgroup_baseline(void)
{
	gmem_cgroup_base[0] = gmem_cgroup_bytes("rsvd");
	gmem_cgroup_base[1] = gmem_cgroup_bytes("usage");
}

/* Huge pages charged to the cgroup since the baseline. */
static __attribute__((unused)) uint64_t gmem_cgroup_pages(const char *which)
{
	uint64_t base = gmem_cgroup_base[!strcmp(which, "rsvd") ? 0 : 1];

	return (gmem_cgroup_bytes(which) - base) / gmem.huge_page_size;
}

/*
 * settle: the wait guest_memfd_hugetlb_reporting_test.c gives the kernel
 * ("resv_hugepages is updated on truncation in ->free_inode, and
 * ->free_inode() happens in an rcu callback": usleep(300 * 1000)), repeated
 * while the pool counters still move, for the merge worker.
 */
static __attribute__((unused)) void gmem_settle(void)
{
	uint64_t free_before, resv_before;
	int i;

	for (i = 0; i < 10; i++) {
		free_before = gmem_hugepages("free");
		resv_before = gmem_hugepages("resv");
		usleep(300 * 1000);
		if (gmem_hugepages("free") == free_before && gmem_hugepages("resv") == resv_before)
			return;
	}
}

/* st_blocks, as test_file_size() in guest_memfd_test.c reads fstat (6.12 never adds to it). */
static __attribute__((unused)) uint64_t gmem_allocated_bytes(void)
{
	struct stat st;

	TEST_ASSERT(!fstat(gmem.fd, &st), "fstat of the guest_memfd failed");
	return (uint64_t)st.st_blocks * 512;
}

/* ---- expectations ---- */

/*
 * Every failed expectation reads "step N (op): the model expects X; the
 * kernel: Y", so a run names the step, the model's answer and the kernel's
 * (scripts/test-kernel-traces.ts picks the line up). gmem_step() marks where
 * a step starts, so a failure inside the selftest library is placed too.
 */
static __attribute__((unused)) void gmem_step(int step, const char *op)
{
	fprintf(stderr, "gmem: step %d (%s)\n", step, op);
}

static const char *gmem_err_name(int err)
{
	static char other[96];

	switch (err) {
	case 0: return "ok";
	case GMEM_SIGBUS: return "SIGBUS";
	case GMEM_EXIT:
		if (gmem_r.exit_reason == KVM_EXIT_MMIO)
			snprintf(other, sizeof(other), "no error but a KVM_EXIT_MMIO exit at gpa 0x%lx (offset 0x%lx)",
				 gmem_r.mmio_gpa, gmem_r.mmio_gpa - GMEM_GPA);
		else
			snprintf(other, sizeof(other), "no error but an exit %u (%s)",
				 gmem_r.exit_reason, exit_reason_str(gmem_r.exit_reason));
		return other;
	case EINVAL: return "EINVAL";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENODEV: return "ENODEV";
	case EFAULT: return "EFAULT";
	case EBADF: return "EBADF";
	default: return strerror(err);
	}
}

static __attribute__((unused)) void gmem_expect_err(int step, const char *op, int want)
{
	TEST_ASSERT(gmem_r.err == want, "step %d (%s): the model expects %s; the kernel: %s", step, op,
		    gmem_err_name(want), gmem_err_name(gmem_r.err));
}

static __attribute__((unused)) void gmem_expect_error_offset(int step, const char *op, uint64_t want)
{
	TEST_ASSERT(gmem_r.has_error_offset && gmem_r.error_offset == want,
		    "step %d (%s): the model expects error_offset 0x%lx; the kernel: %s0x%lx", step, op, want,
		    gmem_r.has_error_offset ? "" : "none written, ", gmem_r.error_offset);
}

static __attribute__((unused)) void gmem_expect_memory_fault(int step, const char *op)
{
	TEST_ASSERT(gmem_r.memory_fault, "step %d (%s): the model expects a KVM_EXIT_MEMORY_FAULT exit; the kernel: exit %u (%s)",
		    step, op, gmem_r.exit_reason, exit_reason_str(gmem_r.exit_reason));
}

static __attribute__((unused)) void gmem_expect_fault_offset(int step, const char *op, uint64_t want)
{
	TEST_ASSERT(gmem_r.mf_gpa == GMEM_GPA + want,
		    "step %d (%s): the model expects the memory fault at gpa 0x%lx (offset 0x%lx); the kernel: gpa 0x%lx",
		    step, op, GMEM_GPA + want, want, gmem_r.mf_gpa);
}

static __attribute__((unused)) void gmem_expect_fault_size(int step, const char *op, uint64_t want)
{
	TEST_ASSERT(gmem_r.mf_size == want, "step %d (%s): the model expects memory fault size 0x%lx; the kernel: 0x%lx",
		    step, op, want, gmem_r.mf_size);
}

static __attribute__((unused)) void gmem_expect_fault_private(int step, const char *op, bool want)
{
	bool got = gmem_r.mf_flags & KVM_MEMORY_EXIT_FLAG_PRIVATE;

	TEST_ASSERT(got == want, "step %d (%s): the model expects a %s memory fault; the kernel: flags 0x%lx (%s)", step, op,
		    want ? "private" : "shared", gmem_r.mf_flags, got ? "private" : "shared");
}

/* The bytes as runs into out, "0x11 x4092, 0x00 x4", at most four of them. */
static const char *gmem_runs(char *out, size_t size, const uint8_t *b, uint64_t len)
{
	uint64_t i = 0, j;
	int n = 0, at = 0;

	out[0] = 0;
	while (i < len && n < 4) {
		for (j = i; j < len && b[j] == b[i]; j++)
			;
		at += snprintf(out + at, size - at, "%s0x%02x x%lu", n ? ", " : "", b[i], j - i);
		i = j;
		n++;
	}
	if (i < len)
		snprintf(out + at, size - at, ", ... (%lu bytes more)", len - i);
	return out;
}

static void gmem_compare(int step, const char *op, const uint8_t *want, uint64_t len)
{
	char model[160], kernel[160];
	uint64_t i, first = len, differ = 0;

	gmem_expect_err(step, op, 0);
	for (i = 0; i < len; i++) {
		if (gmem_r.data[i] == want[i])
			continue;
		if (!differ++)
			first = i;
	}
	if (!differ)
		return;
	TEST_FAIL("step %d (%s): the model expects %s; the kernel: %s (%lu of %lu bytes differ, the first at byte %lu)",
		  step, op, gmem_runs(model, sizeof(model), want, len),
		  gmem_runs(kernel, sizeof(kernel), gmem_r.data, len), differ, len, first);
}

static __attribute__((unused)) void gmem_expect_bytes(int step, const char *op, const uint8_t *want, uint64_t len)
{
	gmem_compare(step, op, want, len);
}

static __attribute__((unused)) void gmem_expect_fill(int step, const char *op, uint8_t want, uint64_t len)
{
	static uint8_t buf[GMEM_IO_MAX];

	memset(buf, want, len);
	gmem_compare(step, op, buf, len);
}

static __attribute__((unused)) void gmem_expect_count(int step, const char *what, uint64_t got, uint64_t want)
{
	TEST_ASSERT(got == want, "step %d (check): the model expects %s %lu; the kernel: %lu", step, what, want, got);
}

static __attribute__((unused)) const uint8_t *gmem_fill(uint8_t byte, uint64_t len)
{
	static uint8_t buf[GMEM_IO_MAX];

	memset(buf, byte, len);
	return buf;
}

/* Ends the child processes and waits for them. */
static __attribute__((unused)) void gmem_stop_processes(int nr)
{
	int p, status;

	for (p = 1; p < nr; p++) {
		close(gmem.sock[p]);
		TEST_ASSERT_EQ(waitpid(gmem.pid[p], &status, 0), gmem.pid[p]);
	}
}
