// Principal id -> kind and owner, read from the directory JSON (GET /v1/directory), for the console's tables.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>

namespace lapse
{

class PrincipalIndex
{
public:
    struct Entry {
        QString kind; // human, service, workload, agent, pipeline
        QString owner; // the owning human of a non-human principal
    };

    void load(const QJsonObject& directory);
    bool isEmpty() const { return m_entries.isEmpty(); }
    // Unknown ids have an empty kind and owner: the directory may be older than the event.
    Entry entry(const QString& id) const { return m_entries.value(id); }
    QString kind(const QString& id) const { return m_entries.value(id).kind; }
    QString owner(const QString& id) const { return m_entries.value(id).owner; }

private:
    QHash<QString, Entry> m_entries;
};

} // namespace lapse
