/*
 * rtlreg.c - the runtime library's registry helpers over the Zw* registry routines:
 * RtlQueryRegistryValues (a table of values read into variables or handed to routines),
 * RtlWriteRegistryValue, RtlDeleteRegistryValue, RtlCheckRegistryKey,
 * RtlCreateRegistryKey. All run at PASSIVE_LEVEL.
 *
 * RtlQueryRegistryValues, as documented: the table ends at an entry with neither a
 * QueryRoutine nor a Name (nor DIRECT). An entry with a Name queries that value; without
 * one (and not NOVALUE) it enumerates every value of the key. A missing value is
 * STATUS_OBJECT_NAME_NOT_FOUND with REQUIRED, else its default (DefaultType other than
 * REG_NONE) stands in for it, else the entry is skipped. SUBKEY opens Name as the key of
 * the following entries, TOPKEY goes back to the first key. A REG_MULTI_SZ value reaches
 * a QueryRoutine one string at a time unless NOEXPAND. DIRECT stores the value in
 * EntryContext: a string in a UNICODE_STRING (a buffer from paged pool when its Buffer
 * is NULL, STATUS_BUFFER_TOO_SMALL when its buffer is too small), data of at most a
 * ULONG in the ULONG, longer data after the size-and-type header the documentation
 * describes. TYPECHECK compares the value's type with the one in DefaultType's high byte
 * (STATUS_OBJECT_TYPE_MISMATCH). DELETE deletes the value once read. The host keeps no
 * environment, so REG_EXPAND_SZ values are passed unexpanded (as with NOEXPAND).
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlqueryregistryvalues
 */
#include <stdlib.h>
#include <string.h>

#include "ex/ex.h"
#include "ke/ke.h"
#include "rtl/rtl.h"

/* The key RelativeTo names, as a full path in UTF-16 (NULL-terminated, malloc'ed). */
static const char *const KhRtlRoots[RTL_REGISTRY_MAXIMUM] = {
    "",
    "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\",
    "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\",
    "\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion\\",
    "\\Registry\\Machine\\Hardware\\DeviceMap\\",
    "\\Registry\\User\\CurrentUser\\",
};

static size_t KhWideLength(PCWSTR Text)
{
    size_t length = 0;
    while (Text != NULL && Text[length] != 0) {
        length++;
    }
    return length;
}

/* Opens the key of RelativeTo and Path (Create: creating it); *Owned says whether the
   handle is ours to close. */
