/*
 * hostfile.c - files of the host's file system behind NtCreateFile / ZwCreateFile, for
 * a driver's Zw file services (ZwCreateFile, ZwReadFile, ZwWriteFile,
 * ZwSetInformationFile with FilePositionInformation, ZwClose) and for CreateFile on a
 * path of a program.
 *
 * Which NT paths are files: "\SystemRoot\REST" is REST under the directory that
 * KMDFHOST_SYSTEMROOT names (without it the host has no system root, and such a path is
 * STATUS_OBJECT_PATH_NOT_FOUND); "\??\/ABSOLUTE" (a Win32 path that is a Linux absolute
 * path, as CreateFile turns it into "\??\...") is that path. "\" separates components as
 * on Windows, and a component that does not exist with the exact case is looked up
 * without regard to case (OBJ_CASE_INSENSITIVE is how Windows opens files). Other paths
 * are devices (file.c).
 *
 * Semantics, from the NtCreateFile, NtReadFile, NtWriteFile and FILE_POSITION_INFORMATION
 * pages: the create dispositions FILE_SUPERSEDE, FILE_CREATE, FILE_OPEN, FILE_OPEN_IF,
 * FILE_OVERWRITE and FILE_OVERWRITE_IF with Information FILE_SUPERSEDED, FILE_CREATED,
 * FILE_OPENED or FILE_OVERWRITTEN; STATUS_OBJECT_NAME_COLLISION, _NOT_FOUND and
 * STATUS_OBJECT_PATH_NOT_FOUND; a synchronous file object keeps a current position that
 * a read or write without ByteOffset (or with FILE_USE_FILE_POINTER_POSITION) uses and
 * advances; a read at or past the end is STATUS_END_OF_FILE with no bytes; reading or
 * writing without that access is STATUS_ACCESS_DENIED. What the host does not implement
 * says so (STATUS_NOT_IMPLEMENTED): asynchronous file objects, events and APCs on file
 * I/O, directories. Share modes are not enforced, as for devices.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/iop.h"

typedef struct _KH_HOSTFILE {
    KH_OBJECT_HEADER Ob;
    int Fd;
    bool CanRead;
    bool CanWrite;
    HOS_MUTEX Lock; /* the position, as the file object lock of a synchronous file */
    int64_t Position;
} KH_HOSTFILE;

static void KhHostFileDelete(KH_OBJECT_HEADER *Object)
{
    KH_HOSTFILE *file = (KH_HOSTFILE *)Object;
    close(file->Fd);
    HosMutexDestroy(&file->Lock);
    free(file);
}

/* A program's files are closed when it ends; a driver's (OBJ_KERNEL_HANDLE) are not. */
static const KH_OBJECT_TYPE KhHostFileType = {.Name = "File", .Delete = KhHostFileDelete};
static const KH_OBJECT_TYPE KhKernelHostFileType = {.Name = "File", .Delete = KhHostFileDelete, .KernelOnly = TRUE};

/* Appends Component to Path (a directory), exactly or, failing that, as the one entry
   of the directory that matches it without regard to case. */
static void KhAppendComponent(char *Path, size_t Size, const char *Component)
{
    size_t length = strlen(Path);
    snprintf(Path + length, Size - length, "%s%s", length > 0 && Path[length - 1] == '/' ? "" : "/", Component);
    struct stat st;
    if (lstat(Path, &st) == 0) {
        return;
    }
    Path[length] = '\0';
    DIR *dir = opendir(length > 0 ? Path : "/");
    const char *found = NULL;
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        if (strcasecmp(entry->d_name, Component) == 0) {
            found = entry->d_name;
            break;
        }
    }
    snprintf(Path + length, Size - length, "%s%s", length > 0 && Path[length - 1] == '/' ? "" : "/",
             found != NULL ? found : Component);
    if (dir != NULL) {
        closedir(dir);
    }
}

