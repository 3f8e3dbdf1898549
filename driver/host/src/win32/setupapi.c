/*
 * setupapi.c - the SetupAPI functions of device information sets: SetupDiGetClassDevs
 * (setup classes and device interfaces), SetupDiEnumDeviceInfo, SetupDiGetDeviceInstanceId,
 * SetupDiGetDeviceRegistryProperty, SetupDiEnumDeviceInterfaces,
 * SetupDiGetDeviceInterfaceDetailW, SetupDiDestroyDeviceInfoList (W forms; the A forms of
 * the instance ID and the registry property are here too, in UTF-8, the host's ANSI code
 * page).
 *
 * A device information set is a snapshot taken when SetupDiGetClassDevs runs (as on
 * Windows: a device or interface that comes or goes afterwards does not change the set).
 * Its elements are devices (device information elements), each with its instance ID,
 * setup class GUID and DevInst; a set made with DIGCF_DEVICEINTERFACE also holds the
 * enabled interfaces of one interface class, each owned by one element. Devices come from
 * the PnP manager (KmdfHostGetDevnodeList), interfaces from KmdfHostGetInterfaceList, and
 * a device's properties (class, description, hardware IDs, ...) are what setup wrote when
 * it installed the device from its INF (the instance's Enum key; see inf.c) or what the
 * PnP manager knows of its node (KmdfHostQueryDevnodeProperty).
 *
 * DevInst is the device's DEVINST handle for the configuration manager functions: a number
 * the process gives each instance ID the first time it sees it, the same in every set.
 *
 * An HDEVINFO is not a kernel handle (CloseHandle and the wait functions refuse it):
 * it is the address of the set, which SetupAPI validates on every call, as setupapi.dll
 * does. Sets are kept on one list that only grows: a destroyed set's entry is marked
 * free (its contents released) and reused by a later set, so that an HDEVINFO that was
 * destroyed is recognised (ERROR_INVALID_HANDLE) rather than followed into freed memory.
 * The lists are updated with atomic operations only (no lock).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <wctype.h>

#include "win32/win32p.h"

#define ENUM_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\"

/* ------------------------------------------------------------------ DevInst numbers */

typedef struct KH_W32_DEVINST {
    struct KH_W32_DEVINST *Next; /* never unlinked */
    DWORD Number;                /* 1, 2, ... */
    char Id[];                   /* the instance ID, as the PnP manager spells it */
} KH_W32_DEVINST;

static _Atomic(KH_W32_DEVINST *) DevInsts;

static bool SameId(const char *A, const char *B)
{
    for (; *A != 0 && *B != 0; A++, B++) {
        char a = *A >= 'a' && *A <= 'z' ? (char)(*A - 32) : *A;
        char b = *B >= 'a' && *B <= 'z' ? (char)(*B - 32) : *B;
        if (a != b) {
            return false;
        }
    }
    return *A == *B;
}

/* The DevInst of an instance ID (instance IDs compare without regard to case); 0 when
   out of memory. */
DWORD KhW32DevInstOf(const char *InstanceId)
{
    KH_W32_DEVINST *Head = atomic_load(&DevInsts);
    for (;;) {
        for (KH_W32_DEVINST *d = Head; d != NULL; d = d->Next) {
            if (SameId(d->Id, InstanceId)) {
                return d->Number;
            }
        }
        KH_W32_DEVINST *New = malloc(sizeof(*New) + strlen(InstanceId) + 1);
        if (New == NULL) {
            return 0;
        }
        strcpy(New->Id, InstanceId);
        New->Next = Head;
        New->Number = Head != NULL ? Head->Number + 1 : 1;
        if (atomic_compare_exchange_strong(&DevInsts, &Head, New)) {
            return New->Number;
        }
        free(New); /* another thread pushed one: look again from the new head */
    }
}

