// The --demo workload hook: a moving queue on the embedded engine.
#pragma once

#include <QObject>

namespace lapse
{
class Engine;
// Starts a demo workload owned by parent. Returns false with a message when it cannot.
bool startDemo(Engine& engine, QObject* parent, QString* message);
} // namespace lapse
