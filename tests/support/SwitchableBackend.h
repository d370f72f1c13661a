// A backend for GUI tests: the embedded backend, which a test can take offline and bring back.
#pragma once

#include "backend/EmbeddedBackend.h"

namespace lapse::test
{

class SwitchableBackend final : public Backend
{
    Q_OBJECT
public:
    SwitchableBackend(Engine& engine, const QString& identity, QObject* parent = nullptr);

    void call(const QByteArray& method, const QString& path, const QJsonObject& body, const QUrlQuery& query,
        ApiCallback done) override;
    void follow(qint64 afterSeq) override;
    void stop() override;
    ConnectionState state() const override;
    qint64 lastSeq() const override { return m_lastSeq; }
    QString describe() const override { return QStringLiteral("test backend"); }

    // Offline: calls fail with Unavailable and no events arrive. Online again: catches up from lastSeq.
    void setOnline(bool online);
    int callsWhileOffline() const { return m_refused; }

private:
    EmbeddedBackend m_inner;
    bool m_online = true;
    bool m_following = false;
    qint64 m_lastSeq = 0;
    int m_refused = 0;
};

} // namespace lapse::test
