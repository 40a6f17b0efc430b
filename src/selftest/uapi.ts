/**
 * The per-variant uapi a generated selftest needs, as one C block: every value
 * under #ifndef (so the series' own headers win when the file is built in a
 * tree that has them, and the file still builds against mainline 6.12
 * headers), each cited to the tree that defines it.
 */
import type { Variant } from './contract';

export type ConvertUapi = 'rfc-v2' | 'attributes2' | 'vm-attributes';

/**
 * Which ioctl converts: RFC v2's KVM_GMEM_CONVERT_*, mainline 6.12's
 * KVM_SET_MEMORY_ATTRIBUTES on the VM, else KVM_SET_MEMORY_ATTRIBUTES2 on the
 * gmem fd.
 */
export function convertUapi(variant: Variant): ConvertUapi {
  return variant === 'rfc-v2' ? 'rfc-v2' : variant === 'mainline-6.12' ? 'vm-attributes' : 'attributes2';
}

/** The tree's name in the SKIP messages of a kernel without its uapi. */
const TREE: Record<Variant, string> = {
  'rfc-v2': 'RFC v2 (gmem-1g-page-support-rfc-v2)',
  'wip-2025-12': 'the Dec 2025 WIP (wip-gmem-conversions-hugetlb-restructuring-12-08-25)',
  'tdx-huge-v3': 'the TDX huge page v3 tree (intel-staging/tdx huge_page_v3)',
  'inplace-v13': 'in-place conversion v13',
  'inplace-v8': 'in-place conversion v8',
  'mainline-6.12': 'mainline 6.12',
};

const VM_TYPES = `/* VM types: torvalds/linux arch/x86/include/uapi/asm/kvm.h (KVM_X86_SW_PROTECTED_VM since v6.8, SNP v6.11, TDX v6.16). */
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM	1
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM		4
#endif
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM		5
#endif
/* KVM_EXIT_MEMORY_FAULT payload flag: torvalds/linux include/uapi/linux/kvm.h (v6.8). */
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#endif
`;

const HUGETLB_SIZE_FLAGS = (tree: string) => `/* HugeTLB page size in the creation flags: ${tree} include/uapi/linux/guestmem.h. */
#ifndef GUESTMEM_HUGETLB_FLAG_SHIFT
#define GUESTMEM_HUGETLB_FLAG_SHIFT	58
#endif
#ifndef GUESTMEM_HUGETLB_FLAG_2MB
#define GUESTMEM_HUGETLB_FLAG_2MB	(21ULL << GUESTMEM_HUGETLB_FLAG_SHIFT)
#endif
#ifndef GUESTMEM_HUGETLB_FLAG_1GB
#define GUESTMEM_HUGETLB_FLAG_1GB	(30ULL << GUESTMEM_HUGETLB_FLAG_SHIFT)
#endif
`;

/** The two creation flags of torvalds/linux v6.18 that the in-place trees and the refusal probe on 6.12 both define. */
const MMAP_INIT_SHARED_FLAGS = `#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#endif
`;

const RFC_V2 = `/*
 * RFC v2 "1G page support for guest_memfd" (May 2025): googleprodkernel/linux-cc
 * branch gmem-1g-page-support-rfc-v2, include/uapi/linux/kvm.h.
 */
#ifndef GUEST_MEMFD_FLAG_SUPPORT_SHARED
#define GUEST_MEMFD_FLAG_SUPPORT_SHARED	(1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_PRIVATE
#define GUEST_MEMFD_FLAG_INIT_PRIVATE	(1ULL << 1)
#endif
#ifndef GUEST_MEMFD_FLAG_HUGETLB
#define GUEST_MEMFD_FLAG_HUGETLB	(1ULL << 2)
#endif
#ifndef KVM_GMEM_CONVERT_SHARED
#define KVM_GMEM_IO			0xAF
struct kvm_gmem_convert {
	__u64 offset;
	__u64 size;
	__u64 error_offset;
	__u64 reserved[5];
};
#define KVM_GMEM_CONVERT_SHARED		_IOWR(KVM_GMEM_IO, 0x41, struct kvm_gmem_convert)
#define KVM_GMEM_CONVERT_PRIVATE	_IOWR(KVM_GMEM_IO, 0x42, struct kvm_gmem_convert)
#endif
#define GMEM_CONVERT_RFC_V2		1
`;

