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
    case Key::QueueHeader:
        return QStringLiteral("queue/header");
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

} // namespace lapse
