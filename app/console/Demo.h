// The --demo workload hook: history first, then a moving queue on the embedded engine.
#pragma once

#include <QObject>
#include <memory>

namespace lapse
{
class Engine;
class DemoWorkload;
// Seeds an empty store with a week of realistic history (before the window loads), so the views and the
// audit log have something to show. Null with a message when the directory lacks the demo identities.
std::unique_ptr<DemoWorkload> seedDemo(Engine& engine, QString* message);
// Starts the same workload live (it keeps following the grants and sessions it seeded), owned by parent.
void startDemo(std::unique_ptr<DemoWorkload> workload, QObject* parent);
} // namespace lapse