bool KhIoHostPath(const char *NtPath, char **HostPath, NTSTATUS *Status)
{
    const char *rest;
    const char *root;
    if (strncasecmp(NtPath, "\\SystemRoot", 11) == 0 && (NtPath[11] == '\\' || NtPath[11] == '\0')) {
        root = getenv("KMDFHOST_SYSTEMROOT");
        if (root == NULL || root[0] != '/') {
            *Status = STATUS_OBJECT_PATH_NOT_FOUND;
            *HostPath = NULL;
            return true;
        }
        rest = NtPath + 11;
    } else if (strncmp(NtPath, "\\??\\/", 5) == 0) {
        root = "";
        rest = NtPath + 4;
    } else {
        return false;
    }
    size_t size = strlen(root) + strlen(rest) * 2 + 2;
    char *path = malloc(size);
    char *copy = strdup(rest);
    if (path == NULL || copy == NULL) {
        free(path);
        free(copy);
        *Status = STATUS_INSUFFICIENT_RESOURCES;
        *HostPath = NULL;
        return true;
    }
    snprintf(path, size, "%s", root);
    char *save = NULL;
    for (char *c = strtok_r(copy, "\\/", &save); c != NULL; c = strtok_r(NULL, "\\/", &save)) {
        KhAppendComponent(path, size, c);
    }
    free(copy);
    if (path[0] == '\0') {
        strcpy(path, "/");
    }
    *HostPath = path;
    *Status = STATUS_SUCCESS;
    return true;
}

