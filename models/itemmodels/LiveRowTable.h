// A live table of rows kept in a list with an id -> row index: loads replace the rows, event batches update
// them in place, remove the ones that left and append the new ones, announcing only what changed.
#pragma once

#include "LiveTableModel.h"

#include <QHash>
#include <QList>
#include <algorithm>
#include <functional>
#include <vector>

namespace lapse
{

// Row needs a QString id.
template <typename Row> class LiveRowTable : public LiveTableModel
{
public:
    int rowCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }
    int columnCount(const QModelIndex& parent = {}) const override
    {
        return parent.isValid() ? 0 : m_columns;
    }
    int rowOf(const QString& id) const { return m_rowOfId.value(id, -1); } // -1 when not shown

protected:
    LiveRowTable(int columns, QObject* parent)
        : LiveTableModel(parent)
        , m_columns(columns)
    {
    }

    const Row* rowAt(int row) const { return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr; }
    void dropStaging() override { m_staging.clear(); }

    // What a load gathered in m_staging becomes the rows shown.
    void showStaged()
    {
        beginResetModel();
        m_rows = std::exchange(m_staging, {});
        m_rowOfId.clear();
        reindex(0);
        endResetModel();
    }

    struct Changes {
        std::vector<int> removals;
        QList<Row> inserts;
    };
    // Rows still wanted are replaced in place and announced; the rest is returned for commit().
    template <typename Wanted, typename Make>
    Changes updateRows(const LatestById& latest, Wanted wanted, Make make)
    {
        Changes out;
        std::vector<int> changed;
        for (const QString& id : std::as_const(latest.order)) {
            const QJsonObject json = latest.json.value(id);
            const bool keep = wanted(json);
            const int row = rowOf(id);
            if (row >= 0 && keep) {
                m_rows[row] = make(json);
                changed.push_back(row);
            } else if (row >= 0) {
                out.removals.push_back(row);
            } else if (keep) {
                out.inserts << make(json);
            }
        }
        announceRows(std::move(changed));
        return out;
    }

    // Removes (each row told to forget first) and appends.
    void commit(Changes changes, const std::function<void(const Row&)>& forget = {})
    {
        std::sort(changes.removals.begin(), changes.removals.end(), std::greater<int>());
        for (int row : std::as_const(changes.removals)) {
            beginRemoveRows({}, row, row);
            if (forget)
                forget(m_rows[row]);
            m_rowOfId.remove(m_rows[row].id);
            m_rows.removeAt(row);
            reindex(row);
            endRemoveRows();
        }
        if (!changes.inserts.isEmpty()) {
            const int first = int(m_rows.size());
            beginInsertRows({}, first, first + int(changes.inserts.size()) - 1);
            m_rows.append(std::move(changes.inserts));
            reindex(first);
            endInsertRows();
        }
    }

    QList<Row> m_rows;
    QList<Row> m_staging; // what a load under way gathered

private:
    void reindex(int from)
    {
        for (int i = from; i < m_rows.size(); ++i)
            m_rowOfId.insert(m_rows[i].id, i);
    }

    int m_columns;
    QHash<QString, int> m_rowOfId;
};

} // namespace lapse
