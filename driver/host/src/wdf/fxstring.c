/*
 * fxstring.c - framework string objects (WDFSTRING), wdfstring.h.
 *
 * A WDFSTRING owns a copy of its UNICODE_STRING's buffer, NUL-terminated, and frees it
 * when the object is deleted; its parent defaults to the driver object.
 */
#include "wdf/fxp.h"

#include <stdlib.h>
#include <string.h>

typedef struct FX_STRING {
    FX_OBJECT Object;
    UNICODE_STRING String;
} FX_STRING;

static void FxStringDestroy(FX_OBJECT *Object)
{
    FX_STRING *string = (FX_STRING *)Object;
    free(string->String.Buffer);
    string->String.Buffer = NULL;
}

static const FX_OBJECT_OPS FxStringOps = {NULL, FxStringDestroy};

/* Replaces the string's contents; one allocation point. */
static NTSTATUS FxStringAssign(FX_STRING *String, const WCHAR *Buffer, size_t Bytes)
{
    if (Bytes > 0xFFFC) {
        return STATUS_INVALID_PARAMETER;
    }
    if (KhAllocationShouldFail()) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    WCHAR *copy = calloc(1, Bytes + sizeof(WCHAR));
    if (copy == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Bytes != 0) {
        memcpy(copy, Buffer, Bytes);
    }
    free(String->String.Buffer);
    String->String.Buffer = copy;
    String->String.Length = (USHORT)Bytes;
    String->String.MaximumLength = (USHORT)(Bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

WDFAPI NTSTATUS WdfStringCreate(PCUNICODE_STRING UnicodeString,
                                PWDF_OBJECT_ATTRIBUTES StringAttributes, WDFSTRING *String)
{
    if (String == NULL) {
        return STATUS_INVALID_PARAMETER;
    }
    *String = NULL;
    NTSTATUS status;
    FX_OBJECT *parent = FxDefaultParent(StringAttributes, "WdfStringCreate", &status);
    if (parent == NULL) {
        return status;
    }
    FX_OBJECT *object;
    status = FxObjectAllocate(sizeof(FX_STRING), FxTypeString, StringAttributes, parent->Driver,
                              &FxStringOps, &object);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    FX_STRING *string = (FX_STRING *)object;
    status = FxStringAssign(string, UnicodeString != NULL ? UnicodeString->Buffer : NULL,
                            UnicodeString != NULL ? UnicodeString->Length : 0);
    if (!NT_SUCCESS(status)) {
        FxObjectFreeUninserted(object);
        return status;
    }
    object->ExecutionLevel = FxResolveExecutionLevel(StringAttributes, parent);
    FxObjectInsert(object, parent);
    *String = (WDFSTRING)object;
    return STATUS_SUCCESS;
}

WDFAPI VOID WdfStringGetUnicodeString(WDFSTRING String, PUNICODE_STRING UnicodeString)
{
    FX_STRING *string =
        (FX_STRING *)FxObjectFromHandle(String, FxTypeString, "WdfStringGetUnicodeString");
    if (string == NULL || UnicodeString == NULL) {
        return;
    }
    *UnicodeString = string->String;
}

NTSTATUS FxStringSet(WDFSTRING String, const WCHAR *Buffer, size_t Bytes, const char *Api)
{
    FX_STRING *string = (FX_STRING *)FxObjectFromHandle(String, FxTypeString, Api);
    if (string == NULL) {
        return STATUS_INVALID_HANDLE;
    }
    return FxStringAssign(string, Buffer, Bytes);
}
