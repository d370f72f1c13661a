// Fuzz target: an evidence pack's verifier on any bytes. A pack comes from outside by definition; whatever it
// holds, verification must end in one line — "verified: ..." or "FAILED: ..." — never a crash or undefined
// behaviour. It reads the pack from a file, as lapsectl evidence verify does.
#include "evidence/EvidencePack.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <cstdint>
#include <cstdlib>
#include <unistd.h>

using namespace lapse;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const QString file = QDir::tempPath() + QStringLiteral("/lapse-fuzz-pack-%1.zip").arg(::getpid());
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        std::abort();
    out.write(reinterpret_cast<const char*>(data), qint64(size));
    out.close();
    const EvidenceVerdict verdict = verifyEvidencePack(file);
    if (verdict.line.isEmpty() || verdict.ok != verdict.line.startsWith(QLatin1String("verified: ")))
        std::abort(); // one line, and it says what happened
    return 0;
}
