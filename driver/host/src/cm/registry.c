/*
 * registry.c - the configuration manager, in memory: keys, values and key handles,
 * behind the Zw* registry routines, plus the service Parameters setters of kmdfhost.h.
 *
 * Key names are compared without regard to case, as in the Windows registry. A full
 * path starts with \Registry (\Registry\Machine\System\CurrentControlSet\Services\...);
 * a relative one is resolved against ObjectAttributes->RootDirectory. ZwCreateKey creates
 * only the last component, like Windows. Handles are kernel handles (any thread may use
 * them) and stay valid until ZwClose. One lock guards the whole store.
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/using-the-registry-in-a-driver
 */
#include <stdlib.h>
#include <string.h>

#include <kmdfhost.h>

#include "cm/cm.h"
#include "ob/ob.h"
#include "os/hostos.h"
#include "rtl/rtl.h"

typedef struct _KH_REG_VALUE {
    struct _KH_REG_VALUE *Next;
    WCHAR *Name;
    USHORT NameLength; /* bytes */
    ULONG Type;
    ULONG TitleIndex;
    void *Data;
    ULONG DataLength;
    bool Read; /* queried or enumerated since it was last set (KmdfHostServiceParameterWasRead) */
} KH_REG_VALUE;

typedef struct _KH_REG_KEY {
    struct _KH_REG_KEY *Parent;
    struct _KH_REG_KEY *FirstChild;
    struct _KH_REG_KEY *NextSibling;
    WCHAR *Name;
    USHORT NameLength; /* bytes */
    KH_REG_VALUE *Values;
    LONG Handles;
    bool Deleted;
} KH_REG_KEY;

/* An open key: an object of the object manager's Key type, one per handle. */
typedef struct _KH_REG_HANDLE {
    KH_OBJECT_HEADER Ob;
    KH_REG_KEY *Key;
    ACCESS_MASK Access;
    bool Closed; /* its handle was closed (under the registry lock) */
} KH_REG_HANDLE;

static HOS_MUTEX KhRegistryLock;
static KH_REG_KEY KhRegistryRoot; /* \Registry */

__attribute__((constructor)) static void KhRegistryInit(void)
{
    static WCHAR rootName[] = L"Registry";
    HosMutexInit(&KhRegistryLock);
    KhRegistryRoot.Name = rootName;
    KhRegistryRoot.NameLength = (USHORT)(sizeof(rootName) - sizeof(WCHAR));
}

static NTSTATUS KhWalk(KH_REG_KEY *Start, const WCHAR *Path, USHORT Length, int Create, KH_REG_KEY **Result,
                       bool *Created);

/* The keys every Windows system has from boot on: the roots of RtlWriteRegistryValue's
   RelativeTo (HARDWARE\DEVICEMAP is built by the kernel at boot, where drivers such as
   serial ports add their subkey) and the ones setup and the PnP manager fill. */
__attribute__((constructor)) static void KhRegistryStandardKeys(void)
{
    static const WCHAR *const paths[] = {
        L"\\Registry\\Machine\\Hardware\\DeviceMap",
        L"\\Registry\\Machine\\System\\CurrentControlSet\\Services",
        L"\\Registry\\Machine\\System\\CurrentControlSet\\Control\\Class",
        L"\\Registry\\Machine\\System\\CurrentControlSet\\Enum",
        L"\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        size_t units = 0;
        while (paths[i][units] != 0) {
            units++;
        }
        KH_REG_KEY *key;
        (void)KhWalk(NULL, paths[i], (USHORT)(units * sizeof(WCHAR)), 2, &key, NULL);
    }
}

static bool KhNameEquals(const WCHAR *A, USHORT ALength, const WCHAR *B, USHORT BLength)
{
    if (ALength != BLength) {
        return false;
    }
    for (USHORT i = 0; i < ALength / sizeof(WCHAR); i++) {
        if (RtlUpcaseUnicodeChar(A[i]) != RtlUpcaseUnicodeChar(B[i])) {
            return false;
        }
    }
    return true;
}

