// A responder kept for a later answer, and released rather than destroyed once its socket is gone.
#pragma once

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>
#include <memory>

namespace lapse
{

// Qt 6.4's responder touches its socket when destroyed: one whose socket is gone must not be destroyed.
struct PendingResponder {
    std::unique_ptr<QHttpServerResponder> responder;
    QPointer<QTcpSocket> socket;
    ~PendingResponder()
    {
        if (!socket)
            (void)responder.release();
    }
};

} // namespace lapse
