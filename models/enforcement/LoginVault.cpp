// The per-grant login files: QSaveFile (written whole, synced, renamed), owner-only permissions.
#include "LoginVault.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

namespace lapse
{

LoginVault::LoginVault(QString dir)
    : m_dir(std::move(dir))
{
}

QString LoginVault::pathFor(const QString& grantId) const
{
    return m_dir + QLatin1Char('/') + grantId + QStringLiteral(".login");
}

Status LoginVault::put(const TargetLogin& login)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_]{1,64}$"));
    if (!safe.match(login.grantId).hasMatch())
        return makeError(ErrorCode::Internal, QStringLiteral("not a grant id: %1").arg(login.grantId));
    if (!QDir().mkpath(m_dir))
        return makeError(ErrorCode::Internal, QStringLiteral("cannot create %1").arg(m_dir));
    QFile::setPermissions(m_dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QSaveFile f(pathFor(login.grantId));
    if (!f.open(QIODevice::WriteOnly))
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QJsonObject o {{"grant", login.grantId}, {"target", login.target}, {"role", login.role},
        {"password", QString::fromUtf8(login.password)},
        {"groups", QJsonArray::fromStringList(login.groups)}};
    f.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
    if (!f.commit())
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString()));
    return Ok {};
}

Result<TargetLogin> LoginVault::get(const QString& grantId) const
{
    QFile f(pathFor(grantId));
    if (!f.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::NotFound, QStringLiteral("no login is kept for grant %1").arg(grantId));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    TargetLogin l;
    l.grantId = o["grant"].toString();
    l.target = o["target"].toString();
    l.role = o["role"].toString();
    l.password = o["password"].toString().toUtf8();
    for (const auto& g : o["groups"].toArray())
        l.groups << g.toString();
    if (l.grantId != grantId || l.role.isEmpty() || l.target.isEmpty())
        return makeError(ErrorCode::Internal, QStringLiteral("%1 is not a login file").arg(f.fileName()));
    return l;
}

Status LoginVault::remove(const QString& grantId)
{
    QFile f(pathFor(grantId));
    if (f.exists() && !f.remove())
        return makeError(
            ErrorCode::Internal, QStringLiteral("cannot remove %1: %2").arg(f.fileName(), f.errorString()));
    return Ok {};
}

QList<TargetLogin> LoginVault::all(QStringList* errors) const
{
    QList<TargetLogin> out;
    const QStringList names = QDir(m_dir).entryList({QStringLiteral("*.login")}, QDir::Files, QDir::Name);
    for (const auto& n : names) {
        auto l = get(n.chopped(6));
        if (l)
            out << l.value();
        else if (errors)
            *errors << l.error().message;
    }
    return out;
}

} // namespace lapse
