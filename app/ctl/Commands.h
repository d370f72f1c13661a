// lapsectl's commands: each a function over a Transport, listed in one table.
#pragma once

#include "Transport.h"

#include <QCommandLineParser>
#include <QMap>
#include <functional>

namespace lapse::ctl
{

// Exit codes: one per class of failure, so scripts can tell a refusal from an outage.
enum Exit { Ok = 0, Other = 1, Usage = 2, Denied = 3, Rejected = 4, Unavailable = 5 };

struct Context {
    Transport* transport = nullptr; // null for commands that need none (verify)
    const QCommandLineParser& options;
    QStringList args; // positional arguments after the command name
    bool json = false;
};

struct Failure {
    int exitCode;
    QString message;
};

struct Command {
    QString synopsis;
    bool needsTransport = true;
    std::function<int(Context&)> run;
};

const QMap<QString, Command>& commands();
// Maps an API error response to an exit code and a one-line message.
Failure failureOf(const ApiResponse& r);
// text as it may go to a terminal: control characters (C0, DEL, C1) spelled out as escapes.
QString printable(const QString& text);

// lapsectl evidence export|verify (Evidence.cpp): prints its own one-line failures.
int cmdEvidence(Context& c);
// lapsectl policy test|lint (PolicyCommands.cpp): the directory file alone, no broker or store.
int cmdPolicy(Context& c);
// Runs a command; a failure prints exactly one line "lapsectl: <reason>" on stderr and returns its code.
int runCommand(const Command& cmd, Context& c);

} // namespace lapse::ctl
