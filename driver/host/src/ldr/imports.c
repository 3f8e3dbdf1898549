/*
 * ldrimports.c - lenient binding of a driver module's imports.
 *
 * On Windows a driver that imports a routine the kernel does not export fails to load.
 * The host implements only part of the kernel and of KMDF, and a driver often imports
 * routines it calls only on paths a given run never takes (error paths, families of
 * DDIs the device does not use). So a module loads even when some of its imports are
 * missing: the loader lists them all in one line, and binds each to a trampoline of its
 * own. Calling one is a verifier report, "VERIFIER: UNIMPLEMENTED_DDI: <name>, called
 * from <driver>", after which the host stops as on any bug check: an unimplemented
 * routine never returns a made-up result.
 *
 * How: the module is opened with RTLD_LAZY, so a call to a function that no loaded
 * object defines stays unbound until its first call through the module's procedure
 * linkage table. Before DriverEntry runs, the loader walks the module's PLT relocations
 * (DT_JMPREL), finds the function symbols that nothing in the process defines, and
 * writes the address of a free trampoline into each one's GOT slot, so the dynamic
 * linker never tries to bind them. Nothing is interposed process-wide, which keeps the
 * sanitizers' own interception intact. A reference that is not a call (a data pointer
 * to a missing function) is bound at load time by the dynamic linker and still fails
 * the load, naming the function; so does LD_BIND_NOW.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ke/ke.h"
#include "ldr/ldr.h"
#include "os/hostos.h"

#if defined(__x86_64__)
#define KH_JUMP_SLOT R_X86_64_JUMP_SLOT
#elif defined(__aarch64__)
#define KH_JUMP_SLOT R_AARCH64_JUMP_SLOT
#elif defined(__i386__)
#define KH_JUMP_SLOT R_386_JMP_SLOT
#else
#error "ldrimports.c: the PLT relocation type of this architecture is not known"
#endif

#if __ELF_NATIVE_CLASS == 64
#define KH_R_SYM(info) ELF64_R_SYM(info)
#define KH_R_TYPE(info) ELF64_R_TYPE(info)
#else
#define KH_R_SYM(info) ELF32_R_SYM(info)
#define KH_R_TYPE(info) ELF32_R_TYPE(info)
#endif

typedef void KH_TRAMPOLINE(void);

/* One trampoline per slot; a slot is bound to one missing import of one driver. */
typedef struct _KH_IMPORT_SLOT {
    KH_DRIVER *Driver; /* NULL: free */
    char *Name;
    char *ServiceName;
} KH_IMPORT_SLOT;

static void KhUnimplementedEntered(KH_TRAMPOLINE *Trampoline, const void *Caller);

/*
 * The trampolines: 1024 distinct functions, named by their slot number in base 4.
 * Each passes its own address, which identifies the slot, and its caller's. They take
 * no parameters and return nothing: whatever the driver passed is left alone, and
 * they never return.
 */
