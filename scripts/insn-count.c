/* insn-count.c - a QEMU TCG plugin that counts guest instructions, user and
 * kernel apart, and reports the counts where the guest asks.
 *
 * Build (scripts/insn-count.sh does): gcc -O2 -shared -fPIC -fvisibility=hidden
 * Use:   qemu-system-ARCH ... -plugin insn-count.so[,pc=HEX...] -d plugin
 *
 * Every translated block adds its instruction count, when it starts to run,
 * to one of two counters: kernel (the block's address has the top bit set:
 * Starry's kernels live in the upper half on every arch) or user. A block cut
 * short by a fault or an interrupt has still been counted whole, so a count
 * may run ahead by a few instructions; nothing else is estimated. TLB
 * maintenance instructions are counted too, apart: whole-TLB flushes and
 * one-page ones (riscv64 sfence.vma with rs1 = x0 or not; aarch64 TLBI
 * VMALLE1 and ASIDE1 or the VA forms; not decoded on x86_64, where both stay
 * 0). QEMU
 * empties its software TLB on each, so they cost the emulator more than the
 * one instruction they are.
 *
 * Marks. A guest program asks for the counts by executing a mark instruction
 * that does nothing architecturally (apps/vdso/user/c/insn_mark.h):
 *   riscv64  addi x0, x0, 0x7a0 + N       (a HINT: writes x0)
 *   aarch64  movz xzr, #(0xa700 + N)      (writes the zero register)
 *   x86_64   nopl 0x7a700 + N(%rax)       (0f 1f 80, 32-bit displacement)
 * for N in 0..15; each one executed prints
 *   INSN mark=N user=U kernel=K flush_all=A flush_page=P
 * with the running totals. With pc=HEX (repeatable) the instruction at that
 * virtual address prints INSN pc=HEX user=U kernel=K when it runs: kernel
 * code can be measured between two of its addresses without changing it.
 * QEMU writes plugin output to its log (-d plugin; stderr, or -D FILE).
 *
 * The declarations below are the few entry points of QEMU's plugin API this
 * uses, written from its documentation (QEMU 7.2, plugin API version 1);
 * Debian's QEMU exports them but ships no header.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                              uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_outs(const char *string);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

#define MAX_PCS 16
#define N_MARKS 16

static uint64_t user_insns, kernel_insns, flush_all, flush_page;
static uint64_t pcs[MAX_PCS];
static int n_pcs;

/* What a mark or a watched address reports. */
struct report {
    bool is_pc;
    uint64_t id; /* the mark's N, or the address */
};
static struct report mark_reports[N_MARKS];
static struct report pc_reports[MAX_PCS];

static void on_report(unsigned int vcpu_index, void *userdata)
{
    const struct report *r = userdata;
    char line[128];
    (void)vcpu_index;
    snprintf(line, sizeof line,
             r->is_pc ? "INSN pc=%#llx user=%llu kernel=%llu flush_all=%llu flush_page=%llu\n"
                      : "INSN mark=%llu user=%llu kernel=%llu flush_all=%llu flush_page=%llu\n",
             (unsigned long long)r->id, (unsigned long long)user_insns, (unsigned long long)kernel_insns,
             (unsigned long long)flush_all, (unsigned long long)flush_page);
    qemu_plugin_outs(line);
}

/* The N of a mark instruction, or -1. */
static int mark_of(const uint8_t *b, size_t len)
{
    uint32_t w;
    if (len == 4) {
        memcpy(&w, b, 4);
        /* riscv64: addi x0, x0, imm (opcode 0x13, rd = rs1 = x0, funct3 0). */
        if ((w & 0xfffff) == 0x13 && (w >> 20) >= 0x7a0 && (w >> 20) < 0x7a0 + N_MARKS)
            return (int)(w >> 20) - 0x7a0;
        /* aarch64: movz xzr, #imm16 (sf = 1, hw = 0, Rd = 31). */
        if ((w & 0xffe0001f) == 0xd280001f && ((w >> 5) & 0xffff) >= 0xa700 &&
            ((w >> 5) & 0xffff) < 0xa700 + N_MARKS)
            return (int)((w >> 5) & 0xffff) - 0xa700;
    }
    /* x86_64: nopl disp32(%rax). */
    if (len == 7 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x80) {
        memcpy(&w, b + 3, 4);
        if (w >= 0x7a700 && w < 0x7a700 + N_MARKS)
            return (int)(w - 0x7a700);
    }
    return -1;
}

/* &flush_all or &flush_page if this is a TLB maintenance instruction. */
static uint64_t *flush_counter(const uint8_t *b, size_t len)
{
    uint32_t w;
    if (len != 4)
        return NULL;
    memcpy(&w, b, 4);
    /* riscv64: sfence.vma rs1, rs2 (funct7 0001001, rd = 0, opcode SYSTEM). */
    if ((w & 0xfe007fff) == 0x12000073)
        return ((w >> 15) & 0x1f) == 0 ? &flush_all : &flush_page;
    /* aarch64: TLBI (SYS, op1 0, CRn 8): VMALLE1* (op2 0) and ASIDE1* (op2 2)
     * drop every entry (of an address space); the VA forms one page. */
    if ((w & 0xfff8f000) == 0xd5088000) {
        uint32_t op2 = (w >> 5) & 7;
        return op2 == 0 || op2 == 2 ? &flush_all : &flush_page;
    }
    return NULL;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    uint64_t *counter = qemu_plugin_tb_vaddr(tb) >> 63 ? &kernel_insns : &user_insns;
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, counter, n);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint8_t *bytes = qemu_plugin_insn_data(insn);
        size_t len = qemu_plugin_insn_size(insn);
        int mark = mark_of(bytes, len);
        uint64_t *flush = flush_counter(bytes, len);
        if (flush)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, flush, 1);
        if (mark >= 0)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_report, QEMU_PLUGIN_CB_NO_REGS, &mark_reports[mark]);
        uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
        for (int p = 0; p < n_pcs; p++)
            if (pcs[p] == vaddr)
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_report, QEMU_PLUGIN_CB_NO_REGS, &pc_reports[p]);
    }
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    for (int m = 0; m < N_MARKS; m++)
        mark_reports[m] = (struct report){.is_pc = false, .id = (uint64_t)m};
    for (int i = 0; i < argc; i++) {
        char *end;
        if (strncmp(argv[i], "pc=", 3) != 0 || n_pcs == MAX_PCS) {
            fprintf(stderr, "insn-count: bad argument %s (pc=HEX, at most %d)\n", argv[i], MAX_PCS);
            return -1;
        }
        uint64_t pc = strtoull(argv[i] + 3, &end, 16);
        if (*end != '\0' || end == argv[i] + 3) {
            fprintf(stderr, "insn-count: bad address in %s\n", argv[i]);
            return -1;
        }
        pcs[n_pcs] = pc;
        pc_reports[n_pcs] = (struct report){.is_pc = true, .id = pc};
        n_pcs++;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}
