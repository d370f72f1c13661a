#include "MirrorThread.h"
#include "Mirror.h"
#include "backend/Backend.h"

#include <optional>

namespace lapse
{

Result<std::unique_ptr<MirrorThread>> MirrorThread::open(
    const QString& file, SourceFactory makeSource, QObject* parent)
{
    std::unique_ptr<MirrorThread> t(new MirrorThread);
    t->setParent(parent);
    t->m_file = file;
    t->m_thread.setObjectName(QStringLiteral("mirror"));
    t->m_context = new QObject;
    t->m_context->moveToThread(&t->m_thread);
    t->m_thread.start();
    std::optional<Error> failed;
    MirrorThread* self = t.get();
    t->onThread([&] {
        self->m_source = makeSource();
        auto m = Mirror::open(file, self->m_source.get());
        if (!m) {
            failed = m.error();
            self->m_source.reset();
            return;
        }
        self->m_mirror = std::move(m).value();
        self->m_lastSeq = self->m_mirror->lastSeq();
        // Queued to this object's thread; the count is kept here for lastSeq() from any thread.
        connect(
            self->m_mirror.get(), &Mirror::advanced, self->m_mirror.get(),
            [self](qint64 seq) { self->m_lastSeq = seq; }, Qt::DirectConnection);
        connect(self->m_mirror.get(), &Mirror::advanced, self, &MirrorThread::advanced);
        connect(self->m_mirror.get(), &Mirror::chainBroken, self, &MirrorThread::chainBroken);
        connect(self->m_mirror.get(), &Mirror::checkpointVerified, self, &MirrorThread::checkpointVerified);
        connect(self->m_mirror.get(), &Mirror::logInconsistent, self, &MirrorThread::logInconsistent);
    });
    if (failed)
        return *failed; // the destructor ends the thread
    return t;
}

MirrorThread::~MirrorThread()
{
    if (m_thread.isRunning()) {
        onThread([this] {
            if (m_mirror)
                m_mirror->stop();
            m_mirror.reset(); // its store's connection belongs to this thread
            m_source.reset();
        });
        m_thread.quit();
        m_thread.wait();
    }
    delete m_context;
}

void MirrorThread::start()
{
    QMetaObject::invokeMethod(m_context, [this] {
        if (m_mirror)
            m_mirror->start();
    });
}

void MirrorThread::onThread(const std::function<void()>& work)
{
    QMetaObject::invokeMethod(m_context, work, Qt::BlockingQueuedConnection);
}

} // namespace lapse
