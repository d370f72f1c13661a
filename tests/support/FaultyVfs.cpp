// FaultyVfs: the wrapped files forward every call to the real ones, counting writes and syncs on the way.
#include "FaultyVfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace lapse::test
{

namespace
{

std::atomic<int> g_writes {0};
std::atomic<int> g_syncs {0};
std::atomic<int> g_injected {0};
std::atomic<int> g_failWrite {0}; // 0: none
std::atomic<int> g_failSync {0};
std::atomic<int> g_failWritesAfter {-1}; // -1: none
std::atomic<bool> g_diskFull {false};

std::mutex g_watchMutex;
QByteArray g_watch;

sqlite3_vfs* g_real = nullptr; // the wrapped VFS
sqlite3_vfs g_vfs;
bool g_installed = false;

// The wrapper's file: ours first, the real one's storage right behind it (szOsFile covers both).
struct FaultyFile {
    sqlite3_file base;
    const char* name; // SQLite keeps it valid until xClose; nullptr for files that are not the store's
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

FaultyFile* wrap(sqlite3_file* f)
{
    return reinterpret_cast<FaultyFile*>(f);
}

sqlite3_file* real(sqlite3_file* f)
{
    return wrap(f)->real();
}

// Decided at each call, so watch() also applies to files already open.
bool watched(sqlite3_file* f)
{
    const char* name = wrap(f)->name;
    if (!name)
        return false;
    std::lock_guard<std::mutex> lock(g_watchMutex);
    return g_watch.isEmpty() || std::strncmp(name, g_watch.constData(), size_t(g_watch.size())) == 0;
}

bool writeFails()
{
    const int n = ++g_writes;
    const int after = g_failWritesAfter.load();
    return g_diskFull.load() || n == g_failWrite.load() || (after >= 0 && n > after);
}

int xClose(sqlite3_file* f)
{
    sqlite3_file* r = real(f);
    return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}

int xRead(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xRead(r, buf, amount, offset);
}

int xWrite(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset)
{
    sqlite3_file* r = real(f);
    if (watched(f) && writeFails()) {
        ++g_injected;
        return SQLITE_FULL; // as the unix VFS answers ENOSPC: nothing of this write is trusted
    }
    return r->pMethods->xWrite(r, buf, amount, offset);
}

int xTruncate(sqlite3_file* f, sqlite3_int64 size)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xTruncate(r, size);
}

int xSync(sqlite3_file* f, int flags)
{
    sqlite3_file* r = real(f);
    if (watched(f) && ++g_syncs == g_failSync.load()) {
        ++g_injected;
        return SQLITE_IOERR_FSYNC;
    }
    return r->pMethods->xSync(r, flags);
}

int xFileSize(sqlite3_file* f, sqlite3_int64* size)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xFileSize(r, size);
}

int xLock(sqlite3_file* f, int level)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xLock(r, level);
}

int xUnlock(sqlite3_file* f, int level)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xUnlock(r, level);
}

int xCheckReservedLock(sqlite3_file* f, int* out)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xCheckReservedLock(r, out);
}

int xFileControl(sqlite3_file* f, int op, void* arg)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xFileControl(r, op, arg);
}

int xSectorSize(sqlite3_file* f)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xSectorSize(r);
}

int xDeviceCharacteristics(sqlite3_file* f)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xDeviceCharacteristics(r);
}

int xShmMap(sqlite3_file* f, int page, int pageSize, int extend, void volatile** out)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xShmMap(r, page, pageSize, extend, out);
}

int xShmLock(sqlite3_file* f, int offset, int n, int flags)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xShmLock(r, offset, n, flags);
}

void xShmBarrier(sqlite3_file* f)
{
    sqlite3_file* r = real(f);
    r->pMethods->xShmBarrier(r);
}

int xShmUnmap(sqlite3_file* f, int deleteFlag)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xShmUnmap(r, deleteFlag);
}

int xFetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xFetch(r, offset, amount, out);
}

int xUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* page)
{
    sqlite3_file* r = real(f);
    return r->pMethods->xUnfetch(r, offset, page);
}

// Version 3, as the unix VFS's own files are: shared memory for WAL and memory-mapped reads pass through.
const sqlite3_io_methods kMethods = {3, xClose, xRead, xWrite, xTruncate, xSync, xFileSize, xLock, xUnlock,
    xCheckReservedLock, xFileControl, xSectorSize, xDeviceCharacteristics, xShmMap, xShmLock, xShmBarrier,
    xShmUnmap, xFetch, xUnfetch};

int xOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* outFlags)
{
    FaultyFile* ff = wrap(f);
    ff->base.pMethods = nullptr;
    const int rc = g_real->xOpen(g_real, name, ff->real(), flags, outFlags);
    if (ff->real()->pMethods == nullptr)
        return rc; // nothing to close: SQLite sees no methods and leaves the file alone
    const bool storeFile = flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL);
    ff->name = storeFile ? name : nullptr;
    ff->base.pMethods = &kMethods;
    return rc;
}

} // namespace

bool FaultyVfs::install()
{
    if (g_installed)
        return true;
    if (sqlite3_initialize() != SQLITE_OK)
        return false;
    g_real = sqlite3_vfs_find("unix");
    if (!g_real)
        return false;
    // Everything but opening a file is the real VFS's own.
    g_vfs = *g_real;
    g_vfs.zName = kName;
    g_vfs.szOsFile = int(sizeof(FaultyFile)) + g_real->szOsFile;
    g_vfs.pNext = nullptr;
    g_vfs.xOpen = xOpen;
    if (sqlite3_vfs_register(&g_vfs, 1) != SQLITE_OK)
        return false;
    g_installed = true;
    return true;
}

void FaultyVfs::uninstall()
{
    if (!g_installed)
        return;
    sqlite3_vfs_unregister(&g_vfs);
    sqlite3_vfs_register(g_real, 1);
    g_installed = false;
}

void FaultyVfs::watch(const QByteArray& prefix)
{
    std::lock_guard<std::mutex> lock(g_watchMutex);
    g_watch = prefix;
}

void FaultyVfs::reset()
{
    g_failWrite = 0;
    g_failSync = 0;
    g_failWritesAfter = -1;
    g_diskFull = false;
    g_writes = 0;
    g_syncs = 0;
    g_injected = 0;
}

void FaultyVfs::failWrite(int nth)
{
    g_failWrite = nth;
}

void FaultyVfs::failSync(int nth)
{
    g_failSync = nth;
}

void FaultyVfs::failWritesAfter(int n)
{
    g_failWritesAfter = n;
}

void FaultyVfs::setDiskFull(bool full)
{
    g_diskFull = full;
}

int FaultyVfs::writes()
{
    return g_writes;
}

int FaultyVfs::syncs()
{
    return g_syncs;
}

int FaultyVfs::injected()
{
    return g_injected;
}

} // namespace lapse::test
