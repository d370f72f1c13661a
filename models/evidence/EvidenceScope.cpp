// An evidence pack's scope: checked, named and written out.
#include "EvidenceData.h"

#include "domain/Principal.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

namespace lapse
{

namespace
{
QString isoUtc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}
} // namespace

Status EvidenceScope::validate() const
{
    if (fromMs < 0 || toMs <= fromMs)
        return Error {ErrorCode::Invalid, QStringLiteral("the period must end after it starts")};
    if (sampleSize < 0 || sampleSize > 10'000)
        return Error {ErrorCode::Invalid, QStringLiteral("the sample size must be between 0 and 10000")};
    for (const auto& t : targets)
        if (t.trimmed().isEmpty() || t != t.trimmed())
            return Error {ErrorCode::Invalid, QStringLiteral("a target in the scope is blank or padded")};
    for (const auto& k : kinds) {
        PrincipalKind kind;
        if (!kindFromName(k, &kind))
            return Error {ErrorCode::Invalid, QStringLiteral("unknown identity kind \"%1\"").arg(k)};
    }
    return Ok {};
}

QString EvidenceScope::label() const
{
    if (targets.isEmpty())
        return QStringLiteral("all");
    auto sorted = targets;
    sorted.sort();
    QString label = sorted.join(QLatin1Char('+'));
    label.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._+-]")), QStringLiteral("_"));
    return label.left(80);
}

QString EvidenceScope::fileName() const
{
    const auto day = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyyMMdd"));
    };
    return QStringLiteral("lapse-evidence-%1-%2-%3.zip").arg(label(), day(fromMs), day(toMs));
}

QJsonObject EvidenceScope::toJson() const
{
    auto sortedTargets = targets;
    sortedTargets.sort();
    auto sortedKinds = kinds;
    sortedKinds.sort();
    return QJsonObject {
        {QStringLiteral("from"), isoUtc(fromMs)},
        {QStringLiteral("to"), isoUtc(toMs)},
        {QStringLiteral("targets"), QJsonArray::fromStringList(sortedTargets)},
        {QStringLiteral("kinds"), QJsonArray::fromStringList(sortedKinds)},
        {QStringLiteral("sample_size"), sampleSize},
        {QStringLiteral("grants"),
            QStringLiteral(
                "every grant whose window started in [from, to) on those targets and kinds (empty: all)")},
        {QStringLiteral("requests"),
            QStringLiteral("every request created in [from, to) on those targets and kinds")},
    };
}

} // namespace lapse
