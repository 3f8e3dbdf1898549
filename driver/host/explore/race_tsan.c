/*
 * race_tsan.c - the ThreadSanitizer entry points (and the memcpy, memmove and memset
 * wrappers of an instrumented module), supplied by the schedule explorer
 * instead of TSan's runtime, for drivers built with scripts/build-host-driver --race.
 *
 * -fsanitize=thread makes the compiler call these functions around every load, store,
 * atomic operation and function of the instrumented code (the ABI of compiler-rt's
 * tsan_interface.h and tsan_interface_atomic.h, which gcc shares). The explorer links
 * none of TSan's runtime: each call goes to the host's own detector (src/os/race.c),
 * which checks accesses against happens-before over the explorer's synchronization
 * events. The executable exports exactly these symbols (CMakeLists.txt), so that a
 * driver module binds its instrumentation calls to them when it is loaded.
 *
 * Atomic operations are performed (sequentially consistent, which every memory order
 * the caller asks for is allowed to be) and count as synchronization: a load acquires,
 * a store releases, a read-modify-write does both. They are not themselves checked as
 * accesses. Function entry and exit only matter to TSan's stack traces: the detector
 * reports the source line of each access instead.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kmdfhost_explore.h"

#define XP_PC() __builtin_extract_return_addr(__builtin_return_address(0))

/* An instrumented module's constructor calls this when it is loaded: the detector
   starts watching (memory, and the synchronization that orders it). */
void __tsan_init(void) { KmdfHostExploreRaceEnable(); }
void __tsan_func_entry(void *CallerPc) { (void)CallerPc; }
void __tsan_func_exit(void) {}
void __tsan_ignore_thread_begin(void) {}
void __tsan_ignore_thread_end(void) {}

/* Plain, unaligned and volatile loads and stores of 1 to 16 bytes. */
#define XP_ACCESS(Name, Size, Write)                                                                                   \
    void Name(void *Address) { KmdfHostExploreRaceAccess(Address, Size, Write, XP_PC()); }
