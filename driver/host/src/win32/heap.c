/*
 * heap.c - kernel32's heap and local/global memory: GetProcessHeap, HeapCreate,
 * HeapDestroy, HeapAlloc, HeapReAlloc, HeapFree, HeapSize, LocalAlloc, GlobalAlloc,
 * GlobalFree (LocalFree is in message.c, beside FormatMessage which allocates for it).
 *
 * Every heap allocates from the C library's allocator, so the sanitizers see each block.
 * A heap block carries a small header with its size and heap, which HeapSize returns and
 * HeapFree checks: freeing a block through another heap, or a pointer that is no heap
 * block, is reported (Windows' heap would corrupt itself or break into the debugger).
 * HeapDestroy frees the blocks still allocated from the heap, as documented.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIN32_NO_STATUS /* the NTSTATUS values come from <ntstatus.h> */
#include <windows.h>
#undef WIN32_NO_STATUS

#include "os/hostos.h"
#include "win32/win32p.h"

#define KH_HEAP_MAGIC 0x4B484850u /* 'KHHP' */

typedef struct KH_HEAP KH_HEAP;

typedef struct KH_HEAP_BLOCK {
    struct KH_HEAP_BLOCK *Next; /* the heap's blocks, for HeapDestroy */
    struct KH_HEAP_BLOCK *Prev;
    KH_HEAP *Heap;
    size_t Size;
    uint32_t Magic;
    uint32_t Reserved;
    uint64_t Padding;
} KH_HEAP_BLOCK;
/* The data that follows a header is 16-byte aligned, as HeapAlloc's is on x64. */
_Static_assert(sizeof(KH_HEAP_BLOCK) % 16 == 0, "heap block header keeps 16-byte alignment");

struct KH_HEAP {
    HOS_MUTEX Lock;
    KH_HEAP_BLOCK Blocks; /* circular list with sentinel */
    uint32_t Magic;
};

static KH_HEAP ProcessHeap;

__attribute__((constructor)) static void KhW32HeapInit(void)
{
    HosMutexInit(&ProcessHeap.Lock);
    ProcessHeap.Blocks.Next = &ProcessHeap.Blocks;
    ProcessHeap.Blocks.Prev = &ProcessHeap.Blocks;
    ProcessHeap.Magic = KH_HEAP_MAGIC;
}

static KH_HEAP *HeapFromHandle(HANDLE hHeap)
{
    KH_HEAP *Heap = hHeap;
    return Heap != NULL && Heap->Magic == KH_HEAP_MAGIC ? Heap : NULL;
}

static KH_HEAP_BLOCK *BlockOf(KH_HEAP *Heap, LPCVOID Memory)
{
    KH_HEAP_BLOCK *Block = (KH_HEAP_BLOCK *)Memory - 1;
    if (Block->Magic != KH_HEAP_MAGIC || Block->Heap != Heap) {
        fprintf(stderr, "kmdfhost: heap block %p does not belong to heap %p\n", Memory,
                (void *)Heap);
        abort();
    }
    return Block;
}

KMDFHOST_API HANDLE WINAPI GetProcessHeap(void)
{
    return &ProcessHeap;
}

/* HeapCreate: a private heap. Sizes are accepted and not enforced (the host's heaps
   grow as needed, like a growable heap of dwMaximumSize 0). */
