// What every live table of the console shares: a load through the backend, events held while it runs, and
// the latest state of each touched row collected from an event batch.
#pragma once

#include "domain/Event.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <vector>

namespace lapse
{

// The last state of each id an event batch touched, in order of first mention.
struct LatestById {
    QStringList order;
    QHash<QString, QJsonObject> json;
    void note(const QString& id, const QJsonObject& state)
    {
        if (!json.contains(id))
            order << id;
        json.insert(id, state);
    }
    bool isEmpty() const { return order.isEmpty(); }
};

class LiveTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    bool isLoading() const { return m_loading; }

public slots:
    // Events that arrive during a load are held and applied on top of what it loaded: they are at least as
    // new as the pages it read.
    void applyEvents(const QList<lapse::Event>& events);

signals:
    void loaded();
    void loadFailed(const QString& message);

protected:
    using QAbstractTableModel::QAbstractTableModel;

    virtual void applyLive(const QList<Event>& events) = 0; // the rows follow these events now
    virtual void dropStaging() = 0; // forget what a load gathered so far

    // A new load; callbacks of an older one see they are no longer current and do nothing.
    quint64 startLoad();
    bool isCurrentLoad(quint64 generation) const { return generation == m_generation; }
    // The load's rows are shown: apply the held events, then say so.
    void finishLoad();
    // The rows shown stay; the held events are still valid against them.
    void failLoad(const QString& message);

    // Each changed row is announced on its own (adjacent ones together): a span from the first to the last
    // would tell a sorting proxy that every row between them might have moved.
    void announceRows(std::vector<int> rows);
    // Time moved: these columns change for every row (their display only).
    void announceColumns(int first, int last);

private:
    void applyHeld();

    bool m_loading = false;
    quint64 m_generation = 0;
    QList<Event> m_heldEvents;
};

} // namespace lapse