/* The instance ID of a DevInst, or NULL when the process never gave out that number. */
const char *KhW32DevInstId(DWORD DevInst)
{
    for (KH_W32_DEVINST *d = atomic_load(&DevInsts); d != NULL; d = d->Next) {
        if (d->Number == DevInst) {
            return d->Id;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ strings */

/* The code point at In[*Index] (a surrogate pair is one, an unpaired surrogate U+FFFD);
   *Index moves past it. */
static uint32_t NextUtf16(const uint16_t *In, size_t Units, size_t *Index)
{
    size_t i = *Index;
    uint32_t c = In[i++];
    if (c >= 0xD800 && c <= 0xDBFF && i < Units && In[i] >= 0xDC00 && In[i] <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (In[i++] - 0xDC00);
    } else if (c >= 0xD800 && c <= 0xDFFF) {
        c = 0xFFFD;
    }
    *Index = i;
    return c;
}

/* UTF-16 (Units code units, NULs included) to wchar_t; returns the count written (or
   needed, with Out NULL). Unpaired surrogates become U+FFFD. */
static size_t Utf16ToWide(const uint16_t *In, size_t Units, wchar_t *Out)
{
    size_t n = 0;
    for (size_t i = 0; i < Units; n++) {
        uint32_t c = NextUtf16(In, Units, &i);
        if (Out != NULL) {
            Out[n] = (wchar_t)c;
        }
    }
    return n;
}

/* UTF-16 (NULs included) to UTF-8; returns the bytes written (or needed, Out NULL). */
static size_t Utf16ToUtf8(const uint16_t *In, size_t Units, char *Out)
{
    size_t n = 0;
    for (size_t i = 0; i < Units;) {
        n += KhW32EncodeUtf8(NextUtf16(In, Units, &i), Out != NULL ? Out + n : NULL);
    }
    return n;
}

/* "{b85b7c50-6a01-11d2-b841-00c04fad5171}" (UTF-16) to a GUID; false when malformed. */
static bool ParseGuid16(const uint16_t *Text, size_t Units, GUID *Guid)
{
    char a[40];
    if (Units < 38) {
        return false;
    }
    for (size_t i = 0; i < 38; i++) {
        if (Text[i] > 0x7F) {
            return false;
        }
        a[i] = (char)Text[i];
    }
    a[38] = 0;
    unsigned long d1;
    unsigned d2, d3, b[8];
    if (sscanf(a, "{%8lx-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x}", &d1, &d2, &d3, &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &b[6], &b[7]) != 11) {
        return false;
    }
    Guid->Data1 = (uint32_t)d1;
    Guid->Data2 = (uint16_t)d2;
    Guid->Data3 = (uint16_t)d3;
    for (int i = 0; i < 8; i++) {
        Guid->Data4[i] = (uint8_t)b[i];
    }
    return true;
}

/* ------------------------------------------------------------------ device properties */

/*
 * Where each SPDRP_* property comes from, with the registry type SetupDiGetDeviceRegistryProperty
 * reports: a property of the device node (DEVICE_REGISTRY_PROPERTY, as IoGetDeviceProperty
 * answers it), or a value of the instance's Enum key that setup or the PnP manager writes
 * (the registry's own type). https://learn.microsoft.com/windows/win32/api/setupapi/nf-setupapi-setupdigetdeviceregistrypropertyw
 */
typedef struct KH_W32_PROPERTY {
    int NodeProperty;      /* DEVICE_REGISTRY_PROPERTY, or -1 */
    const char *ValueName; /* the Enum key's value, or NULL */
    DWORD Type;            /* for a node property */
} KH_W32_PROPERTY;

static const KH_W32_PROPERTY Properties[SPDRP_MAXIMUM_PROPERTY] = {
    [SPDRP_DEVICEDESC] = {0 /* DevicePropertyDeviceDescription */, NULL, REG_SZ},
    [SPDRP_HARDWAREID] = {1 /* DevicePropertyHardwareID */, NULL, REG_MULTI_SZ},
    [SPDRP_COMPATIBLEIDS] = {2 /* DevicePropertyCompatibleIDs */, NULL, REG_MULTI_SZ},
    [SPDRP_UNUSED0] = {-1, NULL, 0},
    [SPDRP_SERVICE] = {-1, "Service", REG_SZ},
    [SPDRP_UNUSED1] = {-1, NULL, 0},
    [SPDRP_UNUSED2] = {-1, NULL, 0},
    [SPDRP_CLASS] = {5 /* DevicePropertyClassName */, NULL, REG_SZ},
    [SPDRP_CLASSGUID] = {6 /* DevicePropertyClassGuid */, NULL, REG_SZ},
    [SPDRP_DRIVER] = {7 /* DevicePropertyDriverKeyName */, NULL, REG_SZ},
    [SPDRP_CONFIGFLAGS] = {-1, "ConfigFlags", REG_DWORD},
    [SPDRP_MFG] = {8 /* DevicePropertyManufacturer */, NULL, REG_SZ},
    [SPDRP_FRIENDLYNAME] = {9 /* DevicePropertyFriendlyName */, NULL, REG_SZ},
    [SPDRP_LOCATION_INFORMATION] = {10 /* DevicePropertyLocationInformation */, NULL, REG_SZ},
    [SPDRP_PHYSICAL_DEVICE_OBJECT_NAME] = {11 /* DevicePropertyPhysicalDeviceObjectName */, NULL, REG_SZ},
    [SPDRP_CAPABILITIES] = {-1, "Capabilities", REG_DWORD},
    [SPDRP_UI_NUMBER] = {17 /* DevicePropertyUINumber */, NULL, REG_DWORD},
    [SPDRP_UPPERFILTERS] = {-1, "UpperFilters", REG_MULTI_SZ},
    [SPDRP_LOWERFILTERS] = {-1, "LowerFilters", REG_MULTI_SZ},
    [SPDRP_BUSTYPEGUID] = {12 /* DevicePropertyBusTypeGuid */, NULL, REG_BINARY},
    [SPDRP_LEGACYBUSTYPE] = {13 /* DevicePropertyLegacyBusType */, NULL, REG_DWORD},
    [SPDRP_BUSNUMBER] = {14 /* DevicePropertyBusNumber */, NULL, REG_DWORD},
    [SPDRP_ENUMERATOR_NAME] = {15 /* DevicePropertyEnumeratorName */, NULL, REG_SZ},
    [SPDRP_SECURITY] = {-1, "Security", REG_BINARY},
    [SPDRP_SECURITY_SDS] = {-1, NULL, REG_SZ},
    [SPDRP_DEVTYPE] = {-1, "DeviceType", REG_DWORD},
    [SPDRP_EXCLUSIVE] = {-1, "Exclusive", REG_DWORD},
    [SPDRP_CHARACTERISTICS] = {-1, "DeviceCharacteristics", REG_DWORD},
    [SPDRP_ADDRESS] = {16 /* DevicePropertyAddress */, NULL, REG_DWORD},
    [SPDRP_UI_NUMBER_DESC_FORMAT] = {-1, "UINumberDescFormat", REG_SZ},
    [SPDRP_DEVICE_POWER_DATA] = {-1, NULL, REG_BINARY},
    [SPDRP_REMOVAL_POLICY] = {19 /* DevicePropertyRemovalPolicy */, NULL, REG_DWORD},
    [SPDRP_REMOVAL_POLICY_HW_DEFAULT] = {19 /* DevicePropertyRemovalPolicy */, NULL, REG_DWORD},
    [SPDRP_REMOVAL_POLICY_OVERRIDE] = {-1, "RemovalPolicy", REG_DWORD},
    [SPDRP_INSTALL_STATE] = {18 /* DevicePropertyInstallState */, NULL, REG_DWORD},
    [SPDRP_LOCATION_PATHS] = {-1, NULL, REG_MULTI_SZ},
    [SPDRP_BASE_CONTAINERID] = {22 /* DevicePropertyContainerID */, NULL, REG_SZ},
};

static bool IsStringType(DWORD Type)
{
    return Type == REG_SZ || Type == REG_EXPAND_SZ || Type == REG_MULTI_SZ;
}

/*
 * A property of the device InstanceId in the registry's form (strings UTF-16LE, NUL
 * included): a malloc'd copy in *Data, its size and type. Returns ERROR_SUCCESS,
 * ERROR_INVALID_REG_PROPERTY (no such SPDRP code), ERROR_INVALID_DATA (the device does not
 * have the property: "the requested property does not exist for a device"),
 * ERROR_NO_SUCH_DEVINST (the device is gone) or ERROR_NOT_ENOUGH_MEMORY.
 */
DWORD KhW32GetDeviceProperty(const char *InstanceId, DWORD Property, DWORD *Type, uint8_t **Data, size_t *Size)
{
    *Data = NULL;
    *Size = 0;
    if (Property >= SPDRP_MAXIMUM_PROPERTY || Property == SPDRP_UNUSED0 || Property == SPDRP_UNUSED1 ||
        Property == SPDRP_UNUSED2) {
        return ERROR_INVALID_REG_PROPERTY;
    }
    const KH_W32_PROPERTY *p = &Properties[Property];
    if (p->NodeProperty < 0 && p->ValueName == NULL) {
        return ERROR_INVALID_DATA; /* the host keeps no such data for any device */
    }
    *Type = p->Type;
    char *Key = NULL;
    if (p->ValueName != NULL) {
        Key = malloc(strlen(ENUM_KEY) + strlen(InstanceId) + 1);
        if (Key == NULL) {
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        strcpy(Key, ENUM_KEY);
        strcat(Key, InstanceId);
    }
    size_t Capacity = 256;
    for (;;) {
        uint8_t *Buffer = malloc(Capacity);
        if (Buffer == NULL) {
            free(Key);
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        size_t Required = 0;
        uint32_t StoredType = 0;
        KH_STATUS Status = p->ValueName != NULL
                               ? KmdfHostQueryRegistryValue(Key, p->ValueName, &StoredType, Buffer, Capacity, &Required)
                               : KmdfHostQueryDevnodeProperty(InstanceId, (uint32_t)p->NodeProperty, Buffer,
                                                              Capacity, &Required);
        if (NT_SUCCESS(Status)) {
            if (p->ValueName != NULL) {
                *Type = StoredType;
            }
            free(Key);
            *Data = Buffer;
            *Size = Required;
            return ERROR_SUCCESS;
        }
        free(Buffer);
        if (Status == STATUS_BUFFER_TOO_SMALL && Required > Capacity) {
            Capacity = Required;
            continue;
        }
        free(Key);
        if (Status == STATUS_NO_SUCH_DEVICE) {
            return ERROR_NO_SUCH_DEVINST;
        }
        if (Status == STATUS_INSUFFICIENT_RESOURCES) {
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        return ERROR_INVALID_DATA;
    }
}

/*
 * Converts a property in the registry's form to what the caller gets: strings as wchar_t
 * (Ansi false) or UTF-8 (Ansi true), other data as it is. Returns the size in bytes of
 * the result, writing it to Out when Out is not NULL.
 */
size_t KhW32ConvertProperty(DWORD Type, const uint8_t *Data, size_t Size, bool Ansi, void *Out)
{
    if (!IsStringType(Type)) {
        if (Out != NULL) {
            memcpy(Out, Data, Size);
        }
        return Size;
    }
    size_t Units = Size / 2;
    uint16_t *Text = malloc(Units ? Units * 2 : 2);
    if (Text == NULL) {
        return 0;
    }
    memcpy(Text, Data, Units * 2);
    size_t Result = Ansi ? Utf16ToUtf8(Text, Units, Out) : Utf16ToWide(Text, Units, Out) * sizeof(wchar_t);
    free(Text);
    return Result;
}

/* ------------------------------------------------------------------ sets */

typedef struct KH_W32_ELEMENT {
    char *InstanceId;
    GUID ClassGuid;
    DWORD DevInst;
} KH_W32_ELEMENT;

typedef struct KH_W32_DEVINFO {
    struct KH_W32_DEVINFO *Next; /* the list of every set, never unlinked */
    atomic_int State;            /* SetFree, SetClaimed (being built), SetLive */
    bool HasInterfaces;          /* made with DIGCF_DEVICEINTERFACE */
    GUID ClassGuid;              /* the interface class of such a set */
    size_t ElementCount;
    KH_W32_ELEMENT *Elements;
    size_t Count;      /* interfaces */
    wchar_t **Paths;   /* snapshot taken by SetupDiGetClassDevsW */
    size_t *PathOwner; /* the element of each interface */
} KH_W32_DEVINFO;

enum { SetFree, SetClaimed, SetLive };

static _Atomic(KH_W32_DEVINFO *) Sets;

/* A free entry (claimed for the caller), or a new one pushed on the list. */
static KH_W32_DEVINFO *ClaimSet(void)
{
    for (KH_W32_DEVINFO *Set = atomic_load(&Sets); Set != NULL; Set = Set->Next) {
        int Expected = SetFree;
        if (atomic_compare_exchange_strong(&Set->State, &Expected, SetClaimed)) {
            return Set;
        }
    }
    KH_W32_DEVINFO *Set = calloc(1, sizeof(*Set));
    if (Set == NULL) {
        return NULL;
    }
    atomic_init(&Set->State, SetClaimed);
    KH_W32_DEVINFO *Head = atomic_load(&Sets);
    do {
        Set->Next = Head;
    } while (!atomic_compare_exchange_weak(&Sets, &Head, Set));
    return Set;
}

static void ReleaseContents(KH_W32_DEVINFO *Set)
{
    for (size_t i = 0; i < Set->Count; i++) {
        free(Set->Paths[i]);
    }
    free(Set->Paths);
    free(Set->PathOwner);
    Set->Paths = NULL;
    Set->PathOwner = NULL;
    Set->Count = 0;
    for (size_t i = 0; i < Set->ElementCount; i++) {
        free(Set->Elements[i].InstanceId);
    }
    free(Set->Elements);
    Set->Elements = NULL;
    Set->ElementCount = 0;
}

/* The live set of an HDEVINFO, or NULL when it names none. */
static KH_W32_DEVINFO *LookupSet(HDEVINFO DeviceInfoSet)
{
    for (KH_W32_DEVINFO *Set = atomic_load(&Sets); Set != NULL; Set = Set->Next) {
        if ((HDEVINFO)Set == DeviceInfoSet) {
            return atomic_load(&Set->State) == SetLive ? Set : NULL;
        }
    }
    return NULL;
}

/* The interface list of the class, in the CM_Get_Device_Interface_List format. */
static NTSTATUS GetInterfaceList(const GUID *Guid, char **ListOut)
{
    uint8_t Bytes[16];
    memcpy(Bytes, Guid, sizeof(Bytes)); /* GUID is already in Windows' byte layout */
    size_t Size = 256;
    for (;;) {
        char *List = malloc(Size);
        if (List == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        size_t Required = 0;
        NTSTATUS Status = KmdfHostGetInterfaceList(Bytes, List, Size, &Required);
        if (NT_SUCCESS(Status)) {
            *ListOut = List;
            return Status;
        }
        free(List);
        if (Status != STATUS_BUFFER_TOO_SMALL || Required <= Size) {
            return Status;
        }
        Size = Required; /* the list grew in between: ask again */
    }
}

/* The present devices' instance IDs, in the CM_Get_Device_ID_List format. */
static NTSTATUS GetDevnodeList(char **ListOut)
{
    size_t Size = 256;
    for (;;) {
        char *List = malloc(Size);
        if (List == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        size_t Required = 0;
        NTSTATUS Status = KmdfHostGetDevnodeList(List, Size, &Required);
        if (NT_SUCCESS(Status)) {
            *ListOut = List;
            return Status;
        }
        free(List);
        if (Status != STATUS_BUFFER_TOO_SMALL || Required <= Size) {
            return Status;
        }
        Size = Required;
    }
}

/*
 * True when the instance ID ("ROOT\ECHO\0000", or the part of an interface path before
 * "#{", with '#' for '\') belongs to Enumerator: either the device instance ID itself or
 * its PnP enumerator ("ROOT"), compared without regard to case.
 */
static bool MatchesEnumerator(const char *Instance, size_t Length, const wchar_t *Enumerator)
{
    size_t i = 0;
    for (; i < Length && Enumerator[i] != L'\0'; i++) {
        wchar_t c = Instance[i] == '#' ? L'\\' : (wchar_t)(unsigned char)Instance[i];
        if (towupper((wint_t)c) != towupper((wint_t)Enumerator[i])) {
            return false;
        }
    }
    if (Enumerator[i] != L'\0') {
        return false;
    }
    /* The whole instance ID, or its first component (the enumerator). */
    return i == Length || Instance[i] == '#' || Instance[i] == '\\';
}

/* The device's setup class GUID (its ClassGUID property), GUID_NULL when it has none. */
static GUID DeviceClassGuid(const char *InstanceId)
{
    GUID Guid;
    memset(&Guid, 0, sizeof(Guid));
    DWORD Type = 0;
    uint8_t *Data = NULL;
    size_t Size = 0;
    if (KhW32GetDeviceProperty(InstanceId, SPDRP_CLASSGUID, &Type, &Data, &Size) == ERROR_SUCCESS &&
        (Type == REG_SZ || Type == REG_EXPAND_SZ)) {
        uint16_t Text[40];
        size_t Units = Size / 2 < 40 ? Size / 2 : 40;
        memcpy(Text, Data, Units * 2);
        if (!ParseGuid16(Text, Units, &Guid)) {
            memset(&Guid, 0, sizeof(Guid));
        }
    }
    free(Data);
    return Guid;
}

/* Adds the device InstanceId to the set (once); its index in *Index. */
static bool AddElement(KH_W32_DEVINFO *Set, const char *InstanceId, size_t Capacity, size_t *Index)
{
    for (size_t i = 0; i < Set->ElementCount; i++) {
        if (SameId(Set->Elements[i].InstanceId, InstanceId)) {
            *Index = i;
            return true;
        }
    }
    if (Set->ElementCount == Capacity) {
        return false;
    }
    KH_W32_ELEMENT *e = &Set->Elements[Set->ElementCount];
    e->InstanceId = strdup(InstanceId);
    e->DevInst = KhW32DevInstOf(InstanceId);
    if (e->InstanceId == NULL || e->DevInst == 0) {
        free(e->InstanceId);
        return false;
    }
    e->ClassGuid = DeviceClassGuid(InstanceId);
    *Index = Set->ElementCount++;
    return true;
}

/* The instance ID as the PnP manager spells it of an interface path's device part. */
static const char *OwnerOfPath(const char *Path, const char *Devnodes)
{
    if (strncmp(Path, "\\\\?\\", 4) != 0) {
        return NULL;
    }
    const char *Instance = Path + 4;
    const char *End = strstr(Instance, "#{");
    if (End == NULL) {
        return NULL;
    }
    size_t Length = (size_t)(End - Instance);
    for (const char *d = Devnodes; *d != 0; d += strlen(d) + 1) {
        if (strlen(d) != Length) {
            continue;
        }
        size_t i = 0;
        for (; i < Length; i++) {
            char a = Instance[i] == '#' ? '\\' : Instance[i];
            char b = d[i];
            a = a >= 'a' && a <= 'z' ? (char)(a - 32) : a;
            b = b >= 'a' && b <= 'z' ? (char)(b - 32) : b;
            if (a != b) {
                break;
            }
        }
        if (i == Length) {
            return d;
        }
    }
    return NULL;
}

/* Fills a set with the enabled interfaces of ClassGuid and the devices that own them. */
static DWORD BuildInterfaceSet(KH_W32_DEVINFO *Set, const GUID *ClassGuid, const wchar_t *Enumerator)
{
    char *List = NULL;
    char *Devnodes = NULL;
    NTSTATUS Status = GetInterfaceList(ClassGuid, &List);
    if (NT_SUCCESS(Status)) {
        Status = GetDevnodeList(&Devnodes);
    }
    if (!NT_SUCCESS(Status)) {
        free(List);
        return RtlNtStatusToDosError(Status);
    }
    Set->HasInterfaces = true;
    Set->ClassGuid = *ClassGuid;
    size_t Count = 0;
    for (const char *p = List; *p != '\0'; p += strlen(p) + 1) {
        Count++;
    }
    DWORD Error = ERROR_SUCCESS;
    Set->Paths = calloc(Count ? Count : 1, sizeof(*Set->Paths));
    Set->PathOwner = calloc(Count ? Count : 1, sizeof(*Set->PathOwner));
    Set->Elements = calloc(Count ? Count : 1, sizeof(*Set->Elements));
    if (Set->Paths == NULL || Set->PathOwner == NULL || Set->Elements == NULL) {
        Error = ERROR_NOT_ENOUGH_MEMORY;
    }
    for (const char *p = List; Error == ERROR_SUCCESS && *p != '\0'; p += strlen(p) + 1) {
        const char *Owner = OwnerOfPath(p, Devnodes);
        if (Owner == NULL) {
            continue; /* its device went away since the list was taken */
        }
        if (Enumerator != NULL && !MatchesEnumerator(Owner, strlen(Owner), Enumerator)) {
            continue;
        }
        wchar_t *Path = KhW32Utf8ToWide(p);
        size_t Index = 0;
        if (Path == NULL || !AddElement(Set, Owner, Count, &Index)) {
            free(Path);
            Error = ERROR_NOT_ENOUGH_MEMORY;
            break;
        }
        Set->PathOwner[Set->Count] = Index;
        Set->Paths[Set->Count++] = Path;
    }
    free(List);
    free(Devnodes);
    return Error;
}

/* Fills a set with the present devices of the setup class ClassGuid (every class: NULL). */
static DWORD BuildDeviceSet(KH_W32_DEVINFO *Set, const GUID *ClassGuid, const wchar_t *Enumerator)
{
    char *Devnodes = NULL;
    NTSTATUS Status = GetDevnodeList(&Devnodes);
    if (!NT_SUCCESS(Status)) {
        return RtlNtStatusToDosError(Status);
    }
    size_t Count = 0;
    for (const char *d = Devnodes; *d != 0; d += strlen(d) + 1) {
        Count++;
    }
    DWORD Error = ERROR_SUCCESS;
    Set->Elements = calloc(Count ? Count : 1, sizeof(*Set->Elements));
    if (Set->Elements == NULL) {
        Error = ERROR_NOT_ENOUGH_MEMORY;
    }
    for (const char *d = Devnodes; Error == ERROR_SUCCESS && *d != 0; d += strlen(d) + 1) {
        if (Enumerator != NULL && !MatchesEnumerator(d, strlen(d), Enumerator)) {
            continue;
        }
        if (ClassGuid != NULL) {
            GUID Guid = DeviceClassGuid(d);
            if (memcmp(&Guid, ClassGuid, sizeof(GUID)) != 0) {
                continue;
            }
        }
        size_t Index;
        if (!AddElement(Set, d, Count, &Index)) {
            Error = ERROR_NOT_ENOUGH_MEMORY;
        }
    }
    free(Devnodes);
    return Error;
}

/*
 * SetupDiGetClassDevsW: "returns a handle to a device information set that contains
 * requested device information elements for a local computer".
 * - Without DIGCF_DEVICEINTERFACE, ClassGuid is a device setup class ("A pointer to the
 *   GUID for a device setup class"): the set holds the devices installed in that class
 *   (their ClassGUID, from the INF's [Version] section); with DIGCF_ALLCLASSES ("Return a
 *   list of installed devices for all device setup classes") ClassGuid is ignored and may
 *   be NULL.
 * - With DIGCF_DEVICEINTERFACE ("Return devices that support device interfaces for the
 *   specified device interface classes"), ClassGuid is the interface class and the set
 *   also holds the enabled interfaces; the host does not list the interfaces of every
 *   class (DIGCF_DEVICEINTERFACE | DIGCF_ALLCLASSES, or DIGCF_DEFAULT): ERROR_INVALID_FLAGS.
 * - Enumerator: "An identifier (ID) of a Plug and Play (PnP) enumerator" ("ROOT") or "a
 *   PnP device instance ID", compared without regard to case.
 * - DIGCF_PRESENT ("only devices that are currently present") and DIGCF_PROFILE ("only
 *   devices that are a part of the current hardware profile"): the host keeps no record
 *   of devices that are not present and has one profile, so the set is the same with or
 *   without them.
 * A NULL ClassGuid without DIGCF_ALLCLASSES fails with ERROR_INVALID_PARAMETER; failure
 * returns INVALID_HANDLE_VALUE.
 * https://learn.microsoft.com/windows/win32/api/setupapi/nf-setupapi-setupdigetclassdevsw
 */
KMDFHOST_API HDEVINFO SetupDiGetClassDevsW(const GUID *ClassGuid, PCWSTR Enumerator,
                                           HWND hwndParent, DWORD Flags)
{
    (void)hwndParent;
    const DWORD Known = DIGCF_DEVICEINTERFACE | DIGCF_PRESENT | DIGCF_PROFILE | DIGCF_ALLCLASSES;
    bool Interfaces = (Flags & DIGCF_DEVICEINTERFACE) != 0;
    bool AllClasses = (Flags & DIGCF_ALLCLASSES) != 0;
    if ((Flags & ~Known) != 0 || (Interfaces && AllClasses)) {
        KhW32SetLastError(ERROR_INVALID_FLAGS);
        return INVALID_HANDLE_VALUE;
    }
    if (ClassGuid == NULL && !AllClasses) {
        KhW32SetLastError(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    if (Enumerator != NULL && Enumerator[0] == L'\0') {
        Enumerator = NULL;
    }
    KH_W32_DEVINFO *Set = ClaimSet();
    if (Set == NULL) {
        KhW32SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    Set->HasInterfaces = false;
    memset(&Set->ClassGuid, 0, sizeof(Set->ClassGuid));
    DWORD Error = Interfaces ? BuildInterfaceSet(Set, ClassGuid, Enumerator)
                             : BuildDeviceSet(Set, AllClasses ? NULL : ClassGuid, Enumerator);
    if (Error != ERROR_SUCCESS) {
        ReleaseContents(Set);
        atomic_store(&Set->State, SetFree);
        KhW32SetLastError(Error);
        return INVALID_HANDLE_VALUE;
    }
    atomic_store(&Set->State, SetLive);
    return (HDEVINFO)Set;
}

/* The element DeviceInfoData names (one SetupDiEnumDeviceInfo or
   SetupDiGetDeviceInterfaceDetail filled in for this set), or NULL with *Error set. */
static KH_W32_ELEMENT *ElementOf(KH_W32_DEVINFO *Set, PSP_DEVINFO_DATA DeviceInfoData, DWORD *Error)
{
    if (DeviceInfoData == NULL || DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA)) {
        *Error = ERROR_INVALID_USER_BUFFER;
        return NULL;
    }
    if (DeviceInfoData->Reserved == 0 || DeviceInfoData->Reserved > Set->ElementCount ||
        Set->Elements[DeviceInfoData->Reserved - 1].DevInst != DeviceInfoData->DevInst) {
        *Error = ERROR_INVALID_PARAMETER;
        return NULL;
    }
    return &Set->Elements[DeviceInfoData->Reserved - 1];
}

static void FillDevInfo(KH_W32_DEVINFO *Set, size_t Index, PSP_DEVINFO_DATA DeviceInfoData)
{
    DeviceInfoData->ClassGuid = Set->Elements[Index].ClassGuid;
    DeviceInfoData->DevInst = Set->Elements[Index].DevInst;
    DeviceInfoData->Reserved = (ULONG_PTR)(Index + 1);
}

/*
 * SetupDiEnumDeviceInfo: "returns a SP_DEVINFO_DATA structure that specifies a device
 * information element in a device information set"; MemberIndex is 0-based, and past the
 * last element the call fails with ERROR_NO_MORE_ITEMS. DeviceInfoData->cbSize must be
 * sizeof(SP_DEVINFO_DATA) (ERROR_INVALID_USER_BUFFER).
 * https://learn.microsoft.com/windows/win32/api/setupapi/nf-setupapi-setupdienumdeviceinfo
 */
KMDFHOST_API BOOL SetupDiEnumDeviceInfo(HDEVINFO DeviceInfoSet, DWORD MemberIndex, PSP_DEVINFO_DATA DeviceInfoData)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    if (Set == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    if (DeviceInfoData == NULL || DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA)) {
        return KhW32Fail(ERROR_INVALID_USER_BUFFER);
    }
    if (MemberIndex >= Set->ElementCount) {
        return KhW32Fail(ERROR_NO_MORE_ITEMS);
    }
    FillDevInfo(Set, MemberIndex, DeviceInfoData);
    return TRUE;
}

/*
 * The element of a set that DeviceInfoData names, for a query whose answer goes to
 * Buffer of Size: NULL, with the last error set, when the set handle, the element or the
 * buffer (none, with a size other than 0) is not valid.
 */
static KH_W32_ELEMENT *QueryElement(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData, const void *Buffer,
                                    DWORD Size)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    if (Set == NULL) {
        KhW32Fail(ERROR_INVALID_HANDLE);
        return NULL;
    }
    DWORD Error = ERROR_SUCCESS;
    KH_W32_ELEMENT *e = ElementOf(Set, DeviceInfoData, &Error);
    if (e == NULL) {
        KhW32Fail(Error);
        return NULL;
    }
    if (Buffer == NULL && Size != 0) {
        KhW32Fail(ERROR_INVALID_USER_BUFFER);
        return NULL;
    }
    return e;
}

/*
 * SetupDiGetDeviceInstanceId(W/A): the element's device instance ID, NUL-terminated;
 * DeviceInstanceIdSize counts characters (bytes of UTF-8 for the A form). RequiredSize,
 * when given, receives the size needed with the NUL; a buffer too small (or none, with a
 * size of 0) fails with ERROR_INSUFFICIENT_BUFFER.
 * https://learn.microsoft.com/windows/win32/api/setupapi/nf-setupapi-setupdigetdeviceinstanceidw
 */
static BOOL GetInstanceId(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData, void *Buffer, DWORD Size,
                          PDWORD RequiredSize, bool Ansi)
{
    KH_W32_ELEMENT *e = QueryElement(DeviceInfoSet, DeviceInfoData, Buffer, Size);
    if (e == NULL) {
        return FALSE;
    }
    size_t Needed;
    wchar_t *Wide = NULL;
    if (Ansi) {
        Needed = strlen(e->InstanceId) + 1;
    } else {
        Wide = KhW32Utf8ToWide(e->InstanceId);
        if (Wide == NULL) {
            return KhW32Fail(ERROR_NOT_ENOUGH_MEMORY);
        }
        Needed = wcslen(Wide) + 1;
    }
    if (RequiredSize != NULL) {
        *RequiredSize = (DWORD)Needed;
    }
    if (Buffer == NULL || Size < Needed) {
        free(Wide);
        return KhW32Fail(ERROR_INSUFFICIENT_BUFFER);
    }
    if (Ansi) {
        memcpy(Buffer, e->InstanceId, Needed);
    } else {
        memcpy(Buffer, Wide, Needed * sizeof(wchar_t));
    }
    free(Wide);
    return TRUE;
}

KMDFHOST_API BOOL SetupDiGetDeviceInstanceIdW(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                              PWSTR DeviceInstanceId, DWORD DeviceInstanceIdSize,
                                              PDWORD RequiredSize)
{
    return GetInstanceId(DeviceInfoSet, DeviceInfoData, DeviceInstanceId, DeviceInstanceIdSize, RequiredSize, false);
}

KMDFHOST_API BOOL SetupDiGetDeviceInstanceIdA(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                              char *DeviceInstanceId, DWORD DeviceInstanceIdSize,
                                              PDWORD RequiredSize)
{
    return GetInstanceId(DeviceInfoSet, DeviceInfoData, DeviceInstanceId, DeviceInstanceIdSize, RequiredSize, true);
}

/*
 * SetupDiGetDeviceRegistryProperty(W/A): "retrieves a specified Plug and Play device
 * property": its registry type in *PropertyRegDataType (REG_SZ for the description, class
 * and GUID, REG_MULTI_SZ for hardware and compatible IDs and the filters, REG_DWORD for
 * capabilities and flags, ...), its data in PropertyBuffer (strings in wchar_t, or UTF-8
 * for the A form). "If the PropertyBuffer buffer is too small to hold all the requested
 * data, the function fails with ERROR_INSUFFICIENT_BUFFER" and RequiredSize receives the
 * size in bytes; a property the device does not have fails with ERROR_INVALID_DATA; an
 * SPDRP code that is none, with ERROR_INVALID_REG_PROPERTY.
 * https://learn.microsoft.com/windows/win32/api/setupapi/nf-setupapi-setupdigetdeviceregistrypropertyw
 */
static BOOL GetRegistryProperty(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData, DWORD Property,
                                PDWORD PropertyRegDataType, BYTE *PropertyBuffer, DWORD PropertyBufferSize,
                                PDWORD RequiredSize, bool Ansi)
{
    KH_W32_ELEMENT *e = QueryElement(DeviceInfoSet, DeviceInfoData, PropertyBuffer, PropertyBufferSize);
    if (e == NULL) {
        return FALSE;
    }
    DWORD Error;
    DWORD Type = 0;
    uint8_t *Data = NULL;
    size_t Size = 0;
    Error = KhW32GetDeviceProperty(e->InstanceId, Property, &Type, &Data, &Size);
    if (Error != ERROR_SUCCESS) {
        return KhW32Fail(Error);
    }
    size_t Needed = KhW32ConvertProperty(Type, Data, Size, Ansi, NULL);
    if (PropertyRegDataType != NULL) {
        *PropertyRegDataType = Type;
    }
    if (RequiredSize != NULL) {
        *RequiredSize = (DWORD)Needed;
    }
    if (PropertyBuffer == NULL || PropertyBufferSize < Needed) {
        free(Data);
        return KhW32Fail(ERROR_INSUFFICIENT_BUFFER);
    }
    KhW32ConvertProperty(Type, Data, Size, Ansi, PropertyBuffer);
    free(Data);
    return TRUE;
}

KMDFHOST_API BOOL SetupDiGetDeviceRegistryPropertyW(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                                    DWORD Property, PDWORD PropertyRegDataType,
                                                    BYTE *PropertyBuffer, DWORD PropertyBufferSize,
                                                    PDWORD RequiredSize)
{
    return GetRegistryProperty(DeviceInfoSet, DeviceInfoData, Property, PropertyRegDataType, PropertyBuffer,
                               PropertyBufferSize, RequiredSize, false);
}

KMDFHOST_API BOOL SetupDiGetDeviceRegistryPropertyA(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                                    DWORD Property, PDWORD PropertyRegDataType,
                                                    BYTE *PropertyBuffer, DWORD PropertyBufferSize,
                                                    PDWORD RequiredSize)
{
    return GetRegistryProperty(DeviceInfoSet, DeviceInfoData, Property, PropertyRegDataType, PropertyBuffer,
                               PropertyBufferSize, RequiredSize, true);
}

/*
 * SetupDiEnumDeviceInterfaces: the MemberIndex-th interface of the set (0-based);
 * ERROR_NO_MORE_ITEMS past the end ("Repeated calls to this function return an
 * SP_DEVICE_INTERFACE_DATA structure for a different device interface. ... If the index
 * is out of range, the function fails and GetLastError returns ERROR_NO_MORE_ITEMS").
 * DeviceInterfaceData->cbSize must be sizeof(SP_DEVICE_INTERFACE_DATA)
 * (ERROR_INVALID_USER_BUFFER). With DeviceInfoData ("the search for interfaces is
 * restricted to the device interfaces of that device"), only that element's count.
 */
KMDFHOST_API BOOL SetupDiEnumDeviceInterfaces(HDEVINFO DeviceInfoSet,
                                              PSP_DEVINFO_DATA DeviceInfoData,
                                              const GUID *InterfaceClassGuid, DWORD MemberIndex,
                                              PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    if (Set == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    DWORD Error = ERROR_SUCCESS;
    size_t Index = MemberIndex;
    KH_W32_ELEMENT *Element = NULL;
    if (InterfaceClassGuid == NULL) {
        Error = ERROR_INVALID_PARAMETER;
    } else if (DeviceInterfaceData == NULL ||
               DeviceInterfaceData->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInfoData != NULL && (Element = ElementOf(Set, DeviceInfoData, &Error)) == NULL) {
        /* Error set */
    } else if (!Set->HasInterfaces || memcmp(InterfaceClassGuid, &Set->ClassGuid, sizeof(GUID)) != 0) {
        Error = ERROR_NO_MORE_ITEMS; /* the set holds interfaces of its class only */
    } else if (Element != NULL) {
        size_t Owner = (size_t)(Element - Set->Elements);
        size_t Seen = 0;
        Index = Set->Count;
        for (size_t i = 0; i < Set->Count; i++) {
            if (Set->PathOwner[i] == Owner && Seen++ == MemberIndex) {
                Index = i;
                break;
            }
        }
        if (Index == Set->Count) {
            Error = ERROR_NO_MORE_ITEMS;
        }
    } else if (Index >= Set->Count) {
        Error = ERROR_NO_MORE_ITEMS;
    }
    if (Error != ERROR_SUCCESS) {
        return KhW32Fail(Error);
    }
    DeviceInterfaceData->InterfaceClassGuid = Set->ClassGuid;
    DeviceInterfaceData->Flags = SPINT_ACTIVE;
    DeviceInterfaceData->Reserved = (ULONG_PTR)(Index + 1);
    return TRUE;
}

/*
 * SetupDiGetDeviceInterfaceDetailW, with the documented two-call size protocol:
 * "Call SetupDiGetDeviceInterfaceDetail with a NULL DeviceInterfaceDetailData pointer, a
 * DeviceInterfaceDetailDataSize of zero, and a valid RequiredSize variable. In response
 * to such a call, this function returns the required buffer size at RequiredSize and
 * fails with GetLastError returning ERROR_INSUFFICIENT_BUFFER." A buffer that is given
 * must have cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) of 64-bit Windows, 8
 * (ERROR_INVALID_USER_BUFFER otherwise, also when the size cannot even hold the header
 * and one character, or when a size comes without a buffer). The path is written as a
 * NUL-terminated wide string at offset 4. DeviceInfoData, when given, receives the
 * element (the device) that owns the interface.
 */
KMDFHOST_API BOOL SetupDiGetDeviceInterfaceDetailW(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    if (Set == NULL) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    const size_t PathOffset = offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath);
    DWORD Error = ERROR_SUCCESS;
    size_t Index = 0;
    if (DeviceInterfaceData == NULL ||
        DeviceInterfaceData->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInterfaceData->Reserved == 0 || DeviceInterfaceData->Reserved > Set->Count) {
        Error = ERROR_INVALID_PARAMETER;
    } else if (DeviceInterfaceDetailData != NULL &&
               (DeviceInterfaceDetailData->cbSize != KH_SP_DEVICE_INTERFACE_DETAIL_DATA_W_CBSIZE ||
                DeviceInterfaceDetailDataSize < PathOffset + sizeof(WCHAR))) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInterfaceDetailData == NULL && DeviceInterfaceDetailDataSize != 0) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else if (DeviceInfoData != NULL && DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA)) {
        Error = ERROR_INVALID_USER_BUFFER;
    } else {
        Index = DeviceInterfaceData->Reserved - 1;
    }

    if (Error == ERROR_SUCCESS) {
        const wchar_t *Path = Set->Paths[Index];
        size_t Needed = PathOffset + (wcslen(Path) + 1) * sizeof(WCHAR);
        if (RequiredSize != NULL) {
            *RequiredSize = (DWORD)Needed;
        }
        if (DeviceInfoData != NULL) {
            FillDevInfo(Set, Set->PathOwner[Index], DeviceInfoData);
        }
        if (DeviceInterfaceDetailData == NULL || DeviceInterfaceDetailDataSize < Needed) {
            Error = ERROR_INSUFFICIENT_BUFFER;
        } else {
            /* Through a byte pointer: DevicePath is declared with one element (ANYSIZE_ARRAY). */
            memcpy((char *)DeviceInterfaceDetailData + PathOffset, Path,
                   (wcslen(Path) + 1) * sizeof(WCHAR));
        }
    }
    if (Error != ERROR_SUCCESS) {
        return KhW32Fail(Error);
    }
    return TRUE;
}

/* SetupDiDestroyDeviceInfoList: "deletes a device information set and frees all
   associated memory." */
KMDFHOST_API BOOL SetupDiDestroyDeviceInfoList(HDEVINFO DeviceInfoSet)
{
    KH_W32_DEVINFO *Set = LookupSet(DeviceInfoSet);
    int Expected = SetLive;
    if (Set == NULL || !atomic_compare_exchange_strong(&Set->State, &Expected, SetClaimed)) {
        return KhW32Fail(ERROR_INVALID_HANDLE);
    }
    ReleaseContents(Set);
    atomic_store(&Set->State, SetFree);
    return TRUE;
}
