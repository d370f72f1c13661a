// A sink's place in the log: the last event seq it is done with, kept in DIR/notifications/<sink>.cursor.
#pragma once

#include "core/Error.h"

#include <QString>

namespace lapse
{

class WebhookCursor
{
public:
    WebhookCursor(const QString& dataDir, const QString& sinkId);

    QString path() const { return m_path; }
    // 0 when the sink has no cursor yet; an error when the file is there but unreadable.
    Result<qint64> read() const;
    // Written whole and synced (QSaveFile), then the directory synced, so a crash leaves the old seq or the
    // new.
    Status write(qint64 seq) const;

private:
    QString m_dir;
    QString m_path;
};

} // namespace lapse
