// The --demo workload: DemoWorkload on the embedded engine, seeded with history, then live.
#include "Demo.h"

#include "demo/DemoWorkload.h"
#include "engine/Engine.h"

namespace lapse
{

bool seedDemo(Engine& engine, QString* message)
{
    for (const char* id : {"bob", "carol", "ci-deploy", "agent-7", "api-gw", "k8s-admission", "bastion"})
        if (!engine.directory().principal(QString::fromLatin1(id))) {
            if (message)
                *message = QObject::tr("the demo needs the example directory (resources/directory.example.json)");
            return false;
        }
    DemoWorkload seeder(engine);
    seeder.seedHistory(7);
    return true;
}

void startDemo(Engine& engine, QObject* parent)
{
    auto* workload = new DemoWorkload(engine, 20261123, parent);
    workload->start(1500);
}

} // namespace lapse