static WCHAR *KhCopyName(const WCHAR *Name, USHORT Length)
{
    WCHAR *copy = malloc(Length + sizeof(WCHAR));
    if (copy != NULL) {
        memcpy(copy, Name, Length);
        copy[Length / sizeof(WCHAR)] = 0;
    }
    return copy;
}

static KH_REG_KEY *KhFindChild(KH_REG_KEY *Key, const WCHAR *Name, USHORT Length)
{
    for (KH_REG_KEY *child = Key->FirstChild; child != NULL; child = child->NextSibling) {
        if (KhNameEquals(child->Name, child->NameLength, Name, Length)) {
            return child;
        }
    }
    return NULL;
}

static KH_REG_KEY *KhAddChild(KH_REG_KEY *Key, const WCHAR *Name, USHORT Length)
{
    KH_REG_KEY *child = calloc(1, sizeof(*child));
    if (child == NULL) {
        return NULL;
    }
    child->Name = KhCopyName(Name, Length);
    if (child->Name == NULL) {
        free(child);
        return NULL;
    }
    child->NameLength = Length;
    child->Parent = Key;
    child->NextSibling = Key->FirstChild;
    Key->FirstChild = child;
    return child;
}

static void KhFreeValue(KH_REG_VALUE *Value)
{
    free(Value->Name);
    free(Value->Data);
    free(Value);
}

static void KhFreeKeyIfUnused(KH_REG_KEY *Key)
{
    if (Key->Deleted && Key->Handles == 0) {
        while (Key->Values != NULL) {
            KH_REG_VALUE *v = Key->Values;
            Key->Values = v->Next;
            KhFreeValue(v);
        }
        free(Key->Name);
        free(Key);
    }
}

/*
 * Under the lock: walks Path (a counted UTF-16 path) from Start, a component at a time.
 * Create: 0 opens only, 1 creates the last component, 2 creates every component.
 */
