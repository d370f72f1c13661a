// One icon per principal kind: the resource file's SVG, or a drawn badge when the resource is absent.
#pragma once

#include <QIcon>

namespace lapse
{
QIcon kindIcon(const QString& kind);
}