#define KH_CALLER() __builtin_extract_return_addr(__builtin_return_address(0))
#define KH_T1(n)                                                                                                  \
    __attribute__((noinline, noreturn)) static void KhTrampoline##n(void)                                       \
    {                                                                                                             \
        KhUnimplementedEntered(KhTrampoline##n, KH_CALLER());                                                     \
        abort();                                                                                                  \
    }
#define KH_T4(n) KH_T1(n##0) KH_T1(n##1) KH_T1(n##2) KH_T1(n##3)
#define KH_T16(n) KH_T4(n##0) KH_T4(n##1) KH_T4(n##2) KH_T4(n##3)
#define KH_T64(n) KH_T16(n##0) KH_T16(n##1) KH_T16(n##2) KH_T16(n##3)
#define KH_T256(n) KH_T64(n##0) KH_T64(n##1) KH_T64(n##2) KH_T64(n##3)
#define KH_T1024(n) KH_T256(n##0) KH_T256(n##1) KH_T256(n##2) KH_T256(n##3)
KH_T1024(_)

#define KH_A1(n) KhTrampoline##n,
#define KH_A4(n) KH_A1(n##0) KH_A1(n##1) KH_A1(n##2) KH_A1(n##3)
#define KH_A16(n) KH_A4(n##0) KH_A4(n##1) KH_A4(n##2) KH_A4(n##3)
#define KH_A64(n) KH_A16(n##0) KH_A16(n##1) KH_A16(n##2) KH_A16(n##3)
#define KH_A256(n) KH_A64(n##0) KH_A64(n##1) KH_A64(n##2) KH_A64(n##3)
#define KH_A1024(n) KH_A256(n##0) KH_A256(n##1) KH_A256(n##2) KH_A256(n##3)
static KH_TRAMPOLINE *const KhTrampolines[] = {KH_A1024(_)};

#define KH_SLOT_COUNT (sizeof(KhTrampolines) / sizeof(KhTrampolines[0]))

static HOS_MUTEX KhImportLock;
static KH_IMPORT_SLOT KhSlots[KH_SLOT_COUNT];

__attribute__((constructor)) static void KhImportsInit(void) { HosMutexInit(&KhImportLock); }

/* A bug check: the report is made (a test's sink sees it), then the host stops. */
static void KhUnimplementedEntered(KH_TRAMPOLINE *Trampoline, const void *Caller)
{
    char name[256] = "(unknown)";
    char service[128] = "(unknown)";
    char site[512];
    char where[768];
    HosMutexLock(&KhImportLock);
    for (size_t i = 0; i < KH_SLOT_COUNT; i++) {
        if (KhTrampolines[i] == Trampoline && KhSlots[i].Driver != NULL) {
            snprintf(name, sizeof(name), "%s", KhSlots[i].Name);
            snprintf(service, sizeof(service), "%s", KhSlots[i].ServiceName);
            break;
        }
    }
    HosMutexUnlock(&KhImportLock);
    KhDescribeCallSite(Caller, site, sizeof(site));
    if (strncmp(site, "driver ", 7) == 0) {
        snprintf(where, sizeof(where), "%s", site);
    } else {
        /* Called from outside the module (a pointer the driver handed on): name the importer. */
        snprintf(where, sizeof(where), "driver %s (at %s)", service, site);
    }
    KhBugCheckReport("UNIMPLEMENTED_DDI", "%s, called from %s", name, where);
}

/* A d_ptr of the dynamic section: glibc relocates most of them in place, some ports not. */
static uintptr_t KhDynamicAddress(const struct link_map *Map, ElfW(Addr) Pointer)
{
    return Pointer < Map->l_addr ? Map->l_addr + Pointer : Pointer;
}

static bool KhSymbolIsDefinedSomewhere(void *Module, const char *Name)
{
    return dlsym(RTLD_DEFAULT, Name) != NULL || dlsym(Module, Name) != NULL;
}

static void KhReleaseSlotsLocked(KH_DRIVER *Driver)
{
    for (size_t i = 0; i < KH_SLOT_COUNT; i++) {
        if (KhSlots[i].Driver == Driver) {
            free(KhSlots[i].Name);
            free(KhSlots[i].ServiceName);
            memset(&KhSlots[i], 0, sizeof(KhSlots[i]));
        }
    }
}

NTSTATUS KhBindUnimplementedImports(KH_DRIVER *Driver)
{
    struct link_map *map = NULL;
    if (dlinfo(Driver->Module, RTLD_DI_LINKMAP, &map) != 0 || map == NULL) {
        fprintf(stderr, "kmdfhost: cannot load driver %s: %s\n", Driver->ModulePath, dlerror());
        return STATUS_INVALID_IMAGE_FORMAT;
    }
    uintptr_t symtab = 0, strtab = 0, jmprel = 0;
    size_t pltrelsz = 0;
    ElfW(Sxword) pltrel = 0;
    for (const ElfW(Dyn) *d = map->l_ld; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_SYMTAB: symtab = KhDynamicAddress(map, d->d_un.d_ptr); break;
        case DT_STRTAB: strtab = KhDynamicAddress(map, d->d_un.d_ptr); break;
        case DT_JMPREL: jmprel = KhDynamicAddress(map, d->d_un.d_ptr); break;
        case DT_PLTRELSZ: pltrelsz = d->d_un.d_val; break;
        case DT_PLTREL: pltrel = (ElfW(Sxword))d->d_un.d_val; break;
        default: break;
        }
    }
    if (jmprel == 0 || pltrelsz == 0 || symtab == 0 || strtab == 0) {
        return STATUS_SUCCESS; /* no calls through a PLT at all */
    }
    const ElfW(Sym) *symbols = (const ElfW(Sym) *)symtab;
    const char *strings = (const char *)strtab;
    size_t entrySize = pltrel == DT_RELA ? sizeof(ElfW(Rela)) : sizeof(ElfW(Rel));
    size_t count = pltrelsz / entrySize;

    char *list = NULL;
    size_t listLength = 0;
    size_t missing = 0;
    NTSTATUS status = STATUS_SUCCESS;
    HosMutexLock(&KhImportLock);
    size_t next = 0;
    for (size_t i = 0; i < count; i++) {
        ElfW(Addr) offset;
        ElfW(Xword) info;
        if (pltrel == DT_RELA) {
            const ElfW(Rela) *r = (const ElfW(Rela) *)jmprel + i;
            offset = r->r_offset;
            info = r->r_info;
        } else {
            const ElfW(Rel) *r = (const ElfW(Rel) *)jmprel + i;
            offset = r->r_offset;
            info = r->r_info;
        }
        if (KH_R_TYPE(info) != KH_JUMP_SLOT || KH_R_SYM(info) == 0) {
            continue;
        }
        const ElfW(Sym) *sym = &symbols[KH_R_SYM(info)];
        const char *name = strings + sym->st_name;
        if (sym->st_shndx != SHN_UNDEF || ELF64_ST_BIND(sym->st_info) == STB_WEAK || name[0] == 0 ||
            KhSymbolIsDefinedSomewhere(Driver->Module, name)) {
            continue;
        }
        if (strcmp(name, "DriverEntry") == 0) {
            /* The KMDF stub's call of the driver's own entry point: not a DDI. */
            fprintf(stderr, "kmdfhost: cannot load driver %s: it has no DriverEntry\n", Driver->ModulePath);
            status = STATUS_DRIVER_ENTRYPOINT_NOT_FOUND;
            break;
        }
        while (next < KH_SLOT_COUNT && KhSlots[next].Driver != NULL) {
            next++;
        }
        char *nameCopy = strdup(name);
        char *serviceCopy = strdup(Driver->ServiceName);
        size_t length = strlen(name);
        char *grown = realloc(list, listLength + length + 3);
        if (next == KH_SLOT_COUNT || nameCopy == NULL || serviceCopy == NULL || grown == NULL) {
            free(nameCopy);
            free(serviceCopy);
            if (grown != NULL) {
                list = grown;
            }
            fprintf(stderr, "kmdfhost: cannot load driver %s: it imports more functions the host does not "
                            "implement than the loader can bind (%zu)\n",
                    Driver->ModulePath, KH_SLOT_COUNT);
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        list = grown;
        if (listLength > 0) {
            memcpy(list + listLength, ", ", 2);
            listLength += 2;
        }
        memcpy(list + listLength, name, length + 1);
        listLength += length;
        KhSlots[next].Driver = Driver;
        KhSlots[next].Name = nameCopy;
        KhSlots[next].ServiceName = serviceCopy;
        /* The GOT slot of a lazily bound call is writable (it is not in RELRO). */
        *(KH_TRAMPOLINE **)(map->l_addr + offset) = KhTrampolines[next];
        missing++;
    }
    if (!NT_SUCCESS(status)) {
        KhReleaseSlotsLocked(Driver);
    }
    HosMutexUnlock(&KhImportLock);
    if (NT_SUCCESS(status) && missing > 0) {
        fprintf(stderr,
                "kmdfhost: driver %s imports %zu function(s) the host does not implement: %s; calling one is "
                "reported as UNIMPLEMENTED_DDI\n",
                Driver->ModulePath, missing, list);
        fflush(stderr);
    }
    free(list);
    return status;
}

void KhReleaseUnimplementedImports(KH_DRIVER *Driver)
{
    HosMutexLock(&KhImportLock);
    KhReleaseSlotsLocked(Driver);
    HosMutexUnlock(&KhImportLock);
}
