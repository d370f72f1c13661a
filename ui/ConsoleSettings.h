// The console's settings behind one typed wrapper: window state, the last connection and the muted targets,
// never a secret.
#pragma once

#include <QSettings>
#include <QVariant>
#include <memory>

namespace lapse
{

class ConsoleSettings
{
public:
    enum class Key {
        WindowGeometry,
        WindowState,
        QueueSplitter,
        ActiveSplitter,
        LastTab,
        LastMode, // "embedded" or "remote"
        LastUrl,
        LastKeyFile, // the path of the key file; the key itself is never stored here
        LastCaFile,
        LastDataDir,
        Language,
        MutedTargets, // targets whose new requests raise no notification
    };

    // What the console connects to: a remote broker (url, key file, CA) or the embedded engine (data dir).
    struct Connection {
        QString url;
        QString keyFile; // a path; empty: LAPSE_KEY or the prompt
        QString caFile;
        QString dataDir; // empty: the user's data directory
        bool remote() const { return !url.isEmpty(); }
    };

    ConsoleSettings(); // the user's settings (organisation/application names of the QCoreApplication)
    explicit ConsoleSettings(const QString& iniFile); // a separate file, for tests

    QVariant value(Key key, const QVariant& fallback = {}) const;
    void setValue(Key key, const QVariant& value);
    static QString keyName(Key key);

    QStringList mutedTargets() const;
    void setMutedTargets(const QStringList& targets);

    Connection lastConnection() const; // empty when none was opened yet
    void setLastConnection(const Connection& connection);
    // What to open: the command line's connection when it names one (a URL or a data directory), else the
    // last one, so a console started without arguments comes back to where it was. embeddedOnly: the command
    // line asked for something only the embedded engine does (a demo, a directory file), so a last remote
    // connection is not reopened.
    Connection connectionToOpen(const Connection& commandLine, bool embeddedOnly) const;

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace lapse
