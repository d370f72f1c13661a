// The colours that make rows stand out in the console's tables, from the semantic roles the models expose.
#pragma once

#include <QModelIndex>
#include <QVariant>

namespace lapse::RowColours
{

// Each answers Qt::ForegroundRole / Qt::BackgroundRole for an index of (a proxy over) its model, and an
// invalid QVariant when the row does not stand out or the role is another one.
QVariant queue(const QModelIndex& index, int role); // a width beyond the declared minimum
QVariant grant(const QModelIndex& index, int role); // break-glass access not yet reviewed
QVariant session(const QModelIndex& index, int role); // lingering past the end of its grant

} // namespace lapse::RowColours
