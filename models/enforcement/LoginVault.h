// The logins the broker made on targets, kept until each is verified gone: one 0600 file per grant in
// DIR/enforcement/. It is both where the requester's password lives (never in the log) and the work that must
// survive a restart: a file whose grant ended is enforcement still to do.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace lapse
{

struct TargetLogin {
    QString grantId;
    QString target;
    QString role;
    QByteArray password;
    QStringList groups; // the catalogue roles it was made a member of
};

class LoginVault
{
public:
    explicit LoginVault(QString dir); // DIR/enforcement
    QString dir() const { return m_dir; }
    // Written and flushed to disk before the login is created on the target, so a crash in between leaves
    // something to clean up rather than a login nobody knows of.
    Status put(const TargetLogin& login);
    Result<TargetLogin> get(const QString& grantId) const;
    Status remove(const QString& grantId);
    // Every login still kept; unreadable files are named in errors.
    QList<TargetLogin> all(QStringList* errors = nullptr) const;

private:
    QString pathFor(const QString& grantId) const;
    QString m_dir;
};

} // namespace lapse
