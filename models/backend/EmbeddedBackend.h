// The console's default backend: the engine in-process, acting as the console's configured identity.
#pragma once

#include "Backend.h"
#include "api/ApiService.h"

#include <QPointer>

namespace lapse
{

class Engine;

class EmbeddedBackend final : public Backend
{
    Q_OBJECT
public:
    // identity: the principal the person at the console acts as (separation of duties still applies).
    EmbeddedBackend(Engine& engine, QString identity, QObject* parent = nullptr);

    void call(const QByteArray& method, const QString& path, const QJsonObject& body, const QUrlQuery& query,
        ApiCallback done) override;
    void requestPage(
        const QString& status, const QString& after, int limit, RequestPageCallback done) override;
    void callText(
        const QByteArray& method, const QString& path, const QUrlQuery& query, TextCallback done) override;
    void follow(qint64 afterSeq) override;
    void stop() override;
    ConnectionState state() const override
    {
        return m_following ? ConnectionState::Live : ConnectionState::Offline;
    }
    qint64 lastSeq() const override { return m_lastSeq; }
    QString describe() const override;
    Engine& engine() { return m_engine; }

private:
    const Principal* actor(Error* error) const;
    void onEngineEvents(const QList<lapse::Event>& events);
    Engine& m_engine;
    ApiService m_api;
    QString m_identity;
    bool m_following = false;
    qint64 m_lastSeq = 0;
};

} // namespace lapse
