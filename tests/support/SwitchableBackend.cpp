// The switchable test backend.
#include "SwitchableBackend.h"

#include <QTimer>

namespace lapse::test
{

SwitchableBackend::SwitchableBackend(Engine& engine, const QString& identity, QObject* parent)
    : Backend(parent)
    , m_inner(engine, identity)
{
    connect(&m_inner, &Backend::eventsReceived, this, [this](const QList<Event>& events) {
        if (!m_online || events.isEmpty())
            return;
        m_lastSeq = events.last().seq;
        emit eventsReceived(events);
    });
}

void SwitchableBackend::call(const QByteArray& method, const QString& path, const QJsonObject& body,
    const QUrlQuery& query, ApiCallback done)
{
    if (!m_online) {
        ++m_refused;
        QTimer::singleShot(0, this, [done = std::move(done)] {
            done(makeError(ErrorCode::Unavailable, QStringLiteral("connection refused")));
        });
        return;
    }
    m_inner.call(method, path, body, query, std::move(done));
}

void SwitchableBackend::follow(qint64 afterSeq)
{
    m_following = true;
    m_lastSeq = afterSeq;
    if (m_online)
        m_inner.follow(afterSeq);
    emit stateChanged(state());
}

void SwitchableBackend::stop()
{
    m_following = false;
    m_inner.stop();
    emit stateChanged(state());
}

Backend::ConnectionState SwitchableBackend::state() const
{
    if (!m_online)
        return ConnectionState::Reconnecting;
    return m_following ? ConnectionState::Live : ConnectionState::Offline;
}

void SwitchableBackend::setOnline(bool online)
{
    if (online == m_online)
        return;
    m_online = online;
    if (online && m_following)
        m_inner.follow(m_lastSeq); // catch up from the last delivered event
    else
        m_inner.stop();
    emit stateChanged(state());
}

} // namespace lapse::test