#define XP_ACCESS_SIZES(Prefix, Write)                                                                                 \
    XP_ACCESS(Prefix##1, 1, Write)                                                                                     \
    XP_ACCESS(Prefix##2, 2, Write)                                                                                     \
    XP_ACCESS(Prefix##4, 4, Write)                                                                                     \
    XP_ACCESS(Prefix##8, 8, Write)                                                                                     \
    XP_ACCESS(Prefix##16, 16, Write)

XP_ACCESS_SIZES(__tsan_read, 0)
XP_ACCESS_SIZES(__tsan_write, 1)
XP_ACCESS_SIZES(__tsan_unaligned_read, 0)
XP_ACCESS_SIZES(__tsan_unaligned_write, 1)
XP_ACCESS_SIZES(__tsan_volatile_read, 0)
XP_ACCESS_SIZES(__tsan_volatile_write, 1)
XP_ACCESS_SIZES(__tsan_unaligned_volatile_read, 0)
XP_ACCESS_SIZES(__tsan_unaligned_volatile_write, 1)

/* The same with the caller's address given (what other instrumentations call). */
#define XP_ACCESS_PC(Name, Size, Write)                                                                                \
    void Name(void *Address, void *Pc) { KmdfHostExploreRaceAccess(Address, Size, Write, Pc); }
XP_ACCESS_PC(__tsan_read1_pc, 1, 0)
XP_ACCESS_PC(__tsan_read2_pc, 2, 0)
XP_ACCESS_PC(__tsan_read4_pc, 4, 0)
XP_ACCESS_PC(__tsan_read8_pc, 8, 0)
XP_ACCESS_PC(__tsan_write1_pc, 1, 1)
XP_ACCESS_PC(__tsan_write2_pc, 2, 1)
XP_ACCESS_PC(__tsan_write4_pc, 4, 1)
XP_ACCESS_PC(__tsan_write8_pc, 8, 1)

void __tsan_read_range(void *Address, unsigned long Size) { KmdfHostExploreRaceAccess(Address, Size, 0, XP_PC()); }
void __tsan_write_range(void *Address, unsigned long Size) { KmdfHostExploreRaceAccess(Address, Size, 1, XP_PC()); }

/* C++ virtual table pointers: a read, and a write when it changes. */
void __tsan_vptr_read(void **VptrAddress) { KmdfHostExploreRaceAccess(VptrAddress, sizeof(void *), 0, XP_PC()); }
void __tsan_vptr_update(void **VptrAddress, void *NewValue)
{
    if (*VptrAddress != NewValue) {
        KmdfHostExploreRaceAccess(VptrAddress, sizeof(void *), 1, XP_PC());
    }
}

/*
 * Copies and fills: a read of the source and a write of the destination. clang 16 and
 * later turn memcpy, memmove and memset of instrumented code (RtlCopyMemory and the
 * like, struct copies) into the __tsan_ forms; older clang leaves them as calls to the C
 * library, which build-host-driver --race links with --wrap, so that they come here as
 * the __wrap_ forms.
 */
static void *XpCopy(void *To, const void *From, size_t Size, const void *Pc)
{
    KmdfHostExploreRaceAccess(From, Size, 0, Pc);
    KmdfHostExploreRaceAccess(To, Size, 1, Pc);
    return memcpy(To, From, Size);
}
static void *XpMove(void *To, const void *From, size_t Size, const void *Pc)
{
    KmdfHostExploreRaceAccess(From, Size, 0, Pc);
    KmdfHostExploreRaceAccess(To, Size, 1, Pc);
    return memmove(To, From, Size);
}
static void *XpFill(void *To, int Value, size_t Size, const void *Pc)
{
    KmdfHostExploreRaceAccess(To, Size, 1, Pc);
    return memset(To, Value, Size);
}
void *__tsan_memcpy(void *To, const void *From, size_t Size) { return XpCopy(To, From, Size, XP_PC()); }
void *__tsan_memmove(void *To, const void *From, size_t Size) { return XpMove(To, From, Size, XP_PC()); }
void *__tsan_memset(void *To, int Value, size_t Size) { return XpFill(To, Value, Size, XP_PC()); }
void *__wrap_memcpy(void *To, const void *From, size_t Size) { return XpCopy(To, From, Size, XP_PC()); }
void *__wrap_memmove(void *To, const void *From, size_t Size) { return XpMove(To, From, Size, XP_PC()); }
void *__wrap_memset(void *To, int Value, size_t Size) { return XpFill(To, Value, Size, XP_PC()); }

/* ------------------------------------------------------------------ atomics */

#define XP_SEQ __ATOMIC_SEQ_CST

#define XP_ATOMICS(Bits, Type)                                                                                         \
    Type __tsan_atomic##Bits##_load(const volatile Type *A, int Mo)                                                    \
    {                                                                                                                  \
        (void)Mo;                                                                                                      \
        Type v = __atomic_load_n(A, XP_SEQ);                                                                           \
        KmdfHostExploreRaceAtomic((const void *)A, 1, 0);                                                              \
        return v;                                                                                                      \
    }                                                                                                                  \
    void __tsan_atomic##Bits##_store(volatile Type *A, Type V, int Mo)                                                 \
    {                                                                                                                  \
        (void)Mo;                                                                                                      \
        KmdfHostExploreRaceAtomic((const void *)A, 0, 1);                                                              \
        __atomic_store_n(A, V, XP_SEQ);                                                                                \
    }                                                                                                                  \
    XP_RMW(Bits, Type, exchange, __atomic_exchange_n)                                                                  \
    XP_RMW(Bits, Type, fetch_add, __atomic_fetch_add)                                                                  \
    XP_RMW(Bits, Type, fetch_sub, __atomic_fetch_sub)                                                                  \
    XP_RMW(Bits, Type, fetch_and, __atomic_fetch_and)                                                                  \
    XP_RMW(Bits, Type, fetch_or, __atomic_fetch_or)                                                                    \
    XP_RMW(Bits, Type, fetch_xor, __atomic_fetch_xor)                                                                  \
    XP_RMW(Bits, Type, fetch_nand, __atomic_fetch_nand)                                                                \
    int __tsan_atomic##Bits##_compare_exchange_strong(volatile Type *A, Type *C, Type V, int Mo, int Fmo)              \
    {                                                                                                                  \
        (void)Mo;                                                                                                      \
        (void)Fmo;                                                                                                     \
        KmdfHostExploreRaceAtomic((const void *)A, 1, 1);                                                              \
        return __atomic_compare_exchange_n(A, C, V, 0, XP_SEQ, XP_SEQ);                                                \
    }                                                                                                                  \
    int __tsan_atomic##Bits##_compare_exchange_weak(volatile Type *A, Type *C, Type V, int Mo, int Fmo)                \
    {                                                                                                                  \
        return __tsan_atomic##Bits##_compare_exchange_strong(A, C, V, Mo, Fmo);                                        \
    }                                                                                                                  \
    Type __tsan_atomic##Bits##_compare_exchange_val(volatile Type *A, Type C, Type V, int Mo, int Fmo)                 \
    {                                                                                                                  \
        __tsan_atomic##Bits##_compare_exchange_strong(A, &C, V, Mo, Fmo);                                              \
        return C;                                                                                                      \
    }

#define XP_RMW(Bits, Type, Op, Builtin)                                                                                \
    Type __tsan_atomic##Bits##_##Op(volatile Type *A, Type V, int Mo)                                                  \
    {                                                                                                                  \
        (void)Mo;                                                                                                      \
        KmdfHostExploreRaceAtomic((const void *)A, 1, 1);                                                              \
        return Builtin(A, V, XP_SEQ);                                                                                  \
    }

XP_ATOMICS(8, int8_t)
XP_ATOMICS(16, int16_t)
XP_ATOMICS(32, int32_t)
XP_ATOMICS(64, int64_t)

/* A fence orders nothing by itself here (no accesses are reordered: one task runs at a
   time); the atomic operations around it carry the synchronization. */
void __tsan_atomic_thread_fence(int Mo)
{
    (void)Mo;
    __atomic_thread_fence(XP_SEQ);
}
void __tsan_atomic_signal_fence(int Mo) { (void)Mo; }
