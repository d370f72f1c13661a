// The load and event-holding protocol the console's live tables share.
#include "LiveTableModel.h"

#include <algorithm>
#include <utility>

namespace lapse
{

void LiveTableModel::applyEvents(const QList<Event>& events)
{
    if (m_loading) {
        m_heldEvents += events;
        return;
    }
    applyLive(events);
}

quint64 LiveTableModel::startLoad()
{
    ++m_generation;
    m_loading = true;
    dropStaging();
    return m_generation;
}

void LiveTableModel::applyHeld()
{
    m_loading = false;
    const QList<Event> held = std::exchange(m_heldEvents, {});
    applyLive(held);
}

void LiveTableModel::finishLoad()
{
    applyHeld();
    emit loaded();
}

void LiveTableModel::failLoad(const QString& message)
{
    dropStaging();
    applyHeld();
    emit loadFailed(message);
}

void LiveTableModel::announceRows(std::vector<int> rows)
{
    std::sort(rows.begin(), rows.end());
    const int lastColumn = columnCount() - 1;
    for (size_t i = 0; i < rows.size();) {
        size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        emit dataChanged(index(rows[i], 0), index(rows[j], lastColumn));
        i = j + 1;
    }
}

void LiveTableModel::announceColumns(int first, int last)
{
    const int rows = rowCount();
    if (rows > 0)
        emit dataChanged(index(0, first), index(rows - 1, last), {Qt::DisplayRole});
}

} // namespace lapse
