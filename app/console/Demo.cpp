// The --demo workload: DemoWorkload on the embedded engine, seeded with history, then live.
#include "Demo.h"

#include "demo/DemoWorkload.h"
#include "engine/Engine.h"

namespace lapse
{

std::unique_ptr<DemoWorkload> seedDemo(Engine& engine, QString* message)
{
    for (const char* id : {"bob", "carol", "ci-deploy", "agent-7", "api-gw", "k8s-admission", "bastion"})
        if (!engine.directory().principal(QString::fromLatin1(id))) {
            if (message)
                *message
                    = QObject::tr("the demo needs the example directory (resources/directory.example.json)");
            return nullptr;
        }
    auto workload = std::make_unique<DemoWorkload>(engine);
    workload->seedHistory(7);
    return workload;
}

void startDemo(std::unique_ptr<DemoWorkload> workload, QObject* parent)
{
    DemoWorkload* live = workload.release();
    live->setParent(parent);
    live->start(1500);
}

} // namespace lapse
