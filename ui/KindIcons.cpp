// Kind icons, cached; the drawn fallback keeps kinds distinguishable by colour and letter.
#include "KindIcons.h"

#include <QFile>
#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace lapse
{

QIcon kindIcon(const QString& kind)
{
    static QHash<QString, QIcon> cache;
    const auto it = cache.constFind(kind);
    if (it != cache.constEnd())
        return *it;
    const QString path = QStringLiteral(":/icons/kind-%1.svg").arg(kind);
    QIcon icon;
    if (QFile::exists(path)) {
        icon = QIcon(path);
    } else if (!kind.isEmpty()) {
        static const QHash<QString, QColor> colours {{QStringLiteral("human"), QColor(0x1e, 0x6f, 0xd9)},
            {QStringLiteral("service"), QColor(0x6a, 0x4c, 0x93)},
            {QStringLiteral("workload"), QColor(0x2e, 0x8b, 0x57)},
            {QStringLiteral("agent"), QColor(0xd9, 0x6c, 0x1e)},
            {QStringLiteral("pipeline"), QColor(0x55, 0x60, 0x6e)}};
        QPixmap pm(32, 32);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setBrush(colours.value(kind, Qt::gray));
        p.setPen(Qt::NoPen);
        p.drawEllipse(1, 1, 30, 30);
        QFont f = p.font();
        f.setPixelSize(18);
        f.setBold(true);
        p.setFont(f);
        p.setPen(Qt::white);
        p.drawText(pm.rect(), Qt::AlignCenter, kind.left(1).toUpper());
        p.end();
        icon = QIcon(pm);
    }
    cache.insert(kind, icon);
    return icon;
}

} // namespace lapse
