// Strict reading of the notifications file: anything it does not understand stops the broker at start.
#include "NotificationConfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <sys/stat.h>

namespace lapse
{

namespace
{
Error invalid(const QString& message)
{
    return Error {ErrorCode::Invalid, message};
}

Error sinkError(const QString& sink, const QString& reason)
{
    return invalid(QStringLiteral("notification sink '%1': %2").arg(sink, reason));
}

bool isLoopbackHost(const QString& host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress a(host);
    return !a.isNull() && a.isLoopback();
}

// The secret, read only from a file its owner alone can read: it signs what receivers act on.
Result<QByteArray> readSecret(const QString& path)
{
    struct stat st {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return invalid(QStringLiteral("cannot read the secret file %1").arg(path));
    if ((st.st_mode & 0077) != 0)
        return invalid(
            QStringLiteral("secret file %1 has permissions %2, readable by others; fix with: chmod "
                           "600 %1")
                .arg(path, QString::number(st.st_mode & 0777, 8)));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return invalid(QStringLiteral("cannot read the secret file %1").arg(path));
    const QByteArray secret = f.readAll().trimmed();
    if (secret.size() < 16)
        return invalid(QStringLiteral("the secret in %1 is shorter than 16 bytes").arg(path));
    return secret;
}

Result<WebhookSinkConfig> parseSink(const QJsonObject& o, int index, const QString& baseDir)
{
    static const QSet<QString> kKeys {QStringLiteral("id"), QStringLiteral("url"), QStringLiteral("events"),
        QStringLiteral("secret_file"), QStringLiteral("timeout_seconds")};
    static const QRegularExpression kId(QStringLiteral("^[a-z0-9_-]{1,64}$"));
    WebhookSinkConfig sink;
    sink.id = o.value(QLatin1String("id")).toString();
    const QString name = sink.id.isEmpty() ? QStringLiteral("#%1").arg(index + 1) : sink.id;
    if (!kId.match(sink.id).hasMatch())
        return sinkError(name, QStringLiteral("\"id\" must be 1 to 64 of a-z, 0-9, '_' and '-'"));
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!kKeys.contains(it.key()))
            return sinkError(name,
                QStringLiteral("unknown key \"%1\" (id, url, events, secret_file, timeout_seconds)")
                    .arg(it.key()));

    sink.url = QUrl(o.value(QLatin1String("url")).toString(), QUrl::StrictMode);
    if (!sink.url.isValid() || sink.url.host().isEmpty())
        return sinkError(name, QStringLiteral("\"url\" must be an absolute https:// URL"));
    const QString scheme = sink.url.scheme().toLower();
    if (scheme == QLatin1String("http")) {
        if (!isLoopbackHost(sink.url.host()))
            return sinkError(name,
                QStringLiteral("\"url\" %1 is plain http to a host that is not loopback; use https")
                    .arg(sink.url.toString()));
    } else if (scheme != QLatin1String("https")) {
        return sinkError(
            name, QStringLiteral("\"url\" must be https (or http to loopback), not %1").arg(scheme));
    }

    const QJsonValue events = o.value(QLatin1String("events"));
    if (events == QJsonValue(QStringLiteral("*"))) {
        // every type
    } else if (events.isArray() && !events.toArray().isEmpty()) {
        for (const QJsonValue& v : events.toArray()) {
            const QString type = v.toString();
            if (type == QLatin1String("*") && events.toArray().size() == 1)
                break;
            if (!NotificationConfig::knownEventTypes().contains(type))
                return sinkError(name, QStringLiteral("unknown event type \"%1\"").arg(type));
            if (!sink.events.contains(type))
                sink.events << type;
        }
    } else {
        return sinkError(
            name, QStringLiteral("\"events\" must be a non-empty list of event types, or \"*\""));
    }

    const QString secretFile = o.value(QLatin1String("secret_file")).toString();
    if (secretFile.isEmpty())
        return sinkError(name, QStringLiteral("\"secret_file\" is required: every delivery is signed"));
    auto secret = readSecret(QDir(baseDir).absoluteFilePath(secretFile));
    if (!secret)
        return sinkError(name, secret.error().message);
    sink.secret = secret.value();

    if (o.contains(QLatin1String("timeout_seconds"))) {
        const QJsonValue t = o.value(QLatin1String("timeout_seconds"));
        const double seconds = t.toDouble(-1);
        if (!t.isDouble() || seconds != double(int(seconds)) || seconds < 1 || seconds > 300)
            return sinkError(
                name, QStringLiteral("\"timeout_seconds\" must be a whole number from 1 to 300"));
        sink.timeoutSeconds = int(seconds);
    }
    return sink;
}
} // namespace

const QStringList& NotificationConfig::knownEventTypes()
{
    static const QStringList kTypes {QStringLiteral("apikey.created"), QStringLiteral("request.created"),
        QStringLiteral("request.approval_recorded"), QStringLiteral("request.approved"),
        QStringLiteral("request.denied"), QStringLiteral("request.expired"),
        QStringLiteral("grant.activated"), QStringLiteral("grant.completed"), QStringLiteral("grant.revoked"),
        QStringLiteral("grant.expired"), QStringLiteral("grant.reviewed"), QStringLiteral("session.opened"),
        QStringLiteral("session.ended"), QStringLiteral("session.terminate_requested"),
        QStringLiteral("principal.locked_out"), QStringLiteral("principal.unlocked"),
        QStringLiteral("keys.rotated"), QStringLiteral("log.key_rotated"),
        QStringLiteral("evidence.attested"), QStringLiteral("enforcement.pending"),
        QStringLiteral("revocation.verified"), QStringLiteral("credential.used_after_end"),
        QStringLiteral("review.decided")};
    return kTypes;
}

Result<NotificationConfig> NotificationConfig::load(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return invalid(QStringLiteral("cannot read the notifications file %1").arg(path));
    auto parsed = parse(f.readAll(), QFileInfo(path).absolutePath());
    if (!parsed)
        return invalid(QStringLiteral("%1: %2").arg(path, parsed.error().message));
    return parsed;
}

Result<NotificationConfig> NotificationConfig::parse(const QByteArray& json, const QString& baseDir)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return invalid(QStringLiteral("not a JSON object (%1)").arg(pe.errorString()));
    const QJsonObject root = doc.object();
    for (auto it = root.begin(); it != root.end(); ++it)
        if (it.key() != QLatin1String("webhooks"))
            return invalid(QStringLiteral("unknown key \"%1\" (webhooks)").arg(it.key()));
    if (!root.value(QLatin1String("webhooks")).isArray())
        return invalid(QStringLiteral("\"webhooks\" must be a list of sinks"));
    NotificationConfig config;
    QSet<QString> ids;
    const QJsonArray sinks = root.value(QLatin1String("webhooks")).toArray();
    for (int i = 0; i < sinks.size(); ++i) {
        if (!sinks.at(i).isObject())
            return sinkError(QStringLiteral("#%1").arg(i + 1), QStringLiteral("not a JSON object"));
        auto sink = parseSink(sinks.at(i).toObject(), i, baseDir);
        if (!sink)
            return sink.error();
        if (ids.contains(sink->id))
            return sinkError(sink->id, QStringLiteral("the id is used twice"));
        ids.insert(sink->id);
        config.webhooks << std::move(sink).value();
    }
    return config;
}

} // namespace lapse