static NTSTATUS KhRtlOpenKey(ULONG RelativeTo, PCWSTR Path, bool Create, PHANDLE Key, bool *Owned)
{
    *Owned = false;
    if (RelativeTo & RTL_REGISTRY_HANDLE) {
        *Key = (HANDLE)Path;
        return Path != NULL ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
    ULONG which = RelativeTo & ~(ULONG)RTL_REGISTRY_OPTIONAL;
    if (which >= RTL_REGISTRY_MAXIMUM || Path == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    const char *root = KhRtlRoots[which];
    size_t rootLength = strlen(root);
    size_t pathLength = KhWideLength(Path);
    if (rootLength + pathLength >= 0x7FFF) {
        return STATUS_NAME_TOO_LONG;
    }
    WCHAR *full = ExAllocatePool2(POOL_FLAG_PAGED, (rootLength + pathLength + 1) * sizeof(WCHAR), 'geRK');
    if (full == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    for (size_t i = 0; i < rootLength; i++) {
        full[i] = (WCHAR)(unsigned char)root[i];
    }
    memcpy(full + rootLength, Path, pathLength * sizeof(WCHAR));
    full[rootLength + pathLength] = 0;
    UNICODE_STRING name = {(USHORT)((rootLength + pathLength) * sizeof(WCHAR)),
                           (USHORT)((rootLength + pathLength + 1) * sizeof(WCHAR)), full};
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS status = Create ? ZwCreateKey(Key, KEY_ALL_ACCESS, &attributes, 0, NULL, 0, NULL)
                             : ZwOpenKey(Key, KEY_ALL_ACCESS, &attributes);
    ExFreePoolWithTag(full, 'geRK');
    *Owned = NT_SUCCESS(status);
    return status;
}

static bool KhRtlIsString(ULONG Type)
{
    return Type == REG_SZ || Type == REG_EXPAND_SZ || Type == REG_MULTI_SZ;
}

/* DIRECT: stores Data in the entry's EntryContext. */
static NTSTATUS KhRtlStoreDirect(PRTL_QUERY_REGISTRY_TABLE Entry, ULONG Type, PVOID Data, ULONG Length)
{
    if (KhRtlIsString(Type)) {
        PUNICODE_STRING out = Entry->EntryContext;
        ULONG bytes = Length & ~1u;
        /* The stored string ends with its NUL when there is one; Length counts without. */
        ULONG chars = bytes;
        while (chars >= sizeof(WCHAR) && Type != REG_MULTI_SZ && ((WCHAR *)Data)[chars / 2 - 1] == 0) {
            chars -= sizeof(WCHAR);
        }
        if (chars + sizeof(WCHAR) > 0xFFFF) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        if (out->Buffer == NULL) {
            out->Buffer = ExAllocatePool2(POOL_FLAG_PAGED, chars + sizeof(WCHAR), 'geRK');
            if (out->Buffer == NULL) {
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            out->MaximumLength = (USHORT)(chars + sizeof(WCHAR));
        } else if (out->MaximumLength < chars + sizeof(WCHAR)) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        memcpy(out->Buffer, Data, chars);
        out->Buffer[chars / sizeof(WCHAR)] = 0;
        out->Length = (USHORT)chars;
        return STATUS_SUCCESS;
    }
    if (Length <= sizeof(ULONG)) {
        memcpy(Entry->EntryContext, Data, Length);
        return STATUS_SUCCESS;
    }
    LONG size;
    memcpy(&size, Entry->EntryContext, sizeof(size));
    if (size < 0) {
        if ((ULONG)-size < Length) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        memcpy(Entry->EntryContext, Data, Length);
        return STATUS_SUCCESS;
    }
    if ((ULONG)size < Length + 2 * sizeof(ULONG)) {
        return STATUS_BUFFER_TOO_SMALL;
    }
    PULONG header = Entry->EntryContext;
    header[0] = Length;
    header[1] = Type;
    memcpy(header + 2, Data, Length);
    return STATUS_SUCCESS;
}

/* One value (or default) of an entry: to its routine, or stored directly. */
static NTSTATUS KhRtlDeliver(PRTL_QUERY_REGISTRY_TABLE Entry, PWSTR Name, ULONG Type, PVOID Data, ULONG Length,
                             PVOID Context)
{
    if ((Entry->Flags & RTL_QUERY_REGISTRY_TYPECHECK) &&
        Type != (Entry->DefaultType >> RTL_QUERY_REGISTRY_TYPECHECK_SHIFT)) {
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    if (Entry->Flags & RTL_QUERY_REGISTRY_DIRECT) {
        return KhRtlStoreDirect(Entry, Type, Data, Length);
    }
    if (Type == REG_MULTI_SZ && !(Entry->Flags & RTL_QUERY_REGISTRY_NOEXPAND)) {
        /* One call per string, as REG_SZ. */
        PWSTR text = Data;
        ULONG units = Length / sizeof(WCHAR);
        ULONG at = 0;
        while (at < units && text[at] != 0) {
            ULONG end = at;
            while (end < units && text[end] != 0) {
                end++;
            }
            NTSTATUS status = Entry->QueryRoutine(Name, REG_SZ, &text[at], (end - at + 1) * sizeof(WCHAR), Context,
                                                  Entry->EntryContext);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            at = end + 1;
        }
        return STATUS_SUCCESS;
    }
    return Entry->QueryRoutine(Name, Type, Data, Length, Context, Entry->EntryContext);
}

/* A value as KEY_VALUE_FULL_INFORMATION (by name, or by Index when Name is NULL). */
static NTSTATUS KhRtlReadValue(HANDLE Key, PUNICODE_STRING Name, ULONG Index, PKEY_VALUE_FULL_INFORMATION *Info)
{
    *Info = NULL;
    ULONG needed = 0;
    NTSTATUS status = Name != NULL ? ZwQueryValueKey(Key, Name, KeyValueFullInformation, NULL, 0, &needed)
                                   : ZwEnumerateValueKey(Key, Index, KeyValueFullInformation, NULL, 0, &needed);
    if (status != STATUS_BUFFER_TOO_SMALL && status != STATUS_BUFFER_OVERFLOW) {
        return NT_SUCCESS(status) ? STATUS_INTERNAL_ERROR : status;
    }
    PKEY_VALUE_FULL_INFORMATION info = ExAllocatePool2(POOL_FLAG_PAGED, needed + sizeof(WCHAR), 'geRK');
    if (info == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = Name != NULL ? ZwQueryValueKey(Key, Name, KeyValueFullInformation, info, needed, &needed)
                          : ZwEnumerateValueKey(Key, Index, KeyValueFullInformation, info, needed, &needed);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(info, 'geRK');
        return status;
    }
    *Info = info;
    return STATUS_SUCCESS;
}

/* A value's default: DefaultLength 0 for a string means up to its NUL. */
static NTSTATUS KhRtlDeliverDefault(PRTL_QUERY_REGISTRY_TABLE Entry, PVOID Context)
{
    ULONG type = Entry->DefaultType & ~(ULONG)RTL_QUERY_REGISTRY_TYPECHECK_MASK;
    ULONG length = Entry->DefaultLength;
    if (length == 0 && (type == REG_SZ || type == REG_EXPAND_SZ)) {
        length = (ULONG)((KhWideLength(Entry->DefaultData) + 1) * sizeof(WCHAR));
    } else if (length == 0 && type == REG_MULTI_SZ) {
        PCWSTR text = Entry->DefaultData;
        size_t at = 0;
        while (text[at] != 0) {
            at += KhWideLength(&text[at]) + 1;
        }
        length = (ULONG)((at + 1) * sizeof(WCHAR));
    }
    RTL_QUERY_REGISTRY_TABLE entry = *Entry;
    entry.Flags &= ~(ULONG)RTL_QUERY_REGISTRY_TYPECHECK; /* the default is the caller's */
    return KhRtlDeliver(&entry, Entry->Name, type, Entry->DefaultData, length, Context);
}

static NTSTATUS KhRtlQueryEntry(HANDLE Key, PRTL_QUERY_REGISTRY_TABLE Entry, PVOID Context)
{
    if (Entry->Name == NULL) {
        if (Entry->Flags & RTL_QUERY_REGISTRY_NOVALUE) {
            return Entry->QueryRoutine(NULL, REG_NONE, NULL, 0, Context, Entry->EntryContext);
        }
        /* Every value of the key. */
        for (ULONG index = 0;; index++) {
            PKEY_VALUE_FULL_INFORMATION info;
            NTSTATUS status = KhRtlReadValue(Key, NULL, index, &info);
            if (status == STATUS_NO_MORE_ENTRIES) {
                return STATUS_SUCCESS;
            }
            if (!NT_SUCCESS(status)) {
                return status;
            }
            WCHAR *name = info->Name;
            WCHAR saved = name[info->NameLength / sizeof(WCHAR)];
            /* The name ends at the data or the buffer's spare unit: NUL-terminate it. */
            PVOID data = (char *)info + info->DataOffset;
            PVOID copy = NULL;
            if (info->DataLength != 0) {
                copy = ExAllocatePool2(POOL_FLAG_PAGED, info->DataLength, 'geRK');
                if (copy == NULL) {
                    ExFreePoolWithTag(info, 'geRK');
                    return STATUS_INSUFFICIENT_RESOURCES;
                }
                memcpy(copy, data, info->DataLength);
            }
            name[info->NameLength / sizeof(WCHAR)] = 0;
            status = KhRtlDeliver(Entry, name, info->Type, copy, info->DataLength, Context);
            name[info->NameLength / sizeof(WCHAR)] = saved;
            if (copy != NULL) {
                ExFreePoolWithTag(copy, 'geRK');
            }
            ExFreePoolWithTag(info, 'geRK');
            if (!NT_SUCCESS(status)) {
                return status;
            }
        }
    }
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, Entry->Name);
    PKEY_VALUE_FULL_INFORMATION info;
    NTSTATUS status = KhRtlReadValue(Key, &name, 0, &info);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        if (Entry->Flags & RTL_QUERY_REGISTRY_REQUIRED) {
            return status;
        }
        if ((Entry->DefaultType & ~(ULONG)RTL_QUERY_REGISTRY_TYPECHECK_MASK) == REG_NONE) {
            return STATUS_SUCCESS;
        }
        return KhRtlDeliverDefault(Entry, Context);
    }
    if (!NT_SUCCESS(status)) {
        return status;
    }
    status = KhRtlDeliver(Entry, Entry->Name, info->Type, (char *)info + info->DataOffset, info->DataLength, Context);
    ExFreePoolWithTag(info, 'geRK');
    if (NT_SUCCESS(status) && (Entry->Flags & RTL_QUERY_REGISTRY_DELETE)) {
        (void)ZwDeleteValueKey(Key, &name);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path, PRTL_QUERY_REGISTRY_TABLE QueryTable,
                                               PVOID Context, PVOID Environment)
{
    (void)Environment;
    if (KeGetCurrentIrql() > PASSIVE_LEVEL) {
        KhVerifierReport("IRQL_TOO_HIGH_FOR_WAIT", "RtlQueryRegistryValues at IRQL %u", (unsigned)KeGetCurrentIrql());
        return STATUS_INVALID_DEVICE_STATE;
    }
    if (QueryTable == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    HANDLE top;
    bool ownedTop;
    NTSTATUS status = KhRtlOpenKey(RelativeTo, Path, false, &top, &ownedTop);
    if (!NT_SUCCESS(status)) {
        return (RelativeTo & RTL_REGISTRY_OPTIONAL) && status == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_SUCCESS
                                                                                             : status;
    }
    HANDLE key = top;
    HANDLE sub = NULL;
    for (PRTL_QUERY_REGISTRY_TABLE entry = QueryTable;
         NT_SUCCESS(status) && (entry->QueryRoutine != NULL || entry->Name != NULL ||
                                (entry->Flags & RTL_QUERY_REGISTRY_DIRECT));
         entry++) {
        if (entry->Flags & (RTL_QUERY_REGISTRY_TOPKEY | RTL_QUERY_REGISTRY_SUBKEY)) {
            if (sub != NULL) {
                ZwClose(sub);
                sub = NULL;
            }
            key = top;
        }
        if (entry->Flags & RTL_QUERY_REGISTRY_SUBKEY) {
            UNICODE_STRING name;
            RtlInitUnicodeString(&name, entry->Name);
            OBJECT_ATTRIBUTES attributes;
            InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, top, NULL);
            status = ZwOpenKey(&sub, KEY_ALL_ACCESS, &attributes);
            if (!NT_SUCCESS(status)) {
                sub = NULL;
                break;
            }
            key = sub;
            if (entry->QueryRoutine != NULL) {
                /* The subkey's values go to this entry's routine. */
                RTL_QUERY_REGISTRY_TABLE all = *entry;
                all.Name = NULL;
                all.Flags &= ~(ULONG)RTL_QUERY_REGISTRY_SUBKEY;
                status = KhRtlQueryEntry(key, &all, Context);
            }
            continue;
        }
        if (entry->QueryRoutine == NULL && !(entry->Flags & RTL_QUERY_REGISTRY_DIRECT)) {
            continue;
        }
        status = KhRtlQueryEntry(key, entry, Context);
    }
    if (sub != NULL) {
        ZwClose(sub);
    }
    if (ownedTop) {
        ZwClose(top);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName, ULONG ValueType,
                                              PVOID ValueData, ULONG ValueLength)
{
    /* "If the specified key does not exist, the routine attempts to create it": the key
       itself, below a parent that exists (ZwCreateKey). */
    HANDLE key;
    bool owned;
    NTSTATUS status = KhRtlOpenKey(RelativeTo, Path, true, &key, &owned);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, ValueName);
    status = ZwSetValueKey(key, &name, 0, ValueType, ValueData, ValueLength);
    if (owned) {
        ZwClose(key);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI RtlDeleteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName)
{
    HANDLE key;
    bool owned;
    NTSTATUS status = KhRtlOpenKey(RelativeTo, Path, false, &key, &owned);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, ValueName);
    status = ZwDeleteValueKey(key, &name);
    if (owned) {
        ZwClose(key);
    }
    return status;
}

NTSYSAPI NTSTATUS NTAPI RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path)
{
    HANDLE key;
    bool owned;
    NTSTATUS status = KhRtlOpenKey(RelativeTo, Path, false, &key, &owned);
    if (NT_SUCCESS(status) && owned) {
        ZwClose(key);
    }
    return status;
}

/* Creates the last component of Path (its parent must exist, as for ZwCreateKey). */
NTSYSAPI NTSTATUS NTAPI RtlCreateRegistryKey(ULONG RelativeTo, PWSTR Path)
{
    HANDLE key;
    bool owned;
    NTSTATUS status = KhRtlOpenKey(RelativeTo, Path, true, &key, &owned);
    if (NT_SUCCESS(status) && owned) {
        ZwClose(key);
    }
    return status;
}
