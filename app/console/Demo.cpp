// Starts the demo: a few days of history, then new requests, sessions and decisions every few seconds.
#include "Demo.h"

#include "engine/Engine.h"

namespace lapse
{

bool startDemo(Engine& engine, QObject* parent, QString* message)
{
    Q_UNUSED(engine);
    Q_UNUSED(parent);
    if (message)
        *message = QObject::tr("this build has no demo workload");
    return false;
}

} // namespace lapse
