// The console's settings behind one typed wrapper: window state and the last connection, never a secret.
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
        QueueHeader,
        LastTab,
        LastMode, // "embedded" or "remote"
        LastUrl,
        LastKeyFile, // the path of the key file; the key itself is never stored here
        LastCaFile,
        LastDataDir,
        Language,
    };

    ConsoleSettings(); // the user's settings (organisation/application names of the QCoreApplication)
    explicit ConsoleSettings(const QString& iniFile); // a separate file, for tests

    QVariant value(Key key, const QVariant& fallback = {}) const;
    void setValue(Key key, const QVariant& value);
    static QString keyName(Key key);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace lapse
