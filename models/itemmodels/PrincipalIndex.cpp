// Directory JSON to a lookup table.
#include "PrincipalIndex.h"

#include <QJsonArray>

namespace lapse
{

void PrincipalIndex::load(const QJsonObject& directory)
{
    m_entries.clear();
    const QJsonArray principals = directory.value(QLatin1String("principals")).toArray();
    m_entries.reserve(principals.size());
    for (const auto& v : principals) {
        const QJsonObject p = v.toObject();
        m_entries.insert(p.value(QLatin1String("id")).toString(),
            Entry {p.value(QLatin1String("kind")).toString(), p.value(QLatin1String("owner")).toString()});
    }
}

} // namespace lapse
