/* vdso_lookup.h - find the vDSO's functions by name and version.
 *
 * The way a libc does it, from the image the kernel maps at AT_SYSINFO_EHDR:
 * its PT_LOAD gives the load bias, PT_DYNAMIC the tables; a name is looked up
 * in DT_HASH and accepted only if it is a defined global or weak function
 * (STT_FUNC, or STT_NOTYPE as glibc also accepts: Linux's arm64 image has its
 * __kernel_rt_sigreturn as an untyped assembly label)
 * whose DT_VERSYM index names, in DT_VERDEF, the wanted version (hash and
 * string both). Used by vdso_test.c and bench.c.
 *
 *     struct vdso v;
 *     if (vdso_open(&v, getauxval(AT_SYSINFO_EHDR)) == 0)
 *         f = vdso_sym(&v, "__vdso_clock_gettime", "LINUX_4.15");  // NULL if absent
 */
#ifndef AXVDSO_VDSO_LOOKUP_H
#define AXVDSO_VDSO_LOOKUP_H

#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

struct vdso {
    uintptr_t base;
    const Elf64_Sym *symtab;
    const char *strtab;
    const uint32_t *hash;
    const uint16_t *versym;
    const Elf64_Verdef *verdef;
};

static inline unsigned long elf_hash(const char *name)
{
    unsigned long h = 0;
    for (const unsigned char *p = (const void *)name; *p; p++) {
        h = (h << 4) + *p;
        unsigned long g = h & 0xf0000000;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static inline int vdso_open(struct vdso *v, uintptr_t ehdr_addr)
{
    const Elf64_Ehdr *eh = (const void *)ehdr_addr;
    const Elf64_Phdr *ph = (const void *)(ehdr_addr + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    memset(v, 0, sizeof *v);
    v->base = (uintptr_t)-1;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && v->base == (uintptr_t)-1)
            v->base = ehdr_addr + ph[i].p_offset - ph[i].p_vaddr;
        else if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const void *)(ehdr_addr + ph[i].p_offset);
    }
    if (!dyn || v->base == (uintptr_t)-1)
        return -1;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t p = v->base + dyn->d_un.d_ptr;
        switch (dyn->d_tag) {
        case DT_SYMTAB: v->symtab = (const void *)p; break;
        case DT_STRTAB: v->strtab = (const void *)p; break;
        case DT_HASH: v->hash = (const void *)p; break;
        case DT_VERSYM: v->versym = (const void *)p; break;
        case DT_VERDEF: v->verdef = (const void *)p; break;
        }
    }
    return v->symtab && v->strtab && v->hash && v->versym && v->verdef ? 0 : -1;
}

static inline int version_matches(const struct vdso *v, int sym, const char *version)
{
    uint16_t ver = v->versym[sym] & 0x7fff;
    for (const Elf64_Verdef *d = v->verdef;; d = (const void *)((const char *)d + d->vd_next)) {
        if (!(d->vd_flags & VER_FLG_BASE) && (d->vd_ndx & 0x7fff) == ver) {
            const Elf64_Verdaux *aux = (const void *)((const char *)d + d->vd_aux);
            return d->vd_hash == elf_hash(version) && !strcmp(version, v->strtab + aux->vda_name);
        }
        if (!d->vd_next)
            return 0;
    }
}

static inline void *vdso_sym(const struct vdso *v, const char *name, const char *version)
{
    uint32_t nbucket = v->hash[0];
    const uint32_t *bucket = v->hash + 2, *chain = bucket + nbucket;
    for (uint32_t i = bucket[elf_hash(name) % nbucket]; i; i = chain[i]) {
        const Elf64_Sym *s = &v->symtab[i];
        int type = ELF64_ST_TYPE(s->st_info);
        if ((type == STT_FUNC || type == STT_NOTYPE) && s->st_shndx != SHN_UNDEF &&
            (ELF64_ST_BIND(s->st_info) == STB_GLOBAL || ELF64_ST_BIND(s->st_info) == STB_WEAK) &&
            !strcmp(name, v->strtab + s->st_name) && version_matches(v, i, version))
            return (void *)(v->base + s->st_value);
    }
    return NULL;
}

/* The clocks the vDSO serves from its data page (the rest go to the syscall). */
static const struct { clockid_t id; const char *name; } vdso_clocks[] = {
    {CLOCK_REALTIME, "REALTIME"},
    {CLOCK_MONOTONIC, "MONOTONIC"},
    {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "BOOTTIME"},
    {CLOCK_TAI, "TAI"},
};
#define N_VDSO_CLOCKS (int)(sizeof vdso_clocks / sizeof vdso_clocks[0])

#endif
