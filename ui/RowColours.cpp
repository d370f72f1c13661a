// Colours live here, not in models/: the models say what a row is, the view decides how that looks.
#include "RowColours.h"

#include "itemmodels/GrantsModel.h"
#include "itemmodels/RequestQueueModel.h"
#include "itemmodels/SessionsModel.h"

#include <QBrush>
#include <QColor>

namespace lapse::RowColours
{

QVariant queue(const QModelIndex& index, int role)
{
    if (role == Qt::ForegroundRole && index.column() == RequestQueueModel::Width
        && index.data(RequestQueueModel::ExcessRole).toInt() > 0)
        return QBrush(QColor(0xb3, 0x5c, 0x00));
    return {};
}

QVariant grant(const QModelIndex& index, int role)
{
    // Ended but not confirmed on the target: the same warning colours as a lingering session.
    if ((role == Qt::BackgroundRole || role == Qt::ForegroundRole)
        && index.data(GrantsModel::EnforcementPendingRole).toBool())
        return role == Qt::BackgroundRole ? QBrush(QColor(0xff, 0xe0, 0xb2))
                                          : QBrush(QColor(0x6d, 0x2c, 0x00));
    if (role == Qt::ForegroundRole && index.column() == GrantsModel::Policy
        && index.data(GrantsModel::UnreviewedBreakGlassRole).toBool())
        return QBrush(QColor(0xa8, 0x1b, 0x1b));
    return {};
}

QVariant session(const QModelIndex& index, int role)
{
    if ((role != Qt::BackgroundRole && role != Qt::ForegroundRole)
        || !index.data(SessionsModel::LingeringRole).toBool())
        return {};
    return role == Qt::BackgroundRole ? QBrush(QColor(0xff, 0xe0, 0xb2)) : QBrush(QColor(0x6d, 0x2c, 0x00));
}

} // namespace lapse::RowColours
