// Typed access to QSettings; every key string lives here.
#include "ConsoleSettings.h"

namespace lapse
{

ConsoleSettings::ConsoleSettings()
    : m_settings(std::make_unique<QSettings>())
{
}

ConsoleSettings::ConsoleSettings(const QString& iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{
}

QString ConsoleSettings::keyName(Key key)
{
    switch (key) {
    case Key::WindowGeometry:
        return QStringLiteral("window/geometry");
    case Key::WindowState:
        return QStringLiteral("window/state");
    case Key::QueueSplitter:
        return QStringLiteral("queue/splitter");
    case Key::ActiveSplitter:
        return QStringLiteral("active/splitter");
    case Key::LastTab:
        return QStringLiteral("window/tab");
    case Key::LastMode:
        return QStringLiteral("connection/mode");
    case Key::LastUrl:
        return QStringLiteral("connection/url");
    case Key::LastKeyFile:
        return QStringLiteral("connection/keyFile");
    case Key::LastCaFile:
        return QStringLiteral("connection/caFile");
    case Key::LastDataDir:
        return QStringLiteral("connection/dataDir");
    case Key::Language:
        return QStringLiteral("ui/language");
    case Key::MutedTargets:
        return QStringLiteral("notifications/mutedTargets");
    }
    return {};
}

QVariant ConsoleSettings::value(Key key, const QVariant& fallback) const
{
    return m_settings->value(keyName(key), fallback);
}

void ConsoleSettings::setValue(Key key, const QVariant& value)
{
    m_settings->setValue(keyName(key), value);
}

QStringList ConsoleSettings::mutedTargets() const
{
    return value(Key::MutedTargets).toStringList();
}

void ConsoleSettings::setMutedTargets(const QStringList& targets)
{
    QStringList sorted = targets;
    sorted.sort();
    sorted.removeDuplicates();
    setValue(Key::MutedTargets, sorted);
}

ConsoleSettings::Connection ConsoleSettings::lastConnection() const
{
    Connection c;
    if (value(Key::LastMode).toString() == QLatin1String("remote")) {
        c.url = value(Key::LastUrl).toString();
        c.keyFile = value(Key::LastKeyFile).toString();
        c.caFile = value(Key::LastCaFile).toString();
    }
    c.dataDir = value(Key::LastDataDir).toString(); // also after a remote session: the last embedded one
    return c;
}

void ConsoleSettings::setLastConnection(const Connection& connection)
{
    if (connection.remote()) {
        setValue(Key::LastMode, QStringLiteral("remote"));
        setValue(Key::LastUrl, connection.url);
        setValue(Key::LastKeyFile, connection.keyFile);
        setValue(Key::LastCaFile, connection.caFile);
    } else {
        setValue(Key::LastMode, QStringLiteral("embedded"));
        setValue(Key::LastDataDir, connection.dataDir);
    }
}

ConsoleSettings::Connection ConsoleSettings::connectionToOpen(
    const Connection& commandLine, bool embeddedOnly) const
{
    if (commandLine.remote() || !commandLine.dataDir.isEmpty())
        return commandLine;
    const Connection last = lastConnection();
    if (last.remote() && !embeddedOnly) {
        Connection c = last;
        // A key file or CA given on the command line still wins over the remembered one.
        if (!commandLine.keyFile.isEmpty())
            c.keyFile = commandLine.keyFile;
        if (!commandLine.caFile.isEmpty())
            c.caFile = commandLine.caFile;
        return c;
    }
    Connection c;
    c.dataDir = last.dataDir;
    return c;
}

} // namespace lapse
