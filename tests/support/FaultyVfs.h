// An I/O shim under SQLite: a VFS wrapping the default "unix" one that counts the writes and syncs of a
// store's files and fails a chosen one (disk full, a failed fsync), so the engine's error paths meet real
// SQLite failures, not a mocked store.
#pragma once

#include <QByteArray>

namespace lapse::test
{

// Process-wide, as SQLite's VFS registry is: install() makes "lapse-faulty" the default VFS, so every
// connection opened after it (Qt's QSQLITE driver and the store's own sqlite3 handles alike) goes through it.
// Until a fault is armed it only counts. Counts and faults cover the main database, its -wal and its
// -journal, and only under the watched path prefix when one is set. The controls are atomics: SQLite may
// call in from any thread.
class FaultyVfs
{
public:
    static constexpr const char* kName = "lapse-faulty";

    static bool install(); // registers the shim as the default VFS; false if SQLite refused it
    static void uninstall(); // the wrapped VFS is the default again

    // Files whose full path starts with prefix are watched (empty: every store file), open ones included.
    static void watch(const QByteArray& prefix);

    // Counts back to zero and every fault disarmed (the watched prefix stays).
    static void reset();
    static void failWrite(int nth); // the nth write since reset() fails with SQLITE_FULL
    static void failSync(int nth); // the nth sync since reset() fails with SQLITE_IOERR_FSYNC
    static void failWritesAfter(int n); // every write after the first n since reset() fails (SQLITE_FULL)
    static void setDiskFull(bool full); // every write fails with SQLITE_FULL until switched off

    static int writes(); // since reset(), the failed ones included
    static int syncs();
    static int injected(); // faults returned since reset()
};

} // namespace lapse::test
