// GUI tests: the real main window over an embedded engine, driven by keys and clicks.
#pragma once

#include "EngineFixture.h"
#include "MainWindow.h"
#include "SwitchableBackend.h"

#include <QObject>
#include <memory>

class TestGui : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void approveWithKeyboardAlone();
    void auditShowsCheckpointState();
    void narrowPrivileges();
    void denyWithoutReasonRefused();
    void selfApprovalRefused();
    void requestDecidedElsewhere();
    void paneFollowsTheSelectionWhileTheQueueMoves();
    void revoke();
    void terminateSession();
    void lockout();
    void backendAwayAndBack();
    void auditLogSearchAndChain();
    void keyPromptMasksAndNeedsAKey();
    void confirmationsActOnEnterAndCancelOnEscape();
    void rowsThatNeedAttentionAreColoured();
    void iconsShipWithTheWidgets();

private:
    QString submit(const QString& requester, const QStringList& privileges, const QStringList& minimum = {},
        int ttlSeconds = 1800);
    bool selectInQueue(const QString& id);

    std::unique_ptr<lapse::test::EngineFixture> m_fx;
    std::unique_ptr<lapse::test::SwitchableBackend> m_backend;
    std::unique_ptr<lapse::MainWindow> m_window;
};
