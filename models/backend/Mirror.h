// A local copy of a broker's event log, for insights and the audit log without loading the broker:
// incremental and resumable from its last sequence number, chain-verified as it goes, and stopping loudly
// (nothing after a break is written) when the chain breaks.
#pragma once

#include "core/Error.h"
#include "domain/Event.h"
#include "engine/EventChain.h"

#include <QObject>
#include <memory>

namespace lapse
{

class Backend;
class Store;

class Mirror : public QObject
{
    Q_OBJECT
public:
    // file: the mirror's SQLite file (created with the store's schema). source: where events come from; the
    // mirror calls source->follow() itself, so give it a backend of its own.
    static Result<std::unique_ptr<Mirror>> open(
        const QString& file, Backend* source, QObject* parent = nullptr);
    ~Mirror() override;

    void start(); // follow the source from the mirror's last event on
    void stop();
    qint64 lastSeq() const { return m_verifier.nextSeq() - 1; }
    QString file() const { return m_file; }
    bool broken() const { return !m_verifier.ok(); }
    // Appends a page in one transaction, verified against the chain as it is written.
    Status append(const QList<Event>& events);

signals:
    void advanced(qint64 lastSeq);
    void chainBroken(qint64 seq, const QString& reason);

private:
    Mirror() = default;
    Status write(const QList<Event>& events, qint64* breakSeq); // one transaction

    QString m_file;
    std::unique_ptr<Store> m_store;
    Backend* m_source = nullptr;
    ChainVerifier m_verifier;
};

} // namespace lapse