NTSTATUS KhIoCreateHostFile(const char *HostPath, ACCESS_MASK DesiredAccess, ULONG Attributes, ULONG Disposition,
                            ULONG Options, PHANDLE Handle, PIO_STATUS_BLOCK IoStatusBlock)
{
    if (!(Options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT))) {
        return STATUS_NOT_IMPLEMENTED; /* asynchronous file objects on files */
    }
    if (Options & FILE_DIRECTORY_FILE) {
        return STATUS_NOT_IMPLEMENTED;
    }
    bool read = (DesiredAccess & (GENERIC_READ | GENERIC_ALL | FILE_READ_DATA)) != 0;
    bool write = (DesiredAccess & (GENERIC_WRITE | GENERIC_ALL | FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
    struct stat st;
    bool exists = stat(HostPath, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        return (Options & FILE_NON_DIRECTORY_FILE) ? STATUS_FILE_IS_A_DIRECTORY : STATUS_NOT_IMPLEMENTED;
    }
    int flags = O_CLOEXEC | (read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY);
    ULONG_PTR information;
    switch (Disposition) {
    case FILE_SUPERSEDE:
        flags |= O_CREAT | O_TRUNC;
        information = exists ? FILE_SUPERSEDED : FILE_CREATED;
        break;
    case FILE_CREATE:
        if (exists) {
            return STATUS_OBJECT_NAME_COLLISION;
        }
        flags |= O_CREAT | O_EXCL;
        information = FILE_CREATED;
        break;
    case FILE_OPEN:
        if (!exists) {
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        information = FILE_OPENED;
        break;
    case FILE_OPEN_IF:
        flags |= O_CREAT;
        information = exists ? FILE_OPENED : FILE_CREATED;
        break;
    case FILE_OVERWRITE:
        if (!exists) {
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        flags |= O_TRUNC;
        information = FILE_OVERWRITTEN;
        break;
    case FILE_OVERWRITE_IF:
        flags |= O_CREAT | O_TRUNC;
        information = exists ? FILE_OVERWRITTEN : FILE_CREATED;
        break;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    if ((flags & O_TRUNC) && !write) {
        flags = (flags & ~(O_RDONLY | O_WRONLY | O_RDWR)) | O_RDWR; /* overwriting needs it */
    }
    int fd = open(HostPath, flags, 0666);
    if (fd < 0) {
        switch (errno) {
        case ENOENT:
        case ENOTDIR:
            return STATUS_OBJECT_PATH_NOT_FOUND;
        case EEXIST:
            return STATUS_OBJECT_NAME_COLLISION;
        case EACCES:
        case EPERM:
        case EROFS:
            return STATUS_ACCESS_DENIED;
        default:
            return STATUS_UNSUCCESSFUL;
        }
    }
    KH_HOSTFILE *file = calloc(1, sizeof(*file));
    if (file == NULL) {
        close(fd);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    KhObInitializeObject(&file->Ob, (Attributes & OBJ_KERNEL_HANDLE) ? &KhKernelHostFileType : &KhHostFileType);
    file->Fd = fd;
    file->CanRead = read;
    file->CanWrite = write;
    HosMutexInit(&file->Lock);
    NTSTATUS status = KhObInsertHandle(&file->Ob, Handle);
    if (!NT_SUCCESS(status)) {
        KhObDereference(&file->Ob);
        return status;
    }
    IoStatusBlock->Status = STATUS_SUCCESS;
    IoStatusBlock->Information = information;
    return STATUS_SUCCESS;
}

static KH_HOSTFILE *KhReferenceHostFile(HANDLE Handle)
{
    KH_OBJECT_HEADER *object;
    if (NT_SUCCESS(KhObReferenceByHandle(Handle, &KhHostFileType, &object)) ||
        NT_SUCCESS(KhObReferenceByHandle(Handle, &KhKernelHostFileType, &object))) {
        return (KH_HOSTFILE *)object;
    }
    return NULL;
}

bool KhIoHostFileIo(HANDLE FileHandle, HANDLE Event, PIO_STATUS_BLOCK IoStatusBlock, bool Write, PVOID Buffer,
                    ULONG Length, PLARGE_INTEGER ByteOffset, NTSTATUS *Status)
{
    KH_HOSTFILE *file = KhReferenceHostFile(FileHandle);
    if (file == NULL) {
        return false;
    }
    NTSTATUS status = STATUS_SUCCESS;
    ULONG_PTR done = 0;
    if (Event != NULL) {
        status = STATUS_NOT_IMPLEMENTED; /* events on file I/O: the host's files are synchronous */
    } else if (Write ? !file->CanWrite : !file->CanRead) {
        status = STATUS_ACCESS_DENIED;
    } else {
        HosMutexLock(&file->Lock);
        int64_t offset = file->Position;
        bool append = false;
        if (ByteOffset != NULL && ByteOffset->HighPart == -1 && ByteOffset->LowPart == FILE_WRITE_TO_END_OF_FILE) {
            append = Write;
        } else if (ByteOffset != NULL &&
                   !(ByteOffset->HighPart == -1 && ByteOffset->LowPart == FILE_USE_FILE_POINTER_POSITION)) {
            if (ByteOffset->QuadPart < 0) {
                status = STATUS_INVALID_PARAMETER;
            }
            offset = ByteOffset->QuadPart;
        }
        if (NT_SUCCESS(status) && append) {
            struct stat st;
            offset = fstat(file->Fd, &st) == 0 ? st.st_size : 0;
        }
        while (NT_SUCCESS(status) && done < Length) {
            ssize_t n = Write ? pwrite(file->Fd, (char *)Buffer + done, Length - done, offset + (off_t)done)
                              : pread(file->Fd, (char *)Buffer + done, Length - done, offset + (off_t)done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                status = errno == ENOSPC ? STATUS_DISK_FULL : STATUS_UNSUCCESSFUL;
            } else if (n == 0) {
                break; /* the end of the file */
            } else {
                done += (ULONG_PTR)n;
            }
        }
        if (NT_SUCCESS(status) && !Write && done == 0 && Length != 0) {
            status = STATUS_END_OF_FILE;
        }
        if (NT_SUCCESS(status)) {
            file->Position = offset + (int64_t)done;
        }
        HosMutexUnlock(&file->Lock);
    }
    KhObDereference(&file->Ob);
    IoStatusBlock->Status = status;
    IoStatusBlock->Information = NT_SUCCESS(status) ? done : 0;
    *Status = status;
    return true;
}

bool KhIoHostFileSetInformation(HANDLE FileHandle, PIO_STATUS_BLOCK IoStatusBlock, PVOID Information, ULONG Length,
                                FILE_INFORMATION_CLASS Class, NTSTATUS *Status)
{
    KH_HOSTFILE *file = KhReferenceHostFile(FileHandle);
    if (file == NULL) {
        return false;
    }
    NTSTATUS status;
    if (Class != FilePositionInformation) {
        status = STATUS_NOT_IMPLEMENTED; /* the other classes on files */
    } else if (Length < sizeof(FILE_POSITION_INFORMATION)) {
        status = STATUS_INFO_LENGTH_MISMATCH;
    } else if (((PFILE_POSITION_INFORMATION)Information)->CurrentByteOffset.QuadPart < 0) {
        status = STATUS_INVALID_PARAMETER;
    } else {
        HosMutexLock(&file->Lock);
        file->Position = ((PFILE_POSITION_INFORMATION)Information)->CurrentByteOffset.QuadPart;
        HosMutexUnlock(&file->Lock);
        status = STATUS_SUCCESS;
    }
    KhObDereference(&file->Ob);
    IoStatusBlock->Status = status;
    IoStatusBlock->Information = 0;
    *Status = status;
    return true;
}
