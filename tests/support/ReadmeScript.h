// The README's shell blocks that tests run as written: found by the HTML comment marking each, run with bash.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QString>

namespace lapse::test
{

// The ```sh block that follows marker (e.g. "<!-- checkpoint-check -->") in the README; empty if none.
inline QByteArray readmeScript(const char* marker)
{
    QFile readme(QStringLiteral(LAPSE_SOURCE_DIR "/README.md"));
    if (!readme.open(QIODevice::ReadOnly))
        return {};
    const QByteArray text = readme.readAll();
    const qsizetype at = text.indexOf(marker);
    if (at < 0)
        return {};
    const qsizetype from = text.indexOf("```sh\n", at) + 6, to = text.indexOf("\n```", from);
    return from > 6 && to > from ? text.mid(from, to - from) : QByteArray();
}

// Runs script with bash in dir; its exit code (-1 when it crashed or took over a minute), the output merged.
inline int runScript(const QByteArray& script, const QString& dir, QByteArray* output)
{
    QProcess sh;
    sh.setWorkingDirectory(dir);
    sh.setProcessChannelMode(QProcess::MergedChannels);
    sh.start(QStringLiteral("bash"), {QStringLiteral("-c"), QString::fromUtf8(script)});
    if (!sh.waitForFinished(60000))
        return -1;
    *output = sh.readAll();
    return sh.exitStatus() == QProcess::NormalExit ? sh.exitCode() : -1;
}

} // namespace lapse::test
