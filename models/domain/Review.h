// An access review's decision on a repeated elevation: an owner decides whether the identity keeps asking
// just in time, gets a policy rule, or gets a narrow standing entitlement outside Lapse.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace lapse
{

struct ReviewDecision {
    // The outcomes, as the event spells them.
    static QStringList outcomes()
    {
        return {QStringLiteral("keep-jit"), QStringLiteral("convert-to-rule"),
            QStringLiteral("standing-entitlement")};
    }

    QString identity;
    QString target;
    QStringList privileges; // the set it kept asking for
    QString outcome;
    QString comment;
    QString reviewer;
    qint64 fromMs = 0; // the period reviewed
    qint64 toMs = 0;
    int grants = 0; // how many grants of that set the period held when decided
    qint64 atMs = 0;
    qint64 seq = 0; // the review.decided event (0 before it is written)

    QJsonObject toJson() const; // the event's body (seq is the event's own)
    static ReviewDecision fromJson(const QJsonObject& o);
};

} // namespace lapse