KMDFHOST_API HANDLE WINAPI HeapCreate(DWORD flOptions, SIZE_T dwInitialSize, SIZE_T dwMaximumSize)
{
    (void)flOptions;
    (void)dwInitialSize;
    (void)dwMaximumSize;
    KH_HEAP *Heap = calloc(1, sizeof(*Heap));
    if (Heap == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    HosMutexInit(&Heap->Lock);
    Heap->Blocks.Next = &Heap->Blocks;
    Heap->Blocks.Prev = &Heap->Blocks;
    Heap->Magic = KH_HEAP_MAGIC;
    return Heap;
}

/* HeapDestroy: "decommits and releases all the pages of a private heap object"; the
   process heap cannot be destroyed (ERROR_INVALID_PARAMETER here). */
KMDFHOST_API BOOL WINAPI HeapDestroy(HANDLE hHeap)
{
    KH_HEAP *Heap = HeapFromHandle(hHeap);
    if (Heap == NULL || Heap == &ProcessHeap) {
        return KhW32Fail(Heap == NULL ? ERROR_INVALID_HANDLE : ERROR_INVALID_PARAMETER);
    }
    while (Heap->Blocks.Next != &Heap->Blocks) {
        KH_HEAP_BLOCK *Block = Heap->Blocks.Next;
        Heap->Blocks.Next = Block->Next;
        Block->Magic = 0;
        free(Block);
    }
    Heap->Magic = 0;
    HosMutexDestroy(&Heap->Lock);
    free(Heap);
    return TRUE;
}

static void Link(KH_HEAP *Heap, KH_HEAP_BLOCK *Block)
{
    HosMutexLock(&Heap->Lock);
    Block->Next = Heap->Blocks.Next;
    Block->Prev = &Heap->Blocks;
    Heap->Blocks.Next->Prev = Block;
    Heap->Blocks.Next = Block;
    HosMutexUnlock(&Heap->Lock);
}

static void Unlink(KH_HEAP *Heap, KH_HEAP_BLOCK *Block)
{
    HosMutexLock(&Heap->Lock);
    Block->Prev->Next = Block->Next;
    Block->Next->Prev = Block->Prev;
    HosMutexUnlock(&Heap->Lock);
}

/* HeapAlloc: NULL when out of memory (with HEAP_GENERATE_EXCEPTIONS Windows raises
   STATUS_NO_MEMORY instead; the host then ends the program). HEAP_ZERO_MEMORY zeroes. */
KMDFHOST_API LPVOID WINAPI HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes)
{
    KH_HEAP *Heap = HeapFromHandle(hHeap);
    if (Heap == NULL) {
        KhW32SetLastError(ERROR_INVALID_HANDLE);
        return NULL;
    }
    KH_HEAP_BLOCK *Block = dwBytes <= SIZE_MAX - sizeof(*Block)
                               ? ((dwFlags & HEAP_ZERO_MEMORY) ? calloc(1, sizeof(*Block) + dwBytes)
                                                               : malloc(sizeof(*Block) + dwBytes))
                               : NULL;
    if (Block == NULL) {
        if (dwFlags & HEAP_GENERATE_EXCEPTIONS) {
            fprintf(stderr, "kmdfhost: HeapAlloc of %zu bytes: STATUS_NO_MEMORY\n", (size_t)dwBytes);
            abort();
        }
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    Block->Heap = Heap;
    Block->Size = dwBytes;
    Block->Magic = KH_HEAP_MAGIC;
    Link(Heap, Block);
    return Block + 1;
}

KMDFHOST_API LPVOID WINAPI HeapReAlloc(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem, SIZE_T dwBytes)
{
    KH_HEAP *Heap = HeapFromHandle(hHeap);
    if (Heap == NULL || lpMem == NULL) {
        KhW32SetLastError(Heap == NULL ? ERROR_INVALID_HANDLE : ERROR_INVALID_PARAMETER);
        return NULL;
    }
    KH_HEAP_BLOCK *Old = BlockOf(Heap, lpMem);
    if ((dwFlags & HEAP_REALLOC_IN_PLACE_ONLY) && dwBytes > Old->Size) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    LPVOID New = HeapAlloc(hHeap, dwFlags & ~(DWORD)HEAP_ZERO_MEMORY, dwBytes);
    if (New == NULL) {
        return NULL;
    }
    size_t Keep = Old->Size < dwBytes ? Old->Size : dwBytes;
    memcpy(New, lpMem, Keep);
    if ((dwFlags & HEAP_ZERO_MEMORY) && dwBytes > Keep) {
        memset((char *)New + Keep, 0, dwBytes - Keep);
    }
    HeapFree(hHeap, 0, lpMem);
    return New;
}

/* HeapFree: HeapFree of NULL succeeds and does nothing. */
KMDFHOST_API BOOL WINAPI HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem)
{
    (void)dwFlags;
    KH_HEAP *Heap = HeapFromHandle(hHeap);
    if (Heap == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    if (lpMem == NULL) {
        return TRUE;
    }
    KH_HEAP_BLOCK *Block = BlockOf(Heap, lpMem);
    Unlink(Heap, Block);
    Block->Magic = 0;
    free(Block);
    return TRUE;
}

/* HeapSize: the size asked for when the block was allocated. */
KMDFHOST_API SIZE_T WINAPI HeapSize(HANDLE hHeap, DWORD dwFlags, LPCVOID lpMem)
{
    (void)dwFlags;
    KH_HEAP *Heap = HeapFromHandle(hHeap);
    if (Heap == NULL || lpMem == NULL) {
        KhW32SetLastError(Heap == NULL ? ERROR_INVALID_HANDLE : ERROR_INVALID_PARAMETER);
        return (SIZE_T)-1;
    }
    return BlockOf(Heap, lpMem)->Size;
}

/* LocalAlloc: fixed memory (a pointer), zeroed with LMEM_ZEROINIT. Moveable memory
   (LMEM_MOVEABLE, a handle to lock) is not supported: ERROR_NOT_SUPPORTED. Freed with
   LocalFree, which is free(). */
KMDFHOST_API HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes)
{
    if (uFlags & LMEM_MOVEABLE) {
        KhW32SetLastError(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    void *Memory = (uFlags & LMEM_ZEROINIT) ? calloc(1, uBytes ? uBytes : 1) : malloc(uBytes ? uBytes : 1);
    if (Memory == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    }
    return Memory;
}

KMDFHOST_API HGLOBAL WINAPI GlobalAlloc(UINT uFlags, SIZE_T dwBytes)
{
    return LocalAlloc(uFlags, dwBytes);
}

/* GlobalFree: NULL on success, as documented. */
KMDFHOST_API HGLOBAL WINAPI GlobalFree(HGLOBAL hMem)
{
    return LocalFree(hMem);
}
