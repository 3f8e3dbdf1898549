/*
 * wmiclient.c - kmdfhost-wmi, the WMI client of scripts/host-run --wmi: a Win32 program
 * (built with scripts/build-host-app) whose start-up code starts the device; main makes
 * one WMI request of the host's WMI client API (kmdfhost.h, KmdfHostWmi*) and prints the
 * answer, then the device is removed and the driver unloaded as for any program.
 *
 *   kmdfhost-wmi list                               the blocks: "{GUID} instances N flags 0xF"
 *   kmdfhost-wmi query GUID [INDEX]                 the instance's data, in hexadecimal
 *   kmdfhost-wmi all GUID                           each instance's data: "INDEX: HEX"
 *   kmdfhost-wmi set GUID INDEX HEX                 replaces the instance's data
 *   kmdfhost-wmi set-item GUID INDEX ITEMID HEX     replaces one data item
 *   kmdfhost-wmi method GUID INDEX METHODID [HEX]   runs a method; prints its output
 *
 * GUID is written as on Windows, with or without braces. HEX is the data's bytes in
 * order, two hexadecimal digits each (spaces allowed between bytes): a ULONG 10 is
 * "0a000000". Output bytes are printed the same way, separated by spaces.
 * Exit: 0 done; 1 the WMI request failed ("kmdfhost-wmi: STATUS 0xC0000295
 * (STATUS_WMI_GUID_NOT_FOUND)" on stderr; a buffer too small is grown to the size the
 * driver asks for and the request made again); 2 usage.
 */
#include <kmdfhost.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int Usage(void)
{
    fprintf(stderr, "usage: kmdfhost-wmi list | query GUID [INDEX] | all GUID | set GUID INDEX HEX |\n"
                    "       set-item GUID INDEX ITEMID HEX | method GUID INDEX METHODID [HEX]\n");
    return 2;
}

static const char *StatusName(KH_STATUS Status)
{
    switch ((uint32_t)Status) {
    case 0xC0000295u: return "STATUS_WMI_GUID_NOT_FOUND";
    case 0xC0000296u: return "STATUS_WMI_INSTANCE_NOT_FOUND";
    case 0xC0000297u: return "STATUS_WMI_ITEMID_NOT_FOUND";
    case 0xC00002C6u: return "STATUS_WMI_READ_ONLY";
    case 0xC00002C7u: return "STATUS_WMI_SET_FAILURE";
    case 0xC0000010u: return "STATUS_INVALID_DEVICE_REQUEST";
    case 0xC000000Du: return "STATUS_INVALID_PARAMETER";
    case 0xC0000023u: return "STATUS_BUFFER_TOO_SMALL";
    default: return "";
    }
}

static int Failed(KH_STATUS Status)
{
    const char *name = StatusName(Status);
    fprintf(stderr, "kmdfhost-wmi: STATUS 0x%08X%s%s%s\n", (unsigned)Status, *name ? " (" : "", name,
            *name ? ")" : "");
    return 1;
}

static int HexDigit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* "{3F1D7A20-5B6C-4E8F-9A0B-1C2D3E4F5A60}" into the 16-byte layout of kmdfhost.h. */
static int ParseGuid(const char *Text, uint8_t Guid[16])
{
    uint8_t digits[32];
    int n = 0;
    for (const char *p = Text; *p; p++) {
        if (*p == '{' || *p == '}' || *p == '-') {
            continue;
        }
        int d = HexDigit((unsigned char)*p);
        if (d < 0 || n == 32) {
            return 0;
        }
        digits[n++] = (uint8_t)d;
    }
    if (n != 32) {
        return 0;
    }
    uint8_t bytes[16];
    for (int i = 0; i < 16; i++) {
        bytes[i] = (uint8_t)(digits[2 * i] << 4 | digits[2 * i + 1]);
    }
    /* Data1, Data2 and Data3 in the machine's (little-endian) order, then Data4. */
    uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++) {
        Guid[i] = bytes[order[i]];
    }
    return 1;
}

static int ParseHex(const char *Text, uint8_t **Data, uint32_t *Size)
{
    size_t cap = strlen(Text) / 2 + 1;
    uint8_t *out = malloc(cap);
    uint32_t n = 0;
    int high = -1;
    for (const char *p = Text; *p; p++) {
        if (isspace((unsigned char)*p) || *p == ':') {
            if (high >= 0) {
                free(out);
                return 0;
            }
            continue;
        }
        int d = HexDigit((unsigned char)*p);
        if (d < 0) {
            free(out);
            return 0;
        }
        if (high < 0) {
            high = d;
        } else {
            out[n++] = (uint8_t)(high << 4 | d);
            high = -1;
        }
    }
    if (high >= 0) {
        free(out);
        return 0;
    }
    *Data = out;
    *Size = n;
    return 1;
}

