// Cross-checks the chain alone cannot make: the state tables (requests, grants, sessions, lockouts) must say
// what the events say. A grant marked revoked has its revocation event, a request row has the status of its
// last event, an ended session its end event, an active lockout its lockout event — and no row exists without
// the events that made it.
#pragma once

#include "core/Error.h"

namespace lapse
{

class Store;

// The number of rows checked, or an error naming the first row that disagrees with the log.
Result<qint64> auditState(const Store& store);

} // namespace lapse
