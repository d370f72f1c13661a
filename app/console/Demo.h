// The --demo workload hook: history first, then a moving queue on the embedded engine.
#pragma once

#include <QObject>

namespace lapse
{
class Engine;
// Seeds an empty store with a week of realistic history (before the window loads), so charts and the audit
// log have something to show. Returns false with a message when the directory lacks the demo identities.
bool seedDemo(Engine& engine, QString* message);
// Starts the live workload, owned by parent.
void startDemo(Engine& engine, QObject* parent);
} // namespace lapse