const IN_PLACE = (tree: string) => `/*
 * Creation flags: torvalds/linux include/uapi/linux/kvm.h (v6.18).
 * KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd, with error_offset: ${tree},
 * include/uapi/linux/kvm.h ("KVM: guest_memfd: ... error_offset").
 */
${MMAP_INIT_SHARED_FLAGS}#ifndef KVM_SET_MEMORY_ATTRIBUTES2
struct kvm_memory_attributes2 {
	union {
		__u64 address;
		__u64 offset;
	};
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset;
	__u64 reserved[11];
};
#define KVM_SET_MEMORY_ATTRIBUTES2	_IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2)
#endif
`;

const WIP_HUGETLB = `/*
 * HugeTLB in the Dec 2025 WIP (googleprodkernel/linux-cc branch
 * wip-gmem-conversions-hugetlb-restructuring-12-08-25, virt/kvm/guest_memfd.c
 * kvm_gmem_create()): GUEST_MEMFD_FLAG_HUGETLB, with the page size as
 * args->page_order in struct kvm_create_guest_memfd (HUGETLB with INIT_SHARED
 * is EINVAL). The flag's bit and the field's place are [assumed] from the
 * layout proposed on the list for that field (a __u8 right after flags, the
 * rest reserved; lore, Sean Christopherson on RFC v2's guestmem.h): the index
 * holds no uapi header of that branch. The struct keeps the 64 bytes of
 * struct kvm_create_guest_memfd, so the ioctl number is the same.
 */
#ifndef GUEST_MEMFD_FLAG_HUGETLB
#define GUEST_MEMFD_FLAG_HUGETLB	(1ULL << 2)
#endif
struct gmem_create_guest_memfd_order {
	__u64 size;
	__u64 flags;
	__u8 page_order;
	__u8 reserved8;
	__u16 reserved16;
	__u32 reserved32;
	__u64 reserved[5];
};
_Static_assert(sizeof(struct gmem_create_guest_memfd_order) == sizeof(struct kvm_create_guest_memfd),
	       "the WIP creation struct keeps the size of struct kvm_create_guest_memfd");
#define GMEM_CREATE_WITH_PAGE_ORDER	1
`;

const INPLACE_HUGETLB = `/*
 * The in-place series has no HugeTLB flag: the trace's "hugetlb" is passed as
 * RFC v2's bit, which this kernel must refuse (EINVAL) as an unknown flag.
 */
#ifndef GUEST_MEMFD_FLAG_HUGETLB
#define GUEST_MEMFD_FLAG_HUGETLB	(1ULL << 2)
#endif
`;

const MAINLINE_612 = `/*
 * Mainline 6.12 (Debian linux-source-6.12, S-ML612): KVM_CREATE_GUEST_MEMFD
 * takes no flag (kvm_gmem_create(): valid_flags is 0), the file has no .mmap,
 * and the attributes live on the VM: KVM_SET_MEMORY_ATTRIBUTES (v6.8) over
 * guest physical addresses, shared memory at the memslot's userspace_addr.
 * The trace's flags are passed as the bits later trees gave them
 * (torvalds/linux v6.18 include/uapi/linux/kvm.h; RFC v2's HUGETLB), which
 * this kernel refuses.
 */
${MMAP_INIT_SHARED_FLAGS}#ifndef GUEST_MEMFD_FLAG_HUGETLB
#define GUEST_MEMFD_FLAG_HUGETLB	(1ULL << 2)
#endif
#define GMEM_ATTRIBUTES_ON_VM		1
`;

/** The whole block for one variant. */
export function uapiBlock(variant: Variant): string {
  const parts = [VM_TYPES];
  switch (variant) {
    case 'rfc-v2':
      parts.push(RFC_V2, HUGETLB_SIZE_FLAGS('googleprodkernel/linux-cc gmem-1g-page-support-rfc-v2'));
      break;
    case 'wip-2025-12':
    case 'tdx-huge-v3':
      parts.push(IN_PLACE('googleprodkernel/linux-cc guest_memfd-inplace-conversion-v8, which the WIP builds on'), WIP_HUGETLB);
      break;
    case 'inplace-v13':
    case 'inplace-v8':
      parts.push(IN_PLACE(`googleprodkernel/linux-cc guest_memfd-inplace-conversion-${variant === 'inplace-v8' ? 'v8' : 'v13 (as v8)'}`), INPLACE_HUGETLB);
      break;
    case 'mainline-6.12':
      parts.push(MAINLINE_612);
      break;
  }
  parts.push(`#define GMEM_TREE\t\t${JSON.stringify(TREE[variant])}\n`);
  return `/* ---- uapi (gmem-model src/selftest/uapi.ts): the series' own headers win ---- */\n${parts.join('\n')}`;
}