static int ParseNumber(const char *Text, uint32_t *Value)
{
    char *end;
    unsigned long v = strtoul(Text, &end, 0);
    if (*Text == 0 || *end != 0 || v > 0xFFFFFFFFul) {
        return 0;
    }
    *Value = (uint32_t)v;
    return 1;
}

static void PrintHex(const uint8_t *Data, uint32_t Size)
{
    for (uint32_t i = 0; i < Size; i++) {
        printf(i ? " %02x" : "%02x", Data[i]);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        return Usage();
    }
    const char *command = argv[1];
    uint8_t guid[16];
    if (strcmp(command, "list") == 0) {
        if (argc != 2) {
            return Usage();
        }
        KH_WMI_BLOCK blocks[64];
        size_t count = 0;
        KH_STATUS status = KmdfHostWmiListBlocks(blocks, 64, &count);
        if (status < 0) {
            return Failed(status);
        }
        for (size_t i = 0; i < count; i++) {
            const uint8_t *g = blocks[i].Guid;
            printf("{%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X} instances %u flags 0x%X\n",
                   g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
                   g[15], (unsigned)blocks[i].InstanceCount, (unsigned)blocks[i].Flags);
        }
        return 0;
    }
    if (argc < 3 || !ParseGuid(argv[2], guid)) {
        return Usage();
    }
    uint32_t index = 0, id = 0, size = 0;
    uint8_t *data = NULL;
    uint32_t capacity = 256;
    KH_STATUS status;
    if (strcmp(command, "query") == 0) {
        if (argc > 4 || (argc == 4 && !ParseNumber(argv[3], &index))) {
            return Usage();
        }
        for (;;) {
            uint8_t *buffer = malloc(capacity);
            status = KmdfHostWmiQueryInstance(guid, index, buffer, capacity, &size);
            if (status == (KH_STATUS)0xC0000023 && size > capacity) {
                free(buffer);
                capacity = size;
                continue;
            }
            if (status >= 0) {
                PrintHex(buffer, size);
            }
            free(buffer);
            break;
        }
        return status < 0 ? Failed(status) : 0;
    }
    if (strcmp(command, "all") == 0) {
        if (argc != 3) {
            return Usage();
        }
        uint32_t offsets[256], lengths[256], count = 0;
        for (;;) {
            uint8_t *buffer = malloc(capacity);
            status = KmdfHostWmiQueryAllData(guid, buffer, capacity, &size, offsets, lengths, 256, &count);
            if (status == (KH_STATUS)0xC0000023 && size > capacity) {
                free(buffer);
                capacity = size;
                continue;
            }
            if (status >= 0) {
                for (uint32_t i = 0; i < count && i < 256; i++) {
                    printf("%u: ", (unsigned)i);
                    PrintHex(buffer + offsets[i], lengths[i]);
                }
            }
            free(buffer);
            break;
        }
        return status < 0 ? Failed(status) : 0;
    }
    if (strcmp(command, "set") == 0) {
        if (argc != 5 || !ParseNumber(argv[3], &index) || !ParseHex(argv[4], &data, &size)) {
            return Usage();
        }
        status = KmdfHostWmiSetInstance(guid, index, data, size);
        free(data);
        return status < 0 ? Failed(status) : 0;
    }
    if (strcmp(command, "set-item") == 0) {
        if (argc != 6 || !ParseNumber(argv[3], &index) || !ParseNumber(argv[4], &id) ||
            !ParseHex(argv[5], &data, &size)) {
            return Usage();
        }
        status = KmdfHostWmiSetItem(guid, index, id, data, size);
        free(data);
        return status < 0 ? Failed(status) : 0;
    }
    if (strcmp(command, "method") == 0) {
        if (argc < 5 || argc > 6 || !ParseNumber(argv[3], &index) || !ParseNumber(argv[4], &id) ||
            (argc == 6 && !ParseHex(argv[5], &data, &size))) {
            return Usage();
        }
        uint32_t outSize = 0;
        for (;;) {
            uint8_t *out = malloc(capacity);
            status = KmdfHostWmiExecuteMethod(guid, index, id, data, size, out, capacity, &outSize);
            if (status == (KH_STATUS)0xC0000023 && outSize > capacity) {
                free(out);
                capacity = outSize;
                continue;
            }
            if (status >= 0) {
                PrintHex(out, outSize);
            }
            free(out);
            break;
        }
        free(data);
        return status < 0 ? Failed(status) : 0;
    }
    return Usage();
}