static NTSTATUS KhWalk(KH_REG_KEY *Start, const WCHAR *Path, USHORT Length, int Create, KH_REG_KEY **Result,
                       bool *Created)
{
    KH_REG_KEY *key = Start;
    size_t units = Length / sizeof(WCHAR);
    size_t i = 0;
    if (Created != NULL) {
        *Created = false;
    }
    if (Start == NULL) {
        /* An absolute path: \Registry\... */
        if (units == 0 || Path[0] != '\\') {
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        }
        i = 1;
        size_t end = i;
        while (end < units && Path[end] != '\\') {
            end++;
        }
        if (!KhNameEquals(Path + i, (USHORT)((end - i) * sizeof(WCHAR)), KhRegistryRoot.Name, KhRegistryRoot.NameLength)) {
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        key = &KhRegistryRoot;
        i = end;
    }
    while (i < units) {
        if (Path[i] == '\\') {
            i++;
            continue;
        }
        size_t end = i;
        while (end < units && Path[end] != '\\') {
            end++;
        }
        USHORT componentLength = (USHORT)((end - i) * sizeof(WCHAR));
        bool last = true;
        for (size_t k = end; k < units; k++) {
            if (Path[k] != '\\') {
                last = false;
                break;
            }
        }
        KH_REG_KEY *child = KhFindChild(key, Path + i, componentLength);
        if (child == NULL) {
            if (Create == 2 || (Create == 1 && last)) {
                child = KhAddChild(key, Path + i, componentLength);
                if (child == NULL) {
                    return STATUS_INSUFFICIENT_RESOURCES;
                }
                if (Created != NULL && last) {
                    *Created = true;
                }
            } else {
                return last ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_PATH_NOT_FOUND;
            }
        }
        key = child;
        i = end;
    }
    *Result = key;
    return STATUS_SUCCESS;
}

/*
 * The object manager's Key type. Closing the handle drops the key's handle count under
 * the registry lock; the record itself is freed with its last reference.
 */
static void KhKeyObClose(KH_OBJECT_HEADER *Object)
{
    KH_REG_HANDLE *handle = (KH_REG_HANDLE *)Object;
    HosMutexLock(&KhRegistryLock);
    handle->Closed = true;
    handle->Key->Handles--;
    KhFreeKeyIfUnused(handle->Key);
    HosMutexUnlock(&KhRegistryLock);
}

static void KhKeyObDelete(KH_OBJECT_HEADER *Object) { free(Object); }

static const KH_OBJECT_TYPE KhCmKeyObjectType = {
    .Name = "Key",
    .Delete = KhKeyObDelete,
    .Close = KhKeyObClose,
    .KernelOnly = TRUE,
};

/*
 * Under the registry lock: the open key of Handle, or NULL when it is not a registry
 * handle. While the lock is held the key stays valid: closing the handle needs the lock.
 */
static KH_REG_HANDLE *KhLookupHandle(HANDLE Handle)
{
    KH_OBJECT_HEADER *object;
    if (!NT_SUCCESS(KhObReferenceByHandle(Handle, &KhCmKeyObjectType, &object))) {
        return NULL;
    }
    KH_REG_HANDLE *handle = (KH_REG_HANDLE *)object;
    bool closed = handle->Closed;
    /* Not the last reference unless closed: NtClose drops the handle's only after
       KhKeyObClose, which waits for the registry lock held here. */
    KhObDereference(object);
    return closed ? NULL : handle;
}

static NTSTATUS KhOpenOrCreate(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                               int Create, PULONG Disposition)
{
    if (KeyHandle == NULL || ObjectAttributes == NULL || ObjectAttributes->ObjectName == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    KH_REG_HANDLE *handle = calloc(1, sizeof(*handle));
    if (handle == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KhObInitializeObject(&handle->Ob, &KhCmKeyObjectType);
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *start = NULL;
    if (ObjectAttributes->RootDirectory != NULL) {
        KH_REG_HANDLE *root = KhLookupHandle(ObjectAttributes->RootDirectory);
        if (root == NULL) {
            HosMutexUnlock(&KhRegistryLock);
            free(handle);
            return STATUS_INVALID_HANDLE;
        }
        if (root->Key->Deleted) {
            HosMutexUnlock(&KhRegistryLock);
            free(handle);
            return STATUS_KEY_DELETED;
        }
        start = root->Key;
    }
    KH_REG_KEY *key = NULL;
    bool created = false;
    NTSTATUS status = KhWalk(start, ObjectAttributes->ObjectName->Buffer, ObjectAttributes->ObjectName->Length, Create,
                             &key, &created);
    if (!NT_SUCCESS(status)) {
        HosMutexUnlock(&KhRegistryLock);
        free(handle);
        return status;
    }
    handle->Key = key;
    handle->Access = DesiredAccess;
    HANDLE value = NULL;
    status = KhObInsertHandle(&handle->Ob, &value);
    if (!NT_SUCCESS(status)) {
        KhFreeKeyIfUnused(key);
        HosMutexUnlock(&KhRegistryLock);
        free(handle);
        return status;
    }
    key->Handles++;
    HosMutexUnlock(&KhRegistryLock);
    *KeyHandle = value;
    if (Disposition != NULL) {
        *Disposition = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
    }
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes)
{
    return KhOpenOrCreate(KeyHandle, DesiredAccess, ObjectAttributes, 0, NULL);
}

NTSYSAPI NTSTATUS NTAPI ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES ObjectAttributes,
                                    ULONG TitleIndex, PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    (void)TitleIndex;
    (void)Class;
    (void)CreateOptions;
    return KhOpenOrCreate(KeyHandle, DesiredAccess, ObjectAttributes, 1, Disposition);
}

/* ZwClose is the object manager's NtClose (ob/ob.c). */

/* Under the lock: the key of a handle, with the status for a bad or deleted one. */
static NTSTATUS KhKeyFromHandle(HANDLE Handle, KH_REG_KEY **Key)
{
    KH_REG_HANDLE *handle = KhLookupHandle(Handle);
    if (handle == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    if (handle->Key->Deleted) {
        return STATUS_KEY_DELETED;
    }
    *Key = handle->Key;
    return STATUS_SUCCESS;
}

static KH_REG_VALUE *KhFindValue(KH_REG_KEY *Key, PCUNICODE_STRING Name)
{
    USHORT length = Name != NULL ? Name->Length : 0;
    const WCHAR *buffer = Name != NULL ? Name->Buffer : NULL;
    for (KH_REG_VALUE *v = Key->Values; v != NULL; v = v->Next) {
        if (KhNameEquals(v->Name, v->NameLength, buffer, length)) {
            return v;
        }
    }
    return NULL;
}

/*
 * Fills one KEY_VALUE_*_INFORMATION. The size protocol of ZwQueryValueKey: a buffer
 * smaller than the structure's fixed part gets nothing (STATUS_BUFFER_TOO_SMALL); one
 * that holds the fixed part gets it and as much of the variable part as fits
 * (STATUS_BUFFER_OVERFLOW); *ResultLength is the full size in both cases.
 */
static NTSTATUS KhFillValueInformation(KH_REG_VALUE *Value, KEY_VALUE_INFORMATION_CLASS Class, PVOID Buffer,
                                       ULONG Length, PULONG ResultLength)
{
    ULONG fixed;
    ULONG required;
    PUCHAR out = Buffer;
    switch (Class) {
    case KeyValueBasicInformation: {
        fixed = FIELD_OFFSET(KEY_VALUE_BASIC_INFORMATION, Name);
        required = fixed + Value->NameLength;
        *ResultLength = required;
        if (Length < fixed) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        PKEY_VALUE_BASIC_INFORMATION info = Buffer;
        info->TitleIndex = Value->TitleIndex;
        info->Type = Value->Type;
        info->NameLength = Value->NameLength;
        ULONG copy = Length - fixed < Value->NameLength ? Length - fixed : Value->NameLength;
        memcpy(out + fixed, Value->Name, copy);
        return Length < required ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    case KeyValueFullInformation:
    case KeyValueFullInformationAlign64: {
        ULONG align = Class == KeyValueFullInformationAlign64 ? 8 : 4;
        fixed = FIELD_OFFSET(KEY_VALUE_FULL_INFORMATION, Name);
        ULONG dataOffset = (fixed + Value->NameLength + align - 1) & ~(align - 1);
        required = dataOffset + Value->DataLength;
        *ResultLength = required;
        if (Length < fixed) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        PKEY_VALUE_FULL_INFORMATION info = Buffer;
        info->TitleIndex = Value->TitleIndex;
        info->Type = Value->Type;
        info->DataOffset = dataOffset;
        info->DataLength = Value->DataLength;
        info->NameLength = Value->NameLength;
        ULONG nameCopy = Length - fixed < Value->NameLength ? Length - fixed : Value->NameLength;
        memcpy(out + fixed, Value->Name, nameCopy);
        if (Length > dataOffset) {
            ULONG dataCopy = Length - dataOffset < Value->DataLength ? Length - dataOffset : Value->DataLength;
            memcpy(out + dataOffset, Value->Data, dataCopy);
        }
        return Length < required ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    case KeyValuePartialInformation: {
        fixed = FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data);
        required = fixed + Value->DataLength;
        *ResultLength = required;
        if (Length < fixed) {
            return STATUS_BUFFER_TOO_SMALL;
        }
        PKEY_VALUE_PARTIAL_INFORMATION info = Buffer;
        info->TitleIndex = Value->TitleIndex;
        info->Type = Value->Type;
        info->DataLength = Value->DataLength;
        ULONG copy = Length - fixed < Value->DataLength ? Length - fixed : Value->DataLength;
        memcpy(out + fixed, Value->Data, copy);
        return Length < required ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

NTSYSAPI NTSTATUS NTAPI ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                                        KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation,
                                        ULONG Length, PULONG ResultLength)
{
    if (ResultLength == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    NTSTATUS status = KhKeyFromHandle(KeyHandle, &key);
    if (NT_SUCCESS(status)) {
        KH_REG_VALUE *value = KhFindValue(key, ValueName);
        if (value == NULL) {
            status = STATUS_OBJECT_NAME_NOT_FOUND;
        } else {
            value->Read = true;
            status = KhFillValueInformation(value, KeyValueInformationClass, KeyValueInformation, Length, ResultLength);
        }
    }
    HosMutexUnlock(&KhRegistryLock);
    return status;
}

/* Values in creation order; STATUS_NO_MORE_ENTRIES past the last. */
NTSYSAPI NTSTATUS NTAPI ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index,
                                            KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                                            PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    if (ResultLength == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    NTSTATUS status = KhKeyFromHandle(KeyHandle, &key);
    if (NT_SUCCESS(status)) {
        KH_REG_VALUE *value = key->Values;
        for (ULONG i = 0; value != NULL && i < Index; i++) {
            value = value->Next;
        }
        if (value == NULL) {
            status = STATUS_NO_MORE_ENTRIES;
        } else {
            value->Read = true;
            status = KhFillValueInformation(value, KeyValueInformationClass, KeyValueInformation, Length,
                                            ResultLength);
        }
    }
    HosMutexUnlock(&KhRegistryLock);
    return status;
}

NTSYSAPI NTSTATUS NTAPI ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                                      PVOID Data, ULONG DataSize)
{
    if (DataSize != 0 && Data == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    void *copy = malloc(DataSize != 0 ? DataSize : 1);
    if (copy == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (DataSize != 0) {
        memcpy(copy, Data, DataSize);
    }
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    NTSTATUS status = KhKeyFromHandle(KeyHandle, &key);
    if (!NT_SUCCESS(status)) {
        HosMutexUnlock(&KhRegistryLock);
        free(copy);
        return status;
    }
    KH_REG_VALUE *value = KhFindValue(key, ValueName);
    if (value == NULL) {
        value = calloc(1, sizeof(*value));
        USHORT nameLength = ValueName != NULL ? ValueName->Length : 0;
        WCHAR *name = value != NULL ? KhCopyName(ValueName != NULL ? ValueName->Buffer : L"", nameLength) : NULL;
        if (name == NULL) {
            HosMutexUnlock(&KhRegistryLock);
            free(value);
            free(copy);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        value->Name = name;
        value->NameLength = nameLength;
        /* Append, so that enumeration follows creation order. */
        KH_REG_VALUE **tail = &key->Values;
        while (*tail != NULL) {
            tail = &(*tail)->Next;
        }
        *tail = value;
    } else {
        free(value->Data);
    }
    value->Type = Type;
    value->TitleIndex = TitleIndex;
    value->Data = copy;
    value->DataLength = DataSize;
    value->Read = false;
    HosMutexUnlock(&KhRegistryLock);
    return STATUS_SUCCESS;
}

NTSYSAPI NTSTATUS NTAPI ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    NTSTATUS status = KhKeyFromHandle(KeyHandle, &key);
    if (NT_SUCCESS(status)) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
        for (KH_REG_VALUE **link = &key->Values; *link != NULL; link = &(*link)->Next) {
            if (KhNameEquals((*link)->Name, (*link)->NameLength, ValueName != NULL ? ValueName->Buffer : NULL,
                             ValueName != NULL ? ValueName->Length : 0)) {
                KH_REG_VALUE *value = *link;
                *link = value->Next;
                KhFreeValue(value);
                status = STATUS_SUCCESS;
                break;
            }
        }
    }
    HosMutexUnlock(&KhRegistryLock);
    return status;
}

/* Deletes a key without subkeys; it goes away when its last handle closes. */
NTSYSAPI NTSTATUS NTAPI ZwDeleteKey(HANDLE KeyHandle)
{
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    NTSTATUS status = KhKeyFromHandle(KeyHandle, &key);
    if (NT_SUCCESS(status)) {
        if (key->FirstChild != NULL) {
            status = STATUS_CANNOT_DELETE;
        } else if (key == &KhRegistryRoot) {
            status = STATUS_ACCESS_DENIED;
        } else {
            for (KH_REG_KEY **link = &key->Parent->FirstChild; *link != NULL; link = &(*link)->NextSibling) {
                if (*link == key) {
                    *link = key->NextSibling;
                    break;
                }
            }
            key->Deleted = true;
        }
    }
    HosMutexUnlock(&KhRegistryLock);
    return status;
}

/* The store lives in memory only: nothing to flush. */
NTSYSAPI NTSTATUS NTAPI ZwFlushKey(HANDLE KeyHandle)
{
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    NTSTATUS status = KhKeyFromHandle(KeyHandle, &key);
    HosMutexUnlock(&KhRegistryLock);
    return status;
}

/* ------------------------------------------------------------------ host side */

NTSTATUS KhRegistryCreatePath(const char *Path)
{
    UNICODE_STRING path;
    if (!KhHostUnicodeString(Path, &path)) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KH_REG_KEY *key = NULL;
    HosMutexLock(&KhRegistryLock);
    NTSTATUS status = KhWalk(NULL, path.Buffer, path.Length, 2, &key, NULL);
    HosMutexUnlock(&KhRegistryLock);
    KhFreeHostUnicodeString(&path);
    return status;
}

/* Opens (Create: creates every missing key of) a UTF-8 path as a kernel handle. */
NTSTATUS KhRegistryOpenPath(const char *Path, bool Create, PHANDLE Handle)
{
    UNICODE_STRING path;
    OBJECT_ATTRIBUTES attributes;
    if (Create) {
        NTSTATUS status = KhRegistryCreatePath(Path);
        if (!NT_SUCCESS(status)) {
            return status;
        }
    }
    if (!KhHostUnicodeString(Path, &path)) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    InitializeObjectAttributes(&attributes, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS status = ZwOpenKey(Handle, KEY_ALL_ACCESS, &attributes);
    KhFreeHostUnicodeString(&path);
    return status;
}

static char *KhParametersPath(const char *ServiceName)
{
    size_t length = strlen(KH_SERVICES_KEY) + strlen(ServiceName) + strlen("\\Parameters") + 1;
    char *path = malloc(length);
    if (path != NULL) {
        strcpy(path, KH_SERVICES_KEY);
        strcat(path, ServiceName);
        strcat(path, "\\Parameters");
    }
    return path;
}

/* What an INF AddReg line does for a REG_DWORD under the service's Parameters key. */
KMDFHOST_API KH_STATUS KmdfHostSetServiceParameterULong(const char *ServiceName, const char *ValueName, uint32_t Value)
{
    if (ServiceName == NULL || ValueName == NULL || ServiceName[0] == 0) {
        return STATUS_INVALID_PARAMETER;
    }
    char *path = KhParametersPath(ServiceName);
    if (path == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    HANDLE key;
    NTSTATUS status = KhRegistryOpenPath(path, true, &key);
    free(path);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    UNICODE_STRING name;
    if (!KhHostUnicodeString(ValueName, &name)) {
        ZwClose(key);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ULONG data = Value;
    status = ZwSetValueKey(key, &name, 0, REG_DWORD, &data, sizeof(data));
    KhFreeHostUnicodeString(&name);
    ZwClose(key);
    return status;
}

KMDFHOST_API void KmdfHostClearServiceParameters(const char *ServiceName)
{
    if (ServiceName == NULL) {
        return;
    }
    char *path = KhParametersPath(ServiceName);
    if (path == NULL) {
        return;
    }
    HANDLE handle;
    NTSTATUS status = KhRegistryOpenPath(path, false, &handle);
    free(path);
    if (!NT_SUCCESS(status)) {
        return;
    }
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    if (NT_SUCCESS(KhKeyFromHandle(handle, &key))) {
        while (key->Values != NULL) {
            KH_REG_VALUE *v = key->Values;
            key->Values = v->Next;
            KhFreeValue(v);
        }
    }
    HosMutexUnlock(&KhRegistryLock);
    ZwClose(handle);
}

/*
 * Whether a driver has read the value (ZwQueryValueKey, or ZwEnumerateValueKey reaching
 * it; every WdfRegistryQuery* goes through these) since it was last set. A driver that
 * fixes a setting in its source never reads the value its INF or the host set.
 */
KMDFHOST_API int KmdfHostServiceParameterWasRead(const char *ServiceName, const char *ValueName)
{
    if (ServiceName == NULL || ValueName == NULL || ServiceName[0] == 0) {
        return 0;
    }
    char *path = KhParametersPath(ServiceName);
    if (path == NULL) {
        return 0;
    }
    HANDLE handle;
    NTSTATUS status = KhRegistryOpenPath(path, false, &handle);
    free(path);
    if (!NT_SUCCESS(status)) {
        return 0;
    }
    UNICODE_STRING name;
    if (!KhHostUnicodeString(ValueName, &name)) {
        ZwClose(handle);
        return 0;
    }
    int read = 0;
    HosMutexLock(&KhRegistryLock);
    KH_REG_KEY *key = NULL;
    if (NT_SUCCESS(KhKeyFromHandle(handle, &key))) {
        KH_REG_VALUE *value = KhFindValue(key, &name);
        read = value != NULL && value->Read;
    }
    HosMutexUnlock(&KhRegistryLock);
    KhFreeHostUnicodeString(&name);
    ZwClose(handle);
    return read;
}

/*
 * What setup writes when it installs a device (the Enum key's values, the hardware key's
 * AddReg values): one value, Type and Data as ZwSetValueKey takes them (strings UTF-16LE),
 * under the key KeyPath ("\Registry\Machine\..."), which is created when missing (a NULL
 * ValueName creates the key only).
 */
KMDFHOST_API KH_STATUS KmdfHostSetRegistryValue(const char *KeyPath, const char *ValueName, uint32_t Type,
                                                const void *Data, size_t Size)
{
    if (KeyPath == NULL || (Data == NULL && Size != 0) || Size > UINT32_MAX) {
        return STATUS_INVALID_PARAMETER;
    }
    HANDLE key;
    NTSTATUS status = KhRegistryOpenPath(KeyPath, true, &key);
    if (!NT_SUCCESS(status) || ValueName == NULL) {
        if (NT_SUCCESS(status)) {
            ZwClose(key); /* the key only */
        }
        return status;
    }
    UNICODE_STRING name;
    if (!KhHostUnicodeString(ValueName, &name)) {
        ZwClose(key);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = ZwSetValueKey(key, &name, 0, Type, (PVOID)Data, (ULONG)Size);
    KhFreeHostUnicodeString(&name);
    ZwClose(key);
    return status;
}

/*
 * One value of the key KeyPath: its type and data (strings UTF-16LE, as stored).
 * STATUS_OBJECT_NAME_NOT_FOUND when the key or the value does not exist;
 * STATUS_BUFFER_TOO_SMALL (with *Required) when BufferSize is less than the data.
 */
KMDFHOST_API KH_STATUS KmdfHostQueryRegistryValue(const char *KeyPath, const char *ValueName, uint32_t *Type,
                                                  void *Buffer, size_t BufferSize, size_t *Required)
{
    if (KeyPath == NULL || ValueName == NULL || Required == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *Required = 0;
    HANDLE key;
    NTSTATUS status = KhRegistryOpenPath(KeyPath, false, &key);
    if (!NT_SUCCESS(status)) {
        return status == STATUS_OBJECT_PATH_NOT_FOUND ? STATUS_OBJECT_NAME_NOT_FOUND : status;
    }
    UNICODE_STRING name;
    if (!KhHostUnicodeString(ValueName, &name)) {
        ZwClose(key);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    ULONG needed = 0;
    PKEY_VALUE_PARTIAL_INFORMATION info = NULL;
    status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, NULL, 0, &needed);
    if (status == STATUS_BUFFER_TOO_SMALL || status == STATUS_BUFFER_OVERFLOW) {
        info = malloc(needed);
        status = info == NULL ? STATUS_INSUFFICIENT_RESOURCES
                              : ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, needed, &needed);
    }
    KhFreeHostUnicodeString(&name);
    ZwClose(key);
    if (NT_SUCCESS(status)) {
        *Required = info->DataLength;
        if (Type != NULL) {
            *Type = info->Type;
        }
        if (Buffer == NULL || BufferSize < info->DataLength) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            memcpy(Buffer, info->Data, info->DataLength);
        }
    }
    free(info);
    return status;
}
