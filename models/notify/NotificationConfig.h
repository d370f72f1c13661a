// The broker's --notifications file: its webhooks (URL, event types, secret, timeout), parsed strictly.
#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace lapse
{

struct WebhookSinkConfig {
    QString id; // names the sink in metrics, delivery ids and its cursor file: [a-z0-9_-], at most 64
    QUrl url; // https, or http to a loopback address only
    QStringList events; // event types it takes; empty: every type ("*")
    QByteArray secret; // the HMAC key, read from secret_file (owner-only permissions)
    int timeoutSeconds = 10;

    bool takes(const QString& eventType) const { return events.isEmpty() || events.contains(eventType); }
};

struct NotificationConfig {
    QList<WebhookSinkConfig> webhooks;

    // Reads and checks the file: unknown keys, a URL that is not https (or http to loopback), a missing or
    // group/world-readable secret file, an unknown event type are refused with the sink and the reason.
    static Result<NotificationConfig> load(const QString& path);
    // The same from the file's bytes; relative secret_file paths resolve against baseDir.
    static Result<NotificationConfig> parse(const QByteArray& json, const QString& baseDir);
    // Every event type the engine appends, which a sink may name.
    static const QStringList& knownEventTypes();
};

} // namespace lapse
